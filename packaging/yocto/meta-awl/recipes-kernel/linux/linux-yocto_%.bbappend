# Opt-in: AWL_KERNEL_FRAGMENT = "1" in local.conf adds awl's kernel
# features (awl.cfg) to linux-yocto; without it this append does nothing.
FILESEXTRAPATHS:prepend := "${THISDIR}/linux-yocto:"
SRC_URI:append = "${@' file://awl.cfg' if d.getVar('AWL_KERNEL_FRAGMENT') == '1' else ''}"

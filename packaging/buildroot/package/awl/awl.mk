################################################################################
#
# awl
#
################################################################################

AWL_VERSION = 0.1.0
AWL_SITE = https://github.com/awl-tracer/awl/releases/download/v$(AWL_VERSION)
AWL_LICENSE = GPL-2.0
AWL_LICENSE_FILES = LICENSE
# the release tarball has a generated configure
AWL_AUTORECONF = NO

ifeq ($(BR2_PACKAGE_AWL_TESTS),y)
define AWL_INSTALL_TESTS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) DESTDIR=$(TARGET_DIR) install-tests
endef
AWL_POST_INSTALL_TARGET_HOOKS += AWL_INSTALL_TESTS
endif

# What "awl -T" checks. BTF (fentry/fexit) is left to the user: it
# needs CONFIG_DEBUG_INFO and pahole (BR2_LINUX_KERNEL_NEEDS_HOST_PAHOLE).
define AWL_LINUX_CONFIG_FIXUPS
	$(call KCONFIG_ENABLE_OPT,CONFIG_BPF)
	$(call KCONFIG_ENABLE_OPT,CONFIG_BPF_SYSCALL)
	$(call KCONFIG_ENABLE_OPT,CONFIG_BPF_JIT)
	$(call KCONFIG_ENABLE_OPT,CONFIG_PERF_EVENTS)
	$(call KCONFIG_ENABLE_OPT,CONFIG_FTRACE)
	$(call KCONFIG_ENABLE_OPT,CONFIG_FTRACE_SYSCALLS)
	$(call KCONFIG_ENABLE_OPT,CONFIG_KPROBES)
	$(call KCONFIG_ENABLE_OPT,CONFIG_KPROBE_EVENTS)
	$(call KCONFIG_ENABLE_OPT,CONFIG_UPROBES)
	$(call KCONFIG_ENABLE_OPT,CONFIG_UPROBE_EVENTS)
	$(call KCONFIG_ENABLE_OPT,CONFIG_BPF_EVENTS)
endef

$(eval $(autotools-package))

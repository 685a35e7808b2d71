/* Attaching: perf events carry the programs (tracepoints, timers,
 * software events); closing their fds detaches everything, so no exit
 * path can leave a probe behind. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "awl/attach.h"
#include "awl/provider.h"
#include "awl/sys.h"

void explain_perf_error(const struct attach_point *ap, int err)
{
	switch (-err) {
	case EACCES:
	case EPERM:
		if (geteuid() != 0)
			error_plain("cannot attach %s: run awl as root (or with CAP_PERFMON and CAP_BPF)", ap->name);
		else
			error_plain("cannot attach %s: %s; check kernel.perf_event_paranoid and any security policy (lockdown, SELinux)",
				    ap->name, strerror(-err));
		break;
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
		error_plain("cannot attach %s: the kernel has no such event (%s); it needs CONFIG_PERF_EVENTS%s",
			    ap->name, strerror(-err),
			    ap->provider->ctx == CTX_TRACEPOINT ? " and CONFIG_BPF_EVENTS" : "");
		break;
	case EMFILE:
	case ENFILE:
		error_plain("cannot attach %s: too many open files; raise the limit (ulimit -n) or attach fewer probes",
			    ap->name);
		break;
	case EINVAL:
		error_plain("cannot attach %s: the kernel refused the event (Invalid argument); it may lack CONFIG_BPF_EVENTS or this kind of event",
			    ap->name);
		break;
	case EEXIST:
		error_plain("cannot attach %s: another program is attached to this event", ap->name);
		break;
	default:
		error_plain("cannot attach %s: %s", ap->name, strerror(-err));
	}
}

int attach_perf_event(struct attach_point *ap, struct perf_event_attr *attr, int cpu)
{
	int fd = sys_perf_event_open(attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0) {
		explain_perf_error(ap, fd);
		return -1;
	}
	ap_add_fd(ap, fd);
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, ap->prog->fd) < 0) {
		explain_perf_error(ap, -errno);
		return -1;
	}
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		explain_perf_error(ap, -errno);
		return -1;
	}
	return 0;
}

int attach_all(struct unit *u)
{
	for (int i = 0; i < u->naps; i++) {
		struct attach_point *ap = u->aps[i];

		if (ap->provider->run_by_loader)
			continue;
		if (ap->provider->attach(u, ap)) {
			detach_all(u);
			return -1;
		}
	}
	return 0;
}

void detach_all(struct unit *u)
{
	for (int i = 0; i < u->naps; i++) {
		struct attach_point *ap = u->aps[i];

		for (int j = 0; j < ap->nfds; j++)
			if (ap->fds[j] >= 0)
				close(ap->fds[j]);
		ap->nfds = 0;
	}
}

/* Attaching: perf events carry the programs (tracepoints, timers,
 * software events); closing their fds detaches everything, so no exit
 * path can leave a probe behind. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "awl/attach.h"
#include "awl/compat.h"
#include "awl/dynprobe.h"
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

int try_attach_perf_event(struct attach_point *ap, struct perf_event_attr *attr, int pid, int cpu)
{
	int fd = sys_perf_event_open(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC), link;

	if (fd < 0)
		return fd;
	ap_add_fd(ap, fd);
	link = bpf_link_perf_event(ap->prog->fd, fd);
	if (link >= 0) {
		VEC_PUSH(ap->links, ap->nlinks, ap->caplinks, link);
		ap->linked = true;
	} else if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, ap->prog->fd) < 0) {
		explain_perf_error(ap, -errno);
		return -EALREADY;	/* explained */
	}
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		explain_perf_error(ap, -errno);
		return -EALREADY;
	}
	return 0;
}

int attach_perf_event(struct attach_point *ap, struct perf_event_attr *attr, int pid, int cpu)
{
	int err = try_attach_perf_event(ap, attr, pid, cpu);

	if (err && err != -EALREADY)
		explain_perf_error(ap, err);
	return err ? -1 : 0;
}

int attach_all(struct unit *u)
{
	for (int i = 0; i < u->naps; i++) {
		struct attach_point *ap = u->aps[i];

		if (ap->provider->run_by_loader)
			continue;
		if (ap->provider->attach(u, ap)) {
			release_all(u);
			return -1;
		}
	}
	return 0;
}

/* Closing a tracepoint's last perf event waits for an RCU grace period
 * (tracepoint_synchronize_unregister(), ~60 ms): one after another, a
 * wildcard over 300 syscalls would take 20 s to detach. Closed from
 * many threads at once, the waits overlap and share grace periods. */
#define CLOSE_THREADS 64
#define CLOSE_STACK (64 * 1024)

struct close_job {
	int *fds;
	int n, stride;
};

static void *close_some(void *arg)
{
	struct close_job *job = arg;

	for (int i = 0; i < job->n; i += job->stride)
		close(job->fds[i]);
	return NULL;
}

static void close_parallel(int *fds, int n)
{
	pthread_t threads[CLOSE_THREADS];
	struct close_job jobs[CLOSE_THREADS];
	bool running[CLOSE_THREADS];
	pthread_attr_t attr;
	int nthreads = MIN(n, CLOSE_THREADS);

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, CLOSE_STACK);
	for (int t = 0; t < nthreads; t++) {
		jobs[t] = (struct close_job){ fds + t, n - t, nthreads };
		running[t] = n > 1 && !pthread_create(&threads[t], &attr, close_some, &jobs[t]);
		if (!running[t])
			close_some(&jobs[t]);	/* no thread: close them here */
	}
	for (int t = 0; t < nthreads; t++)
		if (running[t])
			pthread_join(threads[t], NULL);
	pthread_attr_destroy(&attr);
}

/* With BPF links (Linux 5.15), closing the links stops every program at
 * once and the perf events can be closed at leisure (release_all);
 * without, the events themselves must be closed to detach. */
void detach_all(struct unit *u)
{
	int *fds = NULL, n = 0, cap = 0;

	for (int i = 0; i < u->naps; i++) {
		struct attach_point *ap = u->aps[i];

		for (int j = 0; j < ap->nlinks; j++)
			VEC_PUSH(fds, n, cap, ap->links[j]);
		ap->nlinks = 0;
		if (!ap->linked) {
			for (int j = 0; j < ap->nfds; j++)
				VEC_PUSH(fds, n, cap, ap->fds[j]);
			ap->nfds = 0;
		}
	}
	close_parallel(fds, n);
	free(fds);
}

/* Past this many, perf events are closed by a child process in the
 * background: the programs are already detached (links closed) and
 * unloaded with awl's own fds, only the tracepoints' registrations wait
 * for their grace periods, and awl exits without waiting for them. */
#define SLOW_CLOSE_THRESHOLD 8

static bool close_in_background(struct unit *u, int *fds, int n)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid > 0) {
		for (int i = 0; i < n; i++)
			close(fds[i]);	/* the child still holds them: quick */
		return true;
	}
	/* The child holds nothing else: programs and maps unload with awl,
	 * and readers of awl's output see EOF. */
	int devnull = open("/dev/null", O_RDWR), maxfd = (int)sysconf(_SC_OPEN_MAX);
	char *keep = xcalloc((size_t)maxfd + 1, 1);

	for (int i = 0; i < n; i++)
		if (fds[i] >= 0 && fds[i] <= maxfd)
			keep[fds[i]] = 1;
	for (int fd = 0; fd < 3; fd++)
		dup2(devnull, fd);
	for (int fd = 3; fd <= maxfd; fd++)
		if (!keep[fd])
			close(fd);
	setsid();
	close_parallel(fds, n);
	dynprobe_remove_all(u);
	_exit(0);
}

void release_all(struct unit *u)
{
	int *fds = NULL, n = 0, cap = 0;
	bool linked = true;

	detach_all(u);
	for (int i = 0; i < u->naps; i++) {
		struct attach_point *ap = u->aps[i];

		for (int j = 0; j < ap->nfds; j++)
			VEC_PUSH(fds, n, cap, ap->fds[j]);
		linked &= ap->nfds == 0 || ap->linked;
		ap->nfds = 0;
	}
	if (!(n > SLOW_CLOSE_THRESHOLD && linked && close_in_background(u, fds, n))) {
		close_parallel(fds, n);
		/* kprobe_events/uprobe_events entries go once their events are closed */
		dynprobe_remove_all(u);
	}
	free(fds);
}

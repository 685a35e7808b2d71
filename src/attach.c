/* Attaching: perf events carry the programs (tracepoints, timers,
 * software events); closing their fds detaches everything, so no exit
 * path can leave a probe behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "awl/attach.h"
#include "awl/compat.h"
#include "awl/dynprobe.h"
#include "awl/provider.h"
#include "awl/sys.h"

/* "cannot attach PROBE: CALL: ERROR; CAUSE: FIX" */
static void report_attach_error(const struct attach_point *ap, const char *call, int err,
				const struct strbuf *why)
{
	error_plain("cannot attach %s: %s: %s%s%s", ap->name, call, strerror(-err),
		    why->s ? "; " : "", why->s ? why->s : "");
}

void explain_perf_error(const struct attach_point *ap, int err)
{
	struct strbuf why = { 0 };

	switch (-err) {
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
		if (ap->provider->ctx == CTX_TRACEPOINT)
			sb_puts(&why, "the kernel has no perf event for this tracepoint: it needs CONFIG_PERF_EVENTS=y and CONFIG_BPF_EVENTS=y, and a module's tracepoints go when the module is unloaded");
		else if (ap->provider->ctx == CTX_PERF_EVENT)
			sb_puts(&why, "the kernel has no such event, or a CPU went offline: it needs CONFIG_PERF_EVENTS=y");
		else
			sb_puts(&why, "the kernel has no such event: it needs CONFIG_PERF_EVENTS=y");
		break;
	case EINVAL:
		sb_puts(&why, "the kernel refused the event: it lacks this kind of event (CONFIG_PERF_EVENTS, CONFIG_BPF_EVENTS) or is too old for it");
		break;
	case EBUSY:
		sb_puts(&why, "another tracer (perf, another awl) holds the event exclusively: stop it, then try again");
		break;
	default:
		sys_explain(&why, SYS_PERF_EVENT_OPEN, err);
	}
	report_attach_error(ap, "perf_event_open", err, &why);
	free(why.s);
}

/* The program could not be tied to its perf event (call is the link or
 * one of the ioctls). */
static void explain_prog_attach_error(const struct attach_point *ap, enum sys_call call, int err)
{
	struct strbuf why = { 0 };

	switch (-err) {
	case E2BIG:
		sb_puts(&why, "the event already runs 64 BPF programs, the kernel's limit: other tracers hold them; stop some");
		break;
	case EEXIST:
		sb_puts(&why, "another program is attached to this event (before Linux 5.15 an event takes only one): stop the other tracer");
		break;
	case EINVAL:
		sb_puts(&why, "the kernel cannot run this kind of program on this event: it needs CONFIG_BPF_EVENTS=y");
		break;
	case EBUSY:
		sb_puts(&why, "another tracer holds the event: stop it, then try again");
		break;
	default:
		sys_explain(&why, call, err);
	}
	report_attach_error(ap, call == SYS_LINK_CREATE ? "bpf(BPF_LINK_CREATE)" :
			    call == SYS_IOCTL_ATTACH ? "ioctl(PERF_EVENT_IOC_SET_BPF)" :
			    "ioctl(PERF_EVENT_IOC_ENABLE)", err, &why);
	free(why.s);
}

void explain_attach_error(const struct attach_point *ap, enum sys_call call, int err)
{
	if (call == SYS_PERF_EVENT_OPEN)
		explain_perf_error(ap, err);
	else
		explain_prog_attach_error(ap, call, err);
}

int try_attach_perf_event(struct attach_point *ap, struct perf_event_attr *attr, int pid, int cpu)
{
	int fd = sys_perf_event_open(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC), link, err;

	if (fd < 0)
		return fd;
	ap_add_fd(ap, fd);
	link = bpf_link_perf_event(ap->prog->fd, fd);
	if (link >= 0) {
		VEC_PUSH(ap->links, ap->nlinks, ap->caplinks, link);
		ap->linked = true;
	} else if (link != -EINVAL && link != -EOPNOTSUPP) {
		/* a kernel with links (5.15) that refused this one */
		explain_prog_attach_error(ap, SYS_LINK_CREATE, link);
		return -EALREADY;	/* explained */
	} else if ((err = perf_event_set_bpf(fd, ap->prog->fd))) {
		explain_prog_attach_error(ap, SYS_IOCTL_ATTACH, err);
		return -EALREADY;
	}
	err = perf_event_enable(fd);
	if (err) {
		explain_prog_attach_error(ap, SYS_IOCTL_ENABLE, err);
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

/* The highest fd open, from /proc/self/fd: the soft RLIMIT_NOFILE, which
 * awl raises to the hard limit (a billion in some containers), is no
 * bound to loop to. */
static int highest_open_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int max = -1;

	if (!d)
		return (int)MIN(sysconf(_SC_OPEN_MAX), 1L << 20);
	while ((de = readdir(d)))
		max = MAX(max, atoi(de->d_name));
	closedir(d);
	return max;
}

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
	int devnull = open("/dev/null", O_RDWR), maxfd = highest_open_fd();
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

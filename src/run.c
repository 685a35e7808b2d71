/* The runtime: BEGIN, attach, read events until asked to stop, then
 * detach, drain, END and print the maps. Signals arrive through a
 * signalfd in the same epoll set as the output buffers, so the loop has
 * one place where it waits and no handler runs in the middle of work. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "awl/attach.h"
#include "awl/fmt.h"
#include "awl/load.h"
#include "awl/output.h"
#include "awl/provider.h"
#include "awl/report.h"
#include "awl/run.h"
#include "awl/sys.h"

/* How often lost events are checked for (and -c's child, as backup). */
#define TICK_MS 250

enum stop_reason { RUNNING, STOP_SIGNAL, STOP_EXIT, STOP_CHILD, STOP_LOST, STOP_ERROR };

struct runner {
	struct unit *u;
	const struct run_opts *ro;
	struct output *output;
	int epfd, sigfd;
	enum stop_reason stop;
	int exit_code;
	uint64_t lost_reported;
};

/* ---- the -c command ---- */

static bool needs_shell(const char *cmd)
{
	return strpbrk(cmd, "|&;<>()$`\\\"'*?[#~=%{}\n") != NULL;
}

/* The command runs directly when it is plain words, so that cpid is the
 * command itself and not a shell around it. */
static char **split_words(const char *cmd)
{
	char **argv = xcalloc(strlen(cmd) / 2 + 2, sizeof(*argv));
	int n = 0;

	for (const char *p = cmd; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *start = p;

		while (*p && *p != ' ' && *p != '\t')
			p++;
		argv[n++] = xstrndup(start, (size_t)(p - start));
	}
	return argv;
}

int child_spawn(struct child *c, const char *cmd)
{
	int go[2], exec_status[2];
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->go_fd = c->exec_fd = -1;
	sigprocmask(SIG_SETMASK, NULL, &c->child_mask);
	if (!cmd[strspn(cmd, " \t\n")]) {
		error_plain("-c needs a command to run");
		return -1;
	}
	if (pipe2(go, O_CLOEXEC) || pipe2(exec_status, O_CLOEXEC)) {
		error_plain("cannot start '%s': %s", cmd, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		error_plain("cannot start '%s': %s", cmd, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char buf;
		int err;

		close(go[1]);
		close(exec_status[0]);
		sigprocmask(SIG_SETMASK, &c->child_mask, NULL);
		/* Wait until every probe is attached; EOF means awl gave up. */
		if (read(go[0], &buf, 1) != 1)
			_exit(127);
		if (needs_shell(cmd)) {
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		} else {
			char **argv = split_words(cmd);

			if (argv[0])
				execvp(argv[0], argv);
		}
		err = errno;
		if (write(exec_status[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(exec_status[1]);
	c->pid = pid;
	c->go_fd = go[1];
	c->exec_fd = exec_status[0];
	return 0;
}

int child_release(struct child *c)
{
	int err = 0;
	ssize_t n;

	if (!c->pid)
		return 0;
	if (write(c->go_fd, "g", 1) != 1)
		return -1;
	close(c->go_fd);
	c->go_fd = -1;
	do
		n = read(c->exec_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(c->exec_fd);
	c->exec_fd = -1;
	if (n == (ssize_t)sizeof(err)) {
		error_plain("cannot run the -c command: %s", strerror(err));
		waitpid(c->pid, &c->status, 0);
		c->exited = true;
		return -1;
	}
	return 0;
}

/* A command still running when awl stops gets SIGTERM, and SIGKILL if
 * it is still there a second later: awl never hangs on it. */
#define CHILD_GRACE_MS 1000

void child_stop(struct child *c)
{
	if (!c || !c->pid)
		return;
	if (c->go_fd > 0)
		close(c->go_fd);	/* a child never released exits on EOF */
	c->go_fd = -1;
	if (c->exited)
		return;
	if (waitpid(c->pid, &c->status, WNOHANG) == 0) {
		kill(c->pid, SIGTERM);
		for (int ms = 0; ms < CHILD_GRACE_MS; ms += 10) {
			struct timespec ts = { 0, 10 * 1000000 };

			if (waitpid(c->pid, &c->status, WNOHANG) != 0)
				break;
			nanosleep(&ts, NULL);
		}
		if (waitpid(c->pid, &c->status, WNOHANG) == 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &c->status, 0);
		}
	}
	c->exited = true;
}

/* Whether pid has exited: gone, or a zombie its parent has not reaped
 * yet (kill() still succeeds on those). */
static bool process_exited(int pid)
{
	char path[32], *stat, *paren;
	bool gone;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	stat = read_file(path, NULL);
	if (!stat)
		return kill(pid, 0) < 0 && errno == ESRCH;
	/* "pid (comm) S ...": the state follows the last ')' */
	paren = strrchr(stat, ')');
	gone = paren && (paren[1] == ' ') && (paren[2] == 'Z' || paren[2] == 'X');
	free(stat);
	return gone;
}

/* -p PID: like bpftrace, stop once the traced process has exited. */
static void check_traced_process(struct runner *r)
{
	if (r->ro->pid && r->stop == RUNNING && process_exited(r->ro->pid))
		r->stop = STOP_CHILD;
}

static void reap_child(struct runner *r)
{
	struct child *c = r->ro->child;

	if (!c || !c->pid || c->exited)
		return;
	if (waitpid(c->pid, &c->status, WNOHANG) == c->pid) {
		c->exited = true;
		if (r->stop == RUNNING)
			r->stop = STOP_CHILD;
	}
}

/* ---- events ---- */

static void print_time(FILE *out, const char *fmt)
{
	char buf[256];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	if (strftime(buf, sizeof(buf), fmt, &tm))
		fputs(buf, out);
}

static void run_system(struct runner *r, const struct event_desc *ev, const uint8_t *rec)
{
	char *cmd = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&cmd, &len);

	if (!mem)
		return;
	fmt_print(mem, r->u, ev->fmt, ev, rec);
	fclose(mem);
	fflush(r->ro->out);
	if (system(cmd) < 0)
		warn_plain("system(\"%s\") failed: %s", cmd, strerror(errno));
	free(cmd);
}

/* join(): a count, then that many NUL-padded strings. */
static void print_join(FILE *out, const struct event_desc *ev, const uint8_t *rec, int str_size)
{
	int slot = ALIGN_UP(str_size, 8);
	uint64_t n;

	memcpy(&n, rec + EVENT_HDR_SIZE, sizeof(n));
	for (uint64_t i = 0; i < n && i < JOIN_MAX_ARGS; i++) {
		const char *s = (const char *)rec + EVENT_HDR_SIZE + 8 + i * (uint64_t)slot;

		if (i)
			fputs(ev->fmt->pieces[0].text, out);
		fprintf(out, "%.*s", (int)strnlen(s, (size_t)slot), s);
	}
	fputc('\n', out);
}

static int handle_event(void *arg, const void *data, uint32_t size)
{
	struct runner *r = arg;
	struct unit *u = r->u;
	FILE *out = r->ro->out;
	uint64_t id;
	const struct event_desc *ev;
	const uint8_t *rec = data;

	if (size < EVENT_HDR_SIZE)
		return 0;
	memcpy(&id, rec, sizeof(id));
	if (id >= (uint64_t)u->nevents)
		return 0;
	ev = u->events[id];
	if (size < (uint32_t)ev->size)
		return 0;
	switch (ev->kind) {
	case EV_PRINTF:
		fmt_print(out, u, ev->fmt, ev, rec);
		break;
	case EV_PRINT:
		for (int i = 0; i < ev->nargs; i++) {
			if (i)
				fputc(' ', out);
			print_value(out, u, ev->args[i].type, rec + ev->args[i].offset);
		}
		fputc('\n', out);
		break;
	case EV_PRINT_MAP:
		report_map(out, u, ev->map, ev->top, ev->div);
		break;
	case EV_CLEAR:
		map_clear(u, ev->map);
		break;
	case EV_ZERO:
		map_zero(u, ev->map);
		break;
	case EV_TIME:
		print_time(out, ev->fmt->pieces[0].text);
		break;
	case EV_SYSTEM:
		run_system(r, ev, rec);
		break;
	case EV_JOIN:
		print_join(out, ev, rec, r->u->opts->str_size);
		break;
	case EV_EXIT:
		if (ev->nargs) {
			int64_t code;

			memcpy(&code, rec + ev->args[0].offset, sizeof(code));
			r->exit_code = (int)(code & 0xff);
		}
		r->stop = STOP_EXIT;
		return 1;	/* nothing after exit() is printed */
	}
	return 0;
}

static int drop_event(void *arg, const void *data, uint32_t size)
{
	return 0;
}

/* Prints what is left in the buffers; after exit(), drops it: nothing
 * that happened after exit() is printed. */
static void drain(struct runner *r)
{
	if (r->output)
		output_consume(r->output, r->stop == STOP_EXIT ? drop_event : handle_event, r);
	fflush(r->ro->out);
}

/* Records the programs could not send (buffer full). The programs count
 * them as the helpers fail, in both modes; the perf buffer's own LOST
 * records count the same drops again (and may arrive late), so they are
 * not added. */
static uint64_t lost_events(struct runner *r)
{
	struct unit *u = r->u;
	int ncpu = cpus_possible();
	uint64_t *vals, total = 0;
	uint32_t key = 0;

	if (u->lost_kmap < 0)
		return 0;
	vals = xcalloc((size_t)ncpu, sizeof(*vals));
	if (bpf_map_lookup(u->kmaps[u->lost_kmap].fd, &key, vals) == 0)
		for (int i = 0; i < ncpu; i++)
			total += vals[i];
	free(vals);
	return total;
}

/* Updates each keyed map refused because it was full, summed over the
 * CPUs: printed at exit with what raises the limit. */
static void report_refused(struct unit *u)
{
	int ncpu = cpus_possible();
	uint64_t *vals;

	if (u->drops_kmap < 0 || u->kmaps[u->drops_kmap].fd < 0)
		return;
	vals = xcalloc((size_t)ncpu, sizeof(*vals));
	for (int i = 0; i < u->nmaps; i++) {
		struct map_sym *m = u->maps[i];
		uint32_t key = (uint32_t)m->kmap;
		uint64_t total = 0;

		if (!m->key || bpf_map_lookup(u->kmaps[u->drops_kmap].fd, &key, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			total += vals[c];
		if (total)
			fprintf(stderr, "awl: %s is full (%u entries): %llu update%s of new keys dropped "
				"(raise the size with --map-size N or AWL_MAP_SIZE=N)\n",
				m->display, u->kmaps[m->kmap].max_entries, (unsigned long long)total,
				total == 1 ? "" : "s");
	}
	free(vals);
}

static void check_lost(struct runner *r)
{
	uint64_t lost = lost_events(r);

	if (lost <= r->lost_reported)
		return;
	fflush(r->ro->out);
	fprintf(stderr, "awl: %llu event%s lost: the output buffer was full (raise it with AWL_BUFFER_PAGES, now %u pages%s)\n",
		(unsigned long long)(lost - r->lost_reported), lost - r->lost_reported == 1 ? "" : "s",
		r->u->output_pages, r->u->ringbuf ? "" : " per CPU");
	r->lost_reported = lost;
	if (!r->ro->keep_going && r->stop == RUNNING)
		r->stop = STOP_LOST;
}

static void handle_signal(struct runner *r)
{
	struct signalfd_siginfo si;

	while (read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap_child(r);
		else if (r->stop == RUNNING)
			r->stop = STOP_SIGNAL;
	}
}

static void cut_printing_short(int sig)
{
	(void)sig;
	report_interrupted = 1;
}

/* The maps at exit can be long and a serial console slow: a stop signal
 * while they print cuts them short at once (the probes are detached
 * already: what is left is closing). Signals from before the printing
 * are spent: they asked for the stop that led here. An ignored SIGHUP
 * (nohup) stays ignored. */
static void print_final_maps(struct runner *r, FILE *out)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction cut = { .sa_handler = cut_printing_short }, old;
	struct signalfd_siginfo si;
	sigset_t set;

	while (r->sigfd >= 0 && read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(stops); i++) {
		sigaction(stops[i], NULL, &old);
		if (old.sa_handler == SIG_IGN)
			continue;
		sigaction(stops[i], &cut, NULL);	/* no SA_RESTART: a blocked write ends */
		sigaddset(&set, stops[i]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	report_all_maps(out, r->u);
	fflush(out);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (report_interrupted)
		fprintf(stderr, "awl: interrupted: the maps were not all printed\n");
}

void block_stop_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGCHLD);
	sigaddset(mask, SIGPIPE);
	sigprocmask(SIG_BLOCK, mask, NULL);
}

static int setup_loop(struct runner *r, sigset_t *mask)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct unit *u = r->u;

	/* Blocked since before loading (main): a signal that came while
	 * attaching is waiting in the signalfd. */
	block_stop_signals(mask);
	r->sigfd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->sigfd < 0 || r->epfd < 0) {
		error_plain("cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	ev.data.ptr = NULL;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->sigfd, &ev);
	if (u->out_kmap < 0)
		return 0;
	r->output = u->ringbuf ? output_ringbuf_open(u->kmaps[u->out_kmap].fd,
						     u->kmaps[u->out_kmap].max_entries)
			       : output_perf_open(u->kmaps[u->out_kmap].fd, u->output_pages);
	if (!r->output) {
		int err = errno;
		struct strbuf why = { 0 };

		if (err == ENOMEM || err == EPERM || err == EACCES)
			sb_printf(&why, "make %s smaller with AWL_BUFFER_PAGES=N (now %u%s)%s",
				  u->ringbuf ? "it" : "them", u->output_pages, u->ringbuf ? "" : " per CPU",
				  u->ringbuf ? "" : ", or raise kernel.perf_event_mlock_kb");
		else if (!u->ringbuf)
			sys_explain(&why, SYS_PERF_EVENT_OPEN, -err);
		error_plain("cannot map the %s: %s%s%s", u->ringbuf ? "BPF ring buffer" : "perf buffers",
			    strerror(err), why.s ? "; " : "", why.s ? why.s : "");
		free(why.s);
		return -1;
	}
	return output_add_to_epoll(r->output, r->epfd);
}

static void event_loop(struct runner *r)
{
	uint64_t next_tick = monotonic_ns() + TICK_MS * 1000000ull;

	while (r->stop == RUNNING) {
		struct epoll_event evs[8];
		int n = epoll_wait(r->epfd, evs, (int)ARRAY_SIZE(evs), TICK_MS);

		if (n < 0 && errno != EINTR) {
			error_plain("epoll_wait: %s", strerror(errno));
			r->stop = STOP_ERROR;
			break;
		}
		for (int i = 0; i < n; i++)
			if (!evs[i].data.ptr)
				handle_signal(r);
		if (r->output)
			output_consume(r->output, handle_event, r);
		fflush(r->ro->out);
		if (monotonic_ns() >= next_tick) {
			check_lost(r);
			reap_child(r);
			check_traced_process(r);
			next_tick = monotonic_ns() + TICK_MS * 1000000ull;
		}
	}
}

static int count_attached(const struct unit *u)
{
	int n = 0;

	for (int i = 0; i < u->naps; i++)
		n += !u->aps[i]->provider->run_by_loader || u->aps[i]->provider == &provider_begin ||
		     u->aps[i]->provider == &provider_end;
	return n;
}

int run_unit(struct unit *u, const struct run_opts *ro)
{
	struct runner r = { .u = u, .ro = ro, .epfd = -1, .sigfd = -1 };
	sigset_t mask;
	int status = 0;

	if (setup_loop(&r, &mask)) {
		status = 2;
		goto out;
	}
	if (!ro->quiet) {
		int n = count_attached(u);

		fprintf(stderr, "Attaching %d probe%s...\n", n, n == 1 ? "" : "s");
	}
	if (run_loader_probes(u, &provider_begin)) {
		status = 2;
		goto out;
	}
	drain(&r);
	if (r.stop == RUNNING) {
		if (attach_all(u)) {
			status = 2;
			goto out;
		}
		if (ro->child && child_release(ro->child)) {
			status = 2;
			goto out_detach;
		}
		handle_signal(&r);
		event_loop(&r);
	}
out_detach:
	detach_all(u);
	drain(&r);
	/* an exit() met in that drain stopped it: drop what followed */
	if (r.stop == STOP_EXIT)
		drain(&r);
	if (status == 0 && r.stop != STOP_ERROR && u->has_end) {
		enum stop_reason why = r.stop;

		r.stop = RUNNING;	/* END's own output is printed */
		if (run_loader_probes(u, &provider_end))
			status = 2;
		drain(&r);
		if (r.stop == RUNNING)
			r.stop = why;
	}
	check_lost(&r);
	if (status == 0)
		print_final_maps(&r, ro->out);
	fflush(ro->out);
	report_refused(u);
	if (status == 0) {
		if (r.stop == STOP_EXIT)
			status = r.exit_code;
		else if (r.stop == STOP_LOST || r.stop == STOP_ERROR ||
			 (r.lost_reported && !ro->keep_going))
			status = 2;
	}
out:
	output_close(r.output);
	if (r.epfd >= 0)
		close(r.epfd);
	if (r.sigfd >= 0)
		close(r.sigfd);
	child_stop(ro->child);
	release_all(u);
	/* Signals stay blocked: one more Ctrl-C while awl finishes must not
	 * kill it with its work half done. */
	return status;
}

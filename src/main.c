/* awl: the command line, and the pipeline in order:
 * parse -> check -> generate -> load -> attach -> run -> report. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "awl/check.h"
#include "awl/dynprobe.h"
#include "awl/gen.h"
#include "awl/load.h"
#include "awl/parse.h"
#include "awl/provider.h"
#include "awl/run.h"
#include "awl/selftest.h"
#include "awl/sys.h"

#define DEFAULT_STR_SIZE 64
#define DEFAULT_MAP_ENTRIES 4096

static const char usage_text[] =
	"usage: awl [options] PROGRAM [ARG...]\n"
	"       awl [options] FILE [ARG...]\n"
	"       awl [options] -e PROGRAM [ARG...]\n"
	"       awl -l [GLOB]\n"
	"\n"
	"Traces the kernel with BPF: compiles a bpftrace (or ply) script,\n"
	"attaches it, prints what it gathers. ARGs are $1, $2, ...\n"
	"\n"
	"options:\n"
	"  -e PROGRAM      the program text\n"
	"  -c CMD          run CMD once probes are attached; stop when it exits\n"
	"  -p PID          trace only process PID\n"
	"  -l [GLOB]       list probes (with -v: tracepoint fields)\n"
	"  -v              verbose listing\n"
	"  -d, --dump      print the syntax tree, types and BPF code\n"
	"  -n, --dry-run   compile only: nothing is loaded\n"
	"  -k              keep going when events are lost\n"
	"  -u              unbuffered output\n"
	"  -q              quiet: no \"Attaching\" line\n"
	"  -o FILE         write output to FILE\n"
	"  -T, --self-test check the kernel features awl needs\n"
	"  --arch ARCH     generate code for ARCH (with --dry-run)\n"
	"  --perf-buffer   send events through perf buffers, not the ring buffer\n"
	"  --map-size N    entries of each keyed map (default 4096)\n"
	"  --unsafe        allow system() and signal()\n"
	"  --dump-arch     print the arch's registers and pt_regs offsets\n"
	"  -V, --version   print the version\n"
	"  -h, --help      this help\n"
	"\n"
	"environment: AWL_OUTPUT=perf|ringbuf, AWL_BUFFER_PAGES=N, AWL_STRLEN=N,\n"
	"AWL_MAP_SIZE=N, AWL_TRACEFS=DIR\n";

enum {
	OPT_ARCH = 256, OPT_UNSAFE, OPT_PERF_BUFFER, OPT_RINGBUF, OPT_DUMP_ARCH, OPT_MAP_SIZE,
};

static const struct option long_opts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "dump", no_argument, NULL, 'd' },
	{ "self-test", no_argument, NULL, 'T' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "unsafe", no_argument, NULL, OPT_UNSAFE },
	{ "perf-buffer", no_argument, NULL, OPT_PERF_BUFFER },
	{ "ring-buffer", no_argument, NULL, OPT_RINGBUF },
	{ "dump-arch", no_argument, NULL, OPT_DUMP_ARCH },
	{ "map-size", required_argument, NULL, OPT_MAP_SIZE },
	{ NULL, 0, NULL, 0 },
};

struct cmdline {
	struct awl_opts opts;
	const char *program;	/* -e */
	const char *cmd;	/* -c */
	const char *outfile;	/* -o */
	bool list, verbose, quiet, keep_going, unbuffered, selftest, dump_arch;
	char **rest;
	int nrest;
};

static int env_int(const char *name, int dflt, int lo, int hi)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return dflt;
	n = strtol(v, &end, 0);
	if (*end || n < lo || n > hi) {
		warn_plain("ignoring %s=%s: not a number from %d to %d", name, v, lo, hi);
		return dflt;
	}
	return (int)n;
}

static int parse_pid(const char *s)
{
	char *end;
	long pid = strtol(s, &end, 10);

	if (*end || pid <= 0 || pid > 0x3fffffff) {
		error_plain("-p needs a process id, not '%s'", s);
		return -1;
	}
	if (kill((pid_t)pid, 0) && errno == ESRCH) {
		error_plain("no process with pid %ld", pid);
		return -1;
	}
	return (int)pid;
}

/* -o FILE, created or truncated. A symbolic link there is refused: as
 * root, writing through a link planted in a shared directory (/tmp)
 * would overwrite whatever it points at. /dev and /proc links
 * (/dev/stdout, a console) are the system's own and are followed. */
static FILE *open_output(const char *path)
{
	bool system_link = !strncmp(path, "/dev/", 5) || !strncmp(path, "/proc/", 6);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (system_link ? 0 : O_NOFOLLOW),
		      0644);
	FILE *f;

	if (fd < 0) {
		if (errno == ELOOP)
			error_plain("cannot write %s: it is a symbolic link, which awl does not follow "
				    "(name the file it points to)", path);
		else
			error_plain("cannot write %s: %s", path, strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		error_plain("cannot write %s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

/* Returns -1 to exit with status 0 (help, version), 1 or 2 on errors. */
static int parse_cmdline(int argc, char **argv, struct cmdline *cl)
{
	int c;
	const char *out_env = getenv("AWL_OUTPUT");

	cl->opts.str_size = env_int("AWL_STRLEN", DEFAULT_STR_SIZE, 1, 256);
	cl->opts.map_entries = (uint32_t)env_int("AWL_MAP_SIZE", DEFAULT_MAP_ENTRIES, 1, 1 << 24);
	cl->opts.output_pages = (uint32_t)env_int("AWL_BUFFER_PAGES", 0, 0, 1 << 16);
	if (out_env && !strcmp(out_env, "perf"))
		cl->opts.output = OUTPUT_PERFBUF;
	else if (out_env && !strcmp(out_env, "ringbuf"))
		cl->opts.output = OUTPUT_RINGBUF;
	/* '+': options end at the program, so its arguments may start with '-'. */
	while ((c = getopt_long(argc, argv, "+e:c:p:lvdnkuqo:TVh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'e': cl->program = optarg; break;
		case 'c': cl->cmd = optarg; break;
		case 'p':
			cl->opts.pid = parse_pid(optarg);
			if (cl->opts.pid < 0)
				return 2;
			break;
		case 'l': cl->list = true; break;
		case 'v': cl->verbose = true; break;
		case 'd': cl->opts.dump = true; break;
		case 'n': cl->opts.dry_run = true; break;
		case 'k': cl->keep_going = true; break;
		case 'u': cl->unbuffered = true; break;
		case 'q': cl->quiet = true; break;
		case 'o': cl->outfile = optarg; break;
		case 'T': cl->selftest = true; break;
		case 'V':
			printf("awl %s\n", PACKAGE_VERSION);
			return -1;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case OPT_ARCH:
			cl->opts.arch = arch_find(optarg);
			if (!cl->opts.arch) {
				error_plain("unknown arch '%s'; known:", optarg);
				arch_list(stderr);
				return 2;
			}
			break;
		case OPT_UNSAFE: cl->opts.unsafe = true; break;
		case OPT_PERF_BUFFER: cl->opts.output = OUTPUT_PERFBUF; break;
		case OPT_RINGBUF: cl->opts.output = OUTPUT_RINGBUF; break;
		case OPT_DUMP_ARCH: cl->dump_arch = true; break;
		case OPT_MAP_SIZE: {
			char *end;
			long n = strtol(optarg, &end, 0);

			if (*end || n < 1 || n > 1 << 24) {
				error_plain("--map-size needs a number of entries from 1 to %d, not '%s'",
					    1 << 24, optarg);
				return 2;
			}
			cl->opts.map_entries = (uint32_t)n;
			break;
		}
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	cl->rest = argv + optind;
	cl->nrest = argc - optind;
	if (cl->opts.arch && cl->opts.arch != arch_native() && !cl->opts.dry_run && !cl->list &&
	    !cl->dump_arch) {
		error_plain("--arch %s generates code for another machine: use it with --dry-run",
			    cl->opts.arch->name);
		return 2;
	}
	if (!cl->opts.arch)
		cl->opts.arch = arch_native();
	return 0;
}

/* The script: -e's text, else the first argument, a file if one exists
 * by that name (ply style), else program text. */
static int load_source(struct cmdline *cl, struct source *src, char **owned)
{
	const char *arg;
	struct stat st;

	*owned = NULL;
	if (cl->program) {
		src->name = "-e";
		src->text = cl->program;
		src->len = strlen(cl->program);
		return 0;
	}
	if (cl->nrest == 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	arg = cl->rest[0];
	cl->rest++;
	cl->nrest--;
	if (stat(arg, &st) == 0 && S_ISREG(st.st_mode)) {
		size_t len;

		*owned = read_file(arg, &len);
		if (!*owned) {
			error_plain("cannot read %s: %s", arg, strerror(errno));
			return 2;
		}
		if (memchr(*owned, '\0', len))
			len = strlen(*owned);	/* a NUL ends a script */
		src->name = arg;
		src->text = *owned;
		src->len = len;
		return 0;
	}
	if (!strpbrk(arg, "{:") && !strchr(arg, ' ')) {
		error_plain("no such file '%s' (and it is not a program either)", arg);
		return 2;
	}
	src->name = "-e";
	src->text = arg;
	src->len = strlen(arg);
	return 0;
}

static void dump_unit(struct unit *u)
{
	const char *names[u->nkmaps ? u->nkmaps : 1];
	char key[96], val[96];

	puts("-- syntax tree and types");
	ast_dump(stdout, u->prog);
	puts("-- maps");
	for (int i = 0; i < u->nmaps; i++) {
		struct map_sym *m = u->maps[i];

		printf("%s: key %s, value %s\n", m->display,
		       m->key ? type_name(m->key, key, sizeof(key)) : "none",
		       type_name(m->val, val, sizeof(val)));
	}
	for (int i = 0; i < u->nkmaps; i++)
		names[i] = u->kmaps[i].name;
	for (int i = 0; i < u->nmaps; i++)	/* the script's own names */
		names[u->maps[i]->kmap] = u->maps[i]->display;
	for (int i = 0; i < u->nprogs; i++) {
		struct bpf_program *bp = u->progs[i];

		printf("-- program %s for %s%s (%d instructions, %d bytes of stack)\n", bp->name,
		       bp->aps[0]->name, bp->naps > 1 ? " and others" : "", bp->ninsns, bp->stack_size);
		insn_dump(stdout, bp->insns, bp->ninsns, names, u->nkmaps);
	}
	fflush(stdout);
}

/* What a probe needs of tracefs, found from its spec before the checker
 * runs (it reads tracefs itself). */
enum tracefs_use { TRACEFS_NONE, TRACEFS_READ, TRACEFS_WRITE };

static enum tracefs_use tracefs_use_of(const struct probe_spec *spec)
{
	char type[32];
	size_t n = strcspn(spec->text, ":");
	const struct provider *p;

	if (n >= sizeof(type))
		return TRACEFS_NONE;
	memcpy(type, spec->text, n);
	type[n] = '\0';
	p = provider_find(type);
	if (p == &provider_tracepoint)
		return TRACEFS_READ;
	if (p == &provider_kprobe || p == &provider_kretprobe)
		return dynprobe_via_tracefs(DYN_KPROBE) ? TRACEFS_WRITE :
		       glob_has_magic(spec->text) ? TRACEFS_READ : TRACEFS_NONE;
	if (p == &provider_uprobe || p == &provider_uretprobe)
		return dynprobe_via_tracefs(DYN_UPROBE) ? TRACEFS_WRITE : TRACEFS_NONE;
	return TRACEFS_NONE;
}

/* Before anything is loaded: what tracing with this script needs that
 * the process lacks, by its capabilities (CapEff) and, for the probes
 * made through tracefs, its access to tracefs. Returns 0, or 2 after
 * naming what is missing and how to get it. */
static int check_privileges(const struct program *prog)
{
	const char *caps = sys_missing_tracing_caps(), *tracefs = "/sys/kernel/tracing";
	const struct probe_spec *reader = NULL, *writer = NULL;
	struct strbuf lacks = { 0 }, setcap = { 0 };
	bool root = geteuid() == 0, dac = root || sys_has_cap(AWL_CAP_DAC_OVERRIDE);
	struct stat st;
	char exe[512];
	ssize_t len;

	for (int i = 0; i < prog->nprobes; i++) {
		for (int j = 0; j < prog->probes[i]->nspecs; j++) {
			const struct probe_spec *spec = &prog->probes[i]->specs[j];
			enum tracefs_use use = tracefs_use_of(spec);

			if (use != TRACEFS_NONE && !reader)
				reader = spec;
			if (use == TRACEFS_WRITE && !writer)
				writer = spec;
		}
	}
	if (caps) {
		sb_printf(&lacks, "%s, to load and attach tracing programs", caps);
		sb_puts(&setcap, strcmp(caps, "CAP_SYS_ADMIN") ? "cap_bpf,cap_perfmon" : "cap_sys_admin");
	}
	if (reader && !getenv("AWL_TRACEFS") && stat("/sys/kernel/tracing/events", &st) != 0) {
		if (errno == EACCES && !dac) {
			sb_printf(&lacks, "%saccess to tracefs (%s is root's), which %s needs",
				  lacks.s ? "; " : "", tracefs, reader->text);
			sb_printf(&setcap, "%scap_dac_override", setcap.s ? "," : "");
			writer = NULL;	/* said */
		} else if (errno != EACCES && stat("/sys/kernel/debug/tracing/events", &st) != 0 &&
			   errno != EACCES && !sys_has_cap(AWL_CAP_SYS_ADMIN)) {
			sb_printf(&lacks, "%sCAP_SYS_ADMIN, to mount tracefs (it is not mounted), which %s needs",
				  lacks.s ? "; " : "", reader->text);
			if (!caps || strcmp(caps, "CAP_SYS_ADMIN"))
				sb_printf(&setcap, "%scap_sys_admin", setcap.s ? "," : "");
		}
	}
	if (writer && !dac) {
		sb_printf(&lacks, "%swrite access to tracefs's kprobe_events and uprobe_events (only root may write them), which %s needs",
			  lacks.s ? "; " : "", writer->text);
		sb_printf(&setcap, "%scap_dac_override", setcap.s ? "," : "");
	}
	if (!lacks.s)
		return 0;
	error_plain("awl cannot trace as uid %d: this process lacks %s", (int)geteuid(), lacks.s);
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[len > 0 ? len : 0] = '\0';
	if (root)
		note_at((struct loc){ 0, 0 }, "this root runs with a reduced capability set (a container, capsh, setpriv): give it those capabilities back; --dry-run compiles without them");
	else
		note_at((struct loc){ 0, 0 }, "run awl as root (sudo), or give it the capabilities (setcap %s+ep %s); --dry-run compiles without them",
			setcap.s, exe[0] ? exe : "awl");
	if (caps)
		note_at((struct loc){ 0, 0 }, "no sysctl stands in for %s: loading tracing programs takes them whatever kernel.unprivileged_bpf_disabled (%d here) and kernel.perf_event_paranoid (%d here) say",
			caps, sys_sysctl("unprivileged_bpf_disabled", 0), sys_sysctl("perf_event_paranoid", 2));
	free(lacks.s);
	free(setcap.s);
	return 2;
}

static int compile_and_run(struct cmdline *cl)
{
	struct source src;
	char *text;
	struct parse_opts popts = { cl->rest, cl->nrest };
	struct program *prog;
	struct unit *u = NULL;
	struct child child = { 0 };
	FILE *out = stdout;
	sigset_t stop_signals;
	int status = load_source(cl, &src, &text);

	if (status)
		return status;
	popts.params = cl->rest;
	popts.nparams = cl->nrest;
	cl->opts.params = cl->rest;
	cl->opts.nparams = cl->nrest;
	diag_set_source(&src);
	prog = parse_program(&src, &popts);
	if (diag_error_count()) {
		status = 1;
		goto out;
	}
	if (!cl->opts.dry_run && check_privileges(prog)) {
		status = 2;
		goto out;
	}
	if (cl->cmd && !cl->opts.dry_run) {
		if (child_spawn(&child, cl->cmd)) {
			status = 2;
			goto out;
		}
		cl->opts.cpid = child.pid;
	}
	u = unit_new(prog, &cl->opts);
	if (check_unit(u)) {
		status = diag_had_setup_error() ? 2 : 1;
		goto out;
	}
	load_prepare(u);
	if (gen_unit(u)) {
		status = 1;
		goto out;
	}
	if (cl->opts.dump)
		dump_unit(u);
	if (cl->opts.dry_run)
		goto out;
	if (cl->outfile) {
		out = open_output(cl->outfile);
		if (!out) {
			out = stdout;
			status = 2;
			goto out;
		}
	}
	if (cl->unbuffered)
		setvbuf(out, NULL, _IONBF, 0);
	block_stop_signals(&stop_signals);
	status = load_unit(u);
	if (!status) {
		struct run_opts ro = { out, cl->quiet, cl->keep_going, cl->cmd ? &child : NULL,
				       cl->opts.pid };

		status = run_unit(u, &ro);
	}
out:
	child_stop(&child);
	if (out != stdout)
		fclose(out);
	unit_free(u);
	program_free(prog);
	types_free_all();
	free(text);
	return status;
}

int main(int argc, char **argv)
{
	struct cmdline cl;
	int status;

	/* awl runs as root: installed set-user-ID it would hand root's power
	 * to whoever runs it, scripts with system() included */
	if (getuid() != geteuid() || getgid() != getegid()) {
		error_plain("awl refuses to run set-user-ID or set-group-ID (remove the bit: "
			    "chmod u-s,g-s %s); to let a user trace, give the binary capabilities: "
			    "setcap cap_bpf,cap_perfmon+ep %s", argv[0], argv[0]);
		return 2;
	}
	/* A shell starts background commands with SIGINT ignored, and an
	 * ignored signal never reaches the signalfd the run loop reads:
	 * `awl ... & kill -INT $!` must still stop awl. Until the stop
	 * signals are blocked (nothing is loaded yet) they end awl at once.
	 * An ignored SIGHUP is nohup's: kept. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	memset(&cl, 0, sizeof(cl));
	status = parse_cmdline(argc, argv, &cl);
	if (status)
		return status < 0 ? 0 : status;
	if (cl.selftest)
		return selftest(stdout);
	if (cl.dump_arch) {
		arch_dump(cl.opts.arch, stdout);
		return 0;
	}
	if (cl.list) {
		return provider_list_all(cl.nrest ? cl.rest[0] : NULL, cl.verbose, stdout) ? 2 : 0;
	}
	return compile_and_run(&cl);
}

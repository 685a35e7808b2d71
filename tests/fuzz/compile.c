/* Fuzz target "compile": the whole compiler, front to back, as
 * `awl --dry-run` runs it: lex, parse, check (probes expanded), prepare
 * the maps and generate BPF code, for one of the four arches. Nothing
 * is loaded into the kernel.
 *
 * Input: one configuration byte, then the script (a NUL ends it, as in
 * a script file). The byte's bits:
 *   0-1  the arch: x86_64, aarch64, arm, riscv64
 *   2    --perf-buffer (else the ring buffer)
 *   3    --unsafe
 *   4    -p PID (this process: uprobes resolve through /proc/PID)
 *   5    positional parameters $1..$4 are given
 *   6    --dump: the syntax tree and the code printed (to /dev/null)
 *   7    AWL_STRLEN=16 (else 64)
 *
 * Tracepoints come from a fake tracefs tree (AWL_TRACEFS) made once per
 * process from fixture.h, so the real tracefs is never read; fentry
 * reads the host's BTF and uprobes the host's files, read-only, as a
 * dry run does. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awl/check.h"
#include "awl/diag.h"
#include "awl/gen.h"
#include "awl/insn.h"
#include "awl/load.h"
#include "awl/parse.h"
#include "awl/type.h"
#include "awl/unit.h"

#include "fuzz.h"
#include "fixture.h"

/* Formats beyond the real ones: those of tests/tracefs.bats. */
static const struct fixture_format extra_formats[] = {
	{ "fake", "fake_event",
	  "name: fake_event\nID: 99999\nformat:\n"
	  "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	  "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	  "\tfield:int value;\toffset:8;\tsize:4;\tsigned:1;\n"
	  "\tfield:char name[16];\toffset:12;\tsize:16;\tsigned:0;\n\n"
	  "print fmt: \"value=%d\", REC->value\n" },
	{ "bad", "half",
	  "name: half\nID: 5\nformat:\n\tfield:int good;\toffset:8;\tsize:4;\tsigned:1;\n"
	  "\tfield:\xff\xfe junk\n\tfield:int;offset:;size:\n" },
	{ "bad", "empty", "" },
	{ "fake", "rel_loc",
	  "name: rel_loc\nID: 7\nformat:\n"
	  "\tfield:__rel_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;\n"
	  "\tfield:__data_loc u16[] ids;\toffset:12;\tsize:4;\tsigned:0;\n"
	  "\tfield:u32 vals[];\toffset:16;\tsize:0;\tsigned:0;\n"
	  "\tfield:u8 raw[3];\toffset:16;\tsize:3;\tsigned:0;\n"
	  "\tfield:long long big;\toffset:24;\tsize:8;\tsigned:1;\n"
	  "\tfield:struct foo blob;\toffset:32;\tsize:24;\tsigned:0;\n"
	  "\tfield:const char *const * argv;\toffset:56;\tsize:8;\tsigned:0;\n"
	  "\tfield:pid_t pids[4];\toffset:64;\tsize:16;\tsigned:1;\n" },
};

static char fixture_dir[4096];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void remove_fixture(void)
{
	if (fixture_dir[0])
		nftw(fixture_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) == EOF || fclose(f)) {
		fprintf(stderr, "compile fuzzer: cannot write %s: %s\n", path, strerror(errno));
		abort();
	}
}

static void add_format(const struct fixture_format *ff)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/events/%s", fixture_dir, ff->cat);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/%s/%s", fixture_dir, ff->cat, ff->name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", fixture_dir, ff->cat, ff->name);
	write_text(path, ff->text);
}

/* The fake tracefs: events/CAT/NAME/format and available_filter_functions. */
static void make_fixture(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[8192];

	snprintf(fixture_dir, sizeof(fixture_dir), "%s/awl-fuzz-tracefs.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fixture_dir)) {
		fprintf(stderr, "compile fuzzer: cannot make %s: %s\n", fixture_dir, strerror(errno));
		abort();
	}
	atexit(remove_fixture);
	snprintf(path, sizeof(path), "%s/events", fixture_dir);
	mkdir(path, 0755);
	for (size_t i = 0; i < ARRAY_SIZE(fixture_formats); i++)
		add_format(&fixture_formats[i]);
	for (size_t i = 0; i < ARRAY_SIZE(extra_formats); i++)
		add_format(&extra_formats[i]);
	/* category control files, which are not events */
	snprintf(path, sizeof(path), "%s/events/syscalls/enable", fixture_dir);
	write_text(path, "0\n");
	snprintf(path, sizeof(path), "%s/events/syscalls/filter", fixture_dir);
	write_text(path, "none\n");
	snprintf(path, sizeof(path), "%s/available_filter_functions", fixture_dir);
	write_text(path, fixture_functions);
	setenv("AWL_TRACEFS", fixture_dir, 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet_stderr();
	make_fixture();
	return 0;
}

/* What `awl --dump` prints, to /dev/null: the printers run on every
 * tree and program. */
static void dump_unit(struct unit *u)
{
	FILE *out = fuzz_devnull();
	const char **names = calloc((size_t)(u->nkmaps ? u->nkmaps : 1), sizeof(*names));
	char key[96], val[96];

	ast_dump(out, u->prog);
	for (int i = 0; i < u->nmaps; i++) {
		struct map_sym *m = u->maps[i];

		fprintf(out, "%s: key %s, value %s\n", m->display,
			m->key ? type_name(m->key, key, sizeof(key)) : "none",
			type_name(m->val, val, sizeof(val)));
	}
	for (int i = 0; i < u->nkmaps; i++)
		names[i] = u->kmaps[i].name;
	for (int i = 0; i < u->nmaps; i++)
		names[u->maps[i]->kmap] = u->maps[i]->display;
	for (int i = 0; i < u->nprogs; i++)
		insn_dump(out, u->progs[i]->insns, u->progs[i]->ninsns, names, u->nkmaps);
	free(names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct arch *const arches[] = {
		&arch_x86_64, &arch_aarch64, &arch_arm, &arch_riscv64,
	};
	static char *params[] = { "42", "hello", "-1", "0x10" };
	struct awl_opts opts;
	struct parse_opts popts;
	struct source src;
	struct program *prog;
	struct unit *u = NULL;
	uint8_t cfg;
	char *text;

	fuzz_selftest(data, size);
	if (!fixture_dir[0])	/* replay.c calls LLVMFuzzerInitialize too; in case not */
		LLVMFuzzerInitialize(NULL, NULL);
	if (size < 1)
		return 0;
	cfg = data[0];
	text = fuzz_cstring(data + 1, size - 1);

	memset(&opts, 0, sizeof(opts));
	opts.arch = arches[cfg & 3];
	opts.dry_run = true;
	opts.output = cfg & 4 ? OUTPUT_PERFBUF : OUTPUT_AUTO;
	opts.unsafe = cfg & 8;
	opts.pid = cfg & 16 ? (int)getpid() : 0;
	opts.params = cfg & 32 ? params : NULL;
	opts.nparams = cfg & 32 ? (int)ARRAY_SIZE(params) : 0;
	opts.dump = cfg & 64;
	opts.str_size = cfg & 128 ? 16 : 64;
	opts.map_entries = 4096;
	popts.params = opts.params;
	popts.nparams = opts.nparams;

	src.name = "fuzz";
	src.text = text;
	src.len = strlen(text);		/* a NUL ends a script */

	diag_reset();
	diag_set_source(&src);
	prog = parse_program(&src, &popts);
	if (!diag_error_count()) {
		u = unit_new(prog, &opts);
		if (!check_unit(u)) {
			load_prepare(u);
			if (!gen_unit(u) && opts.dump)
				dump_unit(u);
		}
	}
	unit_free(u);
	program_free(prog);
	types_free_all();
	diag_reset();
	free(text);
	return 0;
}

/* tracefs: finding (or mounting) it, listing tracepoints, parsing their formats. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awl/diag.h"
#include "awl/tracefs.h"

#define TRACEFS_MNT "/sys/kernel/tracing"
#define DEBUGFS_MNT "/sys/kernel/debug"
#define DEBUGFS_TRACING DEBUGFS_MNT "/tracing"

/* Limits against hostile format text (the parser is fuzzed): real
 * events have a few dozen fields with short names in records of at most
 * a page. */
#define MAX_FIELDS 512
#define MAX_NAME 128
#define MAX_OFFSET (1 << 20)

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_events(const char *dir)
{
	char *events = xasprintf("%s/events", dir);
	bool ok = is_dir(events);

	free(events);
	return ok;
}

/* Returns 0 if tracefs is usable at `where` after mounting, else the errno. */
static int try_mount(const char *source, const char *target, const char *fstype,
		     const char *where)
{
	if (mount(source, target, fstype, 0, NULL) != 0)
		return errno;
	return has_events(where) ? 0 : ENOENT;
}

static void explain_missing(int tracefs_err, int debugfs_err)
{
	diag_setup_error();
	const char *how = "mount it with 'mount -t tracefs nodev " TRACEFS_MNT "'";

	if (tracefs_err == EPERM || tracefs_err == EACCES) {
		if (geteuid() != 0)
			error_plain("tracefs is not mounted and could not be mounted (not root): "
				    "run awl as root, or %s", how);
		else
			error_plain("tracefs is not mounted and could not be mounted (%s; a "
				    "container without CAP_SYS_ADMIN?): %s from outside",
				    strerror(tracefs_err), how);
	} else if (!is_dir("/sys/kernel")) {
		error_plain("tracefs is not mounted and could not be mounted (/sys is not "
			    "mounted): mount it with 'mount -t sysfs sysfs /sys'");
	} else if (tracefs_err == ENODEV || tracefs_err == ENOENT) {
		/* ENOENT: the kernel creates the mount point only when it has tracefs. */
		error_plain("tracefs is not mounted and could not be mounted (this kernel "
			    "has no tracefs: %s; debugfs: %s): the kernel needs CONFIG_TRACING "
			    "(CONFIG_FTRACE) with CONFIG_EVENT_TRACING",
			    strerror(tracefs_err), strerror(debugfs_err));
	} else {
		error_plain("tracefs is not mounted and could not be mounted (%s): run as "
			    "root, or %s; the kernel needs CONFIG_TRACING (CONFIG_FTRACE)",
			    strerror(tracefs_err), how);
	}
}

static const char *find_tracefs(void)
{
	const char *env = getenv("AWL_TRACEFS");
	int tracefs_err, debugfs_err;

	if (env && *env)
		return env;
	if (has_events(TRACEFS_MNT))
		return TRACEFS_MNT;
	if (has_events(DEBUGFS_TRACING))
		return DEBUGFS_TRACING;
	if (access(TRACEFS_MNT, F_OK) == 0 && access(TRACEFS_MNT, X_OK) != 0 && errno == EACCES) {
		/* mounted, but root's only (mode 700) */
		error_plain("tracefs at %s is readable by root only: run awl as root", TRACEFS_MNT);
		diag_setup_error();
		return NULL;
	}
	/* Embedded systems often boot without either mounted. Non-root
	 * callers with CAP_SYS_ADMIN may mount too, so just try. */
	tracefs_err = try_mount("nodev", TRACEFS_MNT, "tracefs", TRACEFS_MNT);
	if (!tracefs_err)
		return TRACEFS_MNT;
	/* Kernels before 4.1 have tracefs only inside debugfs. */
	debugfs_err = try_mount("debugfs", DEBUGFS_MNT, "debugfs", DEBUGFS_TRACING);
	if (!debugfs_err)
		return DEBUGFS_TRACING;
	explain_missing(tracefs_err, debugfs_err);
	return NULL;
}

const char *tracefs_dir(void)
{
	static const char *dir;
	static bool tried;

	if (!tried) {
		dir = find_tracefs();
		tried = true;
	}
	return dir;
}

/* A category or event name given plainly must not walk out of events/. */
static bool plain_name_ok(const char *name)
{
	return *name && *name != '.' && !strchr(name, '/');
}

static bool entry_is_dir(int dirfd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return fstatat(dirfd, de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

struct name_list {
	char **items;
	int n, cap;
};

/* Subdirectories of `path` matching `glob`; a plain glob is looked up
 * directly, which saves reading large directories. */
static void list_subdirs(const char *path, const char *glob, struct name_list *out)
{
	DIR *d;
	struct dirent *de;

	if (!glob_has_magic(glob)) {
		char *sub;

		if (!plain_name_ok(glob))
			return;
		sub = xasprintf("%s/%s", path, glob);
		if (is_dir(sub))
			VEC_PUSH(out->items, out->n, out->cap, xstrdup(glob));
		free(sub);
		return;
	}
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		/* Per-category control files, not events. */
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "enable") ||
		    !strcmp(de->d_name, "filter"))
			continue;
		if (fnmatch(glob, de->d_name, 0) == 0 && entry_is_dir(dirfd(d), de))
			VEC_PUSH(out->items, out->n, out->cap, xstrdup(de->d_name));
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tracefs_events(const char *cat_glob, const char *name_glob, char ***out)
{
	const char *dir = tracefs_dir();
	struct name_list cats = { 0 }, found = { 0 };
	char *events;

	*out = NULL;
	if (!dir)
		return -1;
	events = xasprintf("%s/events", dir);
	list_subdirs(events, cat_glob, &cats);
	for (int i = 0; i < cats.n; i++) {
		struct name_list names = { 0 };
		char *cat_dir = xasprintf("%s/%s", events, cats.items[i]);

		list_subdirs(cat_dir, name_glob, &names);
		for (int j = 0; j < names.n; j++) {
			VEC_PUSH(found.items, found.n, found.cap,
				 xasprintf("%s:%s", cats.items[i], names.items[j]));
			free(names.items[j]);
		}
		free(names.items);
		free(cat_dir);
		free(cats.items[i]);
	}
	free(cats.items);
	free(events);
	if (found.n)
		qsort(found.items, (size_t)found.n, sizeof(*found.items), cmp_str);
	VEC_PUSH(found.items, found.n, found.cap, NULL);
	*out = found.items;
	return found.n - 1;
}

int tracefs_read_format(const char *cat, const char *name, int word_size, long *id,
			struct type **args)
{
	const char *dir = tracefs_dir();
	char *path, *text;
	struct type *t;

	if (!dir)
		return -ENODEV;
	if (!plain_name_ok(cat) || !plain_name_ok(name))
		return -ENOENT;
	path = xasprintf("%s/events/%s/%s/format", dir, cat, name);
	text = read_file(path, NULL);
	free(path);
	if (!text)
		return errno ? -errno : -EIO;
	t = tp_format_parse(text, word_size, !strcmp(cat, "syscalls"), id);
	free(text);
	if (!t)
		return -EINVAL;
	if (!t->name)
		t->name = xstrdup(name);
	*args = t;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* A span of text that is not NUL-terminated: lines are parsed in place. */
struct span {
	const char *s;
	size_t len;
};

static struct span trim(struct span sp)
{
	while (sp.len && is_space(*sp.s)) {
		sp.s++;
		sp.len--;
	}
	while (sp.len && is_space(sp.s[sp.len - 1]))
		sp.len--;
	return sp;
}

static bool starts_with(struct span sp, const char *prefix)
{
	size_t n = strlen(prefix);

	return sp.len >= n && !memcmp(sp.s, prefix, n);
}

static struct span skip(struct span sp, size_t n)
{
	return (struct span){ sp.s + n, sp.len - n };
}

static bool span_eq(struct span sp, const char *s)
{
	return sp.len == strlen(s) && !memcmp(sp.s, s, sp.len);
}

/* A decimal in [0, max]; false if not one. */
static bool parse_uint(struct span sp, int max, int *out)
{
	long v = 0;

	sp = trim(sp);
	if (!sp.len)
		return false;
	for (size_t i = 0; i < sp.len; i++) {
		if (sp.s[i] < '0' || sp.s[i] > '9')
			return false;
		v = v * 10 + (sp.s[i] - '0');
		if (v > max)
			return false;
	}
	*out = (int)v;
	return true;
}

/* Splits off the text up to `sep` (or the end) from *rest. */
static struct span cut(struct span *rest, char sep)
{
	const char *end = memchr(rest->s, sep, rest->len);
	struct span head = { rest->s, end ? (size_t)(end - rest->s) : rest->len };

	*rest = end ? skip(*rest, head.len + 1) : skip(*rest, rest->len);
	return head;
}

/* "offset:8;\tsize:4;\tsigned:1;" */
static bool parse_layout(struct span rest, int *offset, int *size, bool *is_signed)
{
	bool have_offset = false, have_size = false;
	int sign = 0;

	*is_signed = false;
	while (rest.len) {
		struct span item = trim(cut(&rest, ';'));
		struct span key = trim(cut(&item, ':'));

		if (span_eq(key, "offset"))
			have_offset = parse_uint(item, MAX_OFFSET, offset);
		else if (span_eq(key, "size"))
			have_size = parse_uint(item, MAX_OFFSET, size);
		else if (span_eq(key, "signed") && parse_uint(item, 1, &sign))
			*is_signed = sign;	/* old kernels have no signed: column */
	}
	return have_offset && have_size;
}

/* What a field declaration ("const char * filename", "char comm[16]",
 * "__data_loc char[] name") says beyond the size and sign columns. */
struct decl {
	struct span name;
	char base[64];		/* element C type without qualifiers or '*' */
	int stars;
	bool array;
	int count;		/* -1: "[]" or not a number */
	bool data_loc, rel_loc;
};

/* Normalises "const  unsigned char *const" to "unsigned char" and counts
 * the stars; a base type that does not fit is left empty (unknown). */
static void parse_base(struct span ty, struct decl *d)
{
	size_t n = 0;

	d->base[0] = '\0';
	while (ty.len) {
		struct span word;

		if (*ty.s == '*') {
			d->stars++;
			ty = skip(ty, 1);
			continue;
		}
		if (is_space(*ty.s)) {
			ty = skip(ty, 1);
			continue;
		}
		word.s = ty.s;
		for (word.len = 0; word.len < ty.len && !is_space(word.s[word.len]) &&
				   word.s[word.len] != '*'; word.len++)
			;
		ty = skip(ty, word.len);
		if (span_eq(word, "const") || span_eq(word, "volatile"))
			continue;
		if (n + word.len + 2 > sizeof(d->base)) {
			d->base[0] = '\0';
			return;
		}
		if (n)
			d->base[n++] = ' ';
		memcpy(d->base + n, word.s, word.len);
		n += word.len;
		d->base[n] = '\0';
	}
}

/* "[16]" at the end of sp: sets count (-1 if empty or not a number) and
 * removes it. */
static bool cut_brackets(struct span *sp, int *count)
{
	const char *open;

	if (!sp->len || sp->s[sp->len - 1] != ']')
		return false;
	open = NULL;
	for (size_t i = sp->len - 1; i-- > 0;)
		if (sp->s[i] == '[') {
			open = sp->s + i;
			break;
		}
	if (!open)
		return false;
	if (!parse_uint((struct span){ open + 1, (size_t)(sp->s + sp->len - 1 - open - 1) },
			MAX_OFFSET, count))
		*count = -1;
	sp->len = (size_t)(open - sp->s);
	*sp = trim(*sp);
	return true;
}

static bool parse_decl(struct span sp, struct decl *d)
{
	struct span ty;

	memset(d, 0, sizeof(*d));
	sp = trim(sp);
	d->array = cut_brackets(&sp, &d->count);
	d->name.s = sp.s + sp.len;
	while (d->name.len < sp.len && is_ident(d->name.s[-1])) {
		d->name.s--;
		d->name.len++;
	}
	if (!d->name.len || d->name.len > MAX_NAME)
		return false;
	ty = trim((struct span){ sp.s, sp.len - d->name.len });
	d->data_loc = starts_with(ty, "__data_loc");
	d->rel_loc = starts_with(ty, "__rel_loc");
	if (d->data_loc || d->rel_loc) {
		int elem_count;

		ty = trim(skip(ty, strlen(d->data_loc ? "__data_loc" : "__rel_loc")));
		cut_brackets(&ty, &elem_count);	/* "char[]": the element type is before */
	}
	parse_base(ty, d);
	return true;
}

static bool is_char(const char *base)
{
	return !strcmp(base, "char") || !strcmp(base, "signed char");
}

/* An integer element of elem_size bytes, signed as the column says;
 * odd sizes (structs) become bytes. */
static struct type *array_of(int size, int count, int elem_size, bool is_signed)
{
	struct type *t = type_new(TY_ARRAY);

	if (count <= 0 || elem_size * count != size ||
	    (elem_size != 1 && elem_size != 2 && elem_size != 4 && elem_size != 8)) {
		elem_size = 1;
		count = size;
		is_signed = false;
	}
	t->elem = type_int(elem_size, is_signed);
	t->count = count;
	t->size = size;
	return t;
}

static struct type *int_or_bytes(int size, bool is_signed)
{
	if (size == 1 || size == 2 || size == 4 || size == 8)
		return type_int(size, is_signed);
	return array_of(size, size, 1, false);
}

/* The element of a __data_loc array: char for strings, the declared
 * integer for others, else void. */
static struct type *data_loc_elem(const struct decl *d, int word_size)
{
	if (is_char(d->base))
		return type_int(1, true);
	return type_from_c_name(d->base, word_size);
}

static struct type *field_type(const struct decl *d, int size, bool is_signed,
			       int word_size, bool user_ptrs)
{
	struct type *t;

	if (d->data_loc) {
		/* The u32 in the record is len << 16 | offset from the record's
		 * start; the generator turns it into ctx + offset. */
		return size == 4 ? type_ptr(data_loc_elem(d, word_size), AS_KERNEL) : NULL;
	}
	if (d->array) {
		int elem_size;

		if (is_char(d->base))
			return type_str(size);
		if (d->count > 0)
			return array_of(size, d->count, size / d->count, is_signed);
		/* "[]" with a size: the declared element type gives the count. */
		t = type_from_c_name(d->base, word_size);
		elem_size = t ? t->size : 1;
		return array_of(size, size / elem_size, elem_size, is_signed);
	}
	if (d->stars && (size == 4 || size == 8)) {
		bool char_ptr = d->stars == 1 && is_char(d->base);

		t = type_ptr(char_ptr ? type_int(1, true) : NULL,
			     user_ptrs ? AS_USER : AS_KERNEL);
		t->size = size;		/* 4 on 32-bit kernels */
		return t;
	}
	return int_or_bytes(size, is_signed);
}

/* One "field:DECL;\toffset:N;\tsize:N;\tsigned:N;" line (the "field:"
 * already removed). Returns false for malformed lines and for fields
 * awl does not expose. */
static bool parse_field(struct span line, int word_size, bool user_ptrs,
			struct field *f, int *end)
{
	struct decl d;
	int offset = 0, size = 0;
	bool is_signed;

	if (!parse_decl(cut(&line, ';'), &d) || !parse_layout(line, &offset, &size, &is_signed))
		return false;
	*end = offset + size;
	/* __rel_loc offsets count from the end of the field, which struct
	 * field cannot say; reading them as __data_loc would give garbage.
	 * Flexible arrays (size 0) run to the record's end: no fixed type. */
	if (d.rel_loc || size == 0 || starts_with(d.name, "common_"))
		return false;
	memset(f, 0, sizeof(*f));
	f->type = field_type(&d, size, is_signed, word_size, user_ptrs);
	if (!f->type)
		return false;
	f->name = xstrndup(d.name.s, d.name.len);
	f->offset = offset;
	f->data_loc = d.data_loc;
	f->user = d.stars && f->type->kind == TY_PTR && user_ptrs;
	return true;
}

/* The "name:" and "ID:" header lines. */
static void parse_header(struct span line, struct type *t, long *id)
{
	int v;

	if (starts_with(line, "name:") && !t->name) {
		struct span name = trim(skip(line, strlen("name:")));

		if (name.len && name.len <= MAX_NAME)
			t->name = xstrndup(name.s, name.len);
	} else if (starts_with(line, "ID:") && *id < 0 &&
		   parse_uint(skip(line, strlen("ID:")), 0x7fffffff, &v)) {
		*id = v;
	}
}

struct type *tp_format_parse(const char *text, int word_size, bool user_ptrs, long *id)
{
	struct type *t = type_new(TY_STRUCT);
	struct span rest = { text, strlen(text) };
	bool in_format = false;
	int cap = 0, last_end = 0;
	long id_seen = -1;

	while (rest.len) {
		struct span line = trim(cut(&rest, '\n'));
		struct field f;
		int end;

		if (!in_format) {
			in_format = span_eq(line, "format:");
			parse_header(line, t, &id_seen);
			continue;
		}
		if (starts_with(line, "print fmt:"))
			break;
		if (!starts_with(line, "field:"))
			continue;
		end = 0;
		if (parse_field(skip(line, strlen("field:")), word_size, user_ptrs, &f, &end)) {
			if (t->nfields >= MAX_FIELDS) {
				free(f.name);
				break;
			}
			VEC_PUSH(t->fields, t->nfields, cap, f);
		}
		/* Skipped fields (common_ ones too) still take room in the record. */
		last_end = MAX(last_end, end);
	}
	if (id)
		*id = id_seen;
	if (!in_format)
		return NULL;	/* t is freed with all types (types_free_all) */
	t->size = last_end;
	return t;
}

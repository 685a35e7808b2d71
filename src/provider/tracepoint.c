/* tracepoint:category:name (ply: tracepoint:category/name, short t:),
 * with globs in both parts. The record's fields, from the tracepoint's
 * format file, are the probe's `args`. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "awl/arch.h"
#include "awl/attach.h"
#include "awl/provider.h"
#include "awl/tracefs.h"

static void free_names(char **names)
{
	for (char **n = names; n && *n; n++)
		free(*n);
	free(names);
}

/* Splits "cat:name" or ply's "cat/name" into its two parts. */
static bool split_tp(const char *rest, char *cat, size_t catlen, const char **name)
{
	const char *sep = strchr(rest, ':');

	if (!sep)
		sep = strchr(rest, '/');
	if (!sep || (size_t)(sep - rest) >= catlen || sep == rest || !sep[1])
		return false;
	memcpy(cat, rest, (size_t)(sep - rest));
	cat[sep - rest] = '\0';
	*name = sep + 1;
	return true;
}

/* No match: name the nearest tracepoints, a typo being the usual cause. */
static void suggest(const struct probe_spec *spec, const char *cat, const char *name)
{
	char **all = NULL, pattern[300];
	const char *best[3] = { 0 };
	int best_d[3] = { 4, 4, 4 };

	snprintf(pattern, sizeof(pattern), "%s:%s", cat, name);
	if (tracefs_events(glob_has_magic(cat) ? cat : "*", "*", &all) > 0) {
		for (char **n = all; *n; n++) {
			int d = edit_distance(pattern, *n);

			for (int k = 0; k < 3; k++) {
				if (d < best_d[k]) {
					for (int m = 2; m > k; m--) {
						best[m] = best[m - 1];
						best_d[m] = best_d[m - 1];
					}
					best[k] = *n;
					best_d[k] = d;
					break;
				}
			}
		}
	}
	if (best[0])
		error_at(spec->loc, "no tracepoint %s; nearest: tracepoint:%s%s%s%s%s", pattern,
			 best[0], best[1] ? ", tracepoint:" : "", best[1] ? best[1] : "",
			 best[2] ? ", tracepoint:" : "", best[2] ? best[2] : "");
	else
		error_at(spec->loc, "no tracepoint matches %s (see awl -l 'tracepoint:*')", pattern);
	free_names(all);
}

static int tp_expand(struct unit *u, struct probe *p, const struct probe_spec *spec,
		     const char *rest)
{
	char cat[256], **names = NULL;
	const char *name;
	int n, ret = 0;

	if (!split_tp(rest, cat, sizeof(cat), &name)) {
		error_at(spec->loc, "expected tracepoint:CATEGORY:NAME (e.g. tracepoint:syscalls:sys_enter_read)");
		return -1;
	}
	n = tracefs_events(cat, name, &names);
	if (n < 0)
		return -1;
	if (n == 0) {
		suggest(spec, cat, name);
		free_names(names);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *colon = strchr(names[i], ':'), *apname;
		struct attach_point *ap;
		struct type *args = NULL;
		long id;
		int err;

		*colon = '\0';
		err = tracefs_read_format(names[i], colon + 1, u->arch->word_size, &id, &args);
		if (err) {
			error_at(spec->loc, "cannot read the format of tracepoint %s:%s: %s",
				 names[i], colon + 1, strerror(-err));
			ret = -1;
			continue;
		}
		apname = xasprintf("tracepoint:%s:%s", names[i], colon + 1);
		ap = unit_add_ap(u, p, &provider_tracepoint, apname);
		free(apname);
		ap->tp_cat = xstrdup(names[i]);
		ap->tp_event = xstrdup(colon + 1);
		ap->tp_id = id;
		ap->tp_args = args;
	}
	free_names(names);
	return ret;
}

static int tp_attach(struct unit *u, struct attach_point *ap)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = (uint64_t)ap->tp_id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	/* A tracepoint's programs run on every CPU: one event is enough. */
	return attach_perf_event(ap, &attr, -1, 0);
}

static void print_fields(const struct type *args, FILE *out)
{
	char buf[96];

	for (int i = 0; i < args->nfields; i++) {
		const struct field *f = &args->fields[i];

		fprintf(out, "    %s%s %s;\n", f->data_loc ? "__data_loc " : "",
			type_name(f->type, buf, sizeof(buf)), f->name);
	}
}

/* Whether glob can match "tracepoint:..." or "t:...": -l BEGIN has no
 * business reading tracefs. */
static bool may_match_tracepoints(const char *glob)
{
	return !glob || strchr("t*?[", glob[0]);
}

static int tp_list(const char *glob, bool verbose, FILE *out)
{
	char **names = NULL;
	int n;

	if (!may_match_tracepoints(glob))
		return 0;
	n = tracefs_events("*", "*", &names);
	if (n < 0)
		return -1;

	for (int i = 0; i < n; i++) {
		char full[300];

		snprintf(full, sizeof(full), "tracepoint:%s", names[i]);
		if (glob && fnmatch(glob, full, 0)) {
			/* ply spelling and the short t: match too */
			char alt[300];

			snprintf(alt, sizeof(alt), "t:%s", names[i]);
			if (fnmatch(glob, alt, 0))
				continue;
		}
		fprintf(out, "%s\n", full);
		if (verbose) {
			char *colon = strchr(names[i], ':');
			struct type *args;
			long id;

			*colon = '\0';
			if (!tracefs_read_format(names[i], colon + 1, arch_native()->word_size, &id, &args))
				print_fields(args, out);
		}
	}
	free_names(names);
	return 0;
}

static const char *const aliases[] = { "t", NULL };

const struct provider provider_tracepoint = {
	.in_task_context = true,
	.name = "tracepoint",
	.aliases = aliases,
	.prog_type = BPF_PROG_TYPE_TRACEPOINT,
	.ctx = CTX_TRACEPOINT,
	.expand = tp_expand,
	.attach = tp_attach,
	.list = tp_list,
};

/* BEGIN and END: programs run once by awl itself (BPF_PROG_TEST_RUN of
 * a raw tracepoint program), BEGIN before any probe is attached and END
 * after every probe is detached. */
#include <fnmatch.h>
#include <string.h>

#include "awl/provider.h"

static int special_expand(struct unit *u, struct probe *p, const struct probe_spec *spec,
			  const char *rest)
{
	const struct provider *prov = strcmp(spec->text, "END") ? &provider_begin : &provider_end;

	if (strchr(spec->text, ':')) {
		error_at(spec->loc, "%s takes no arguments", prov->name);
		return -1;
	}
	unit_add_ap(u, p, prov, prov->name);
	if (prov == &provider_end)
		u->has_end = true;
	return 0;
}

static int special_list(const char *glob, bool verbose, FILE *out)
{
	if (!glob || !fnmatch(glob, "BEGIN", 0))
		fputs("BEGIN\n", out);
	if (!glob || !fnmatch(glob, "END", 0))
		fputs("END\n", out);
	return 0;
}

const struct provider provider_begin = {
	.name = "BEGIN",
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.ctx = CTX_NONE,
	.run_by_loader = true,
	.expand = special_expand,
	.list = special_list,
};

const struct provider provider_end = {
	.name = "END",
	.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
	.ctx = CTX_NONE,
	.run_by_loader = true,
	.expand = special_expand,
};

/* The table of probe providers and the split of a spec into its type
 * and the rest. */
#include <string.h>

#include "awl/provider.h"

static const struct provider *const providers[] = {
	&provider_begin, &provider_end, &provider_tracepoint, &provider_interval,
	&provider_profile, &provider_software, &provider_kprobe, &provider_kretprobe,
	&provider_fentry, &provider_fexit, &provider_uprobe, &provider_uretprobe,
};

const struct provider *provider_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(providers); i++) {
		const struct provider *p = providers[i];

		if (!strcmp(p->name, name))
			return p;
		for (const char *const *a = p->aliases; a && *a; a++)
			if (!strcmp(*a, name))
				return p;
	}
	return NULL;
}

static const char *const planned[] = {
	"usdt", "U",
	"hardware", "h", "watchpoint", "w",
	"rawtracepoint", "rt", "iter", "it",
};

const struct provider *provider_for_spec(const struct probe_spec *spec, const char **rest)
{
	const char *colon = strchr(spec->text, ':');
	size_t n = colon ? (size_t)(colon - spec->text) : strlen(spec->text);
	char type[32];
	const struct provider *p;

	if (n >= sizeof(type)) {
		error_at(spec->loc, "unknown probe type in '%s'", spec->text);
		return NULL;
	}
	memcpy(type, spec->text, n);
	type[n] = '\0';
	p = provider_find(type);
	*rest = colon ? colon + 1 : "";
	if (p)
		return p;
	for (size_t i = 0; i < ARRAY_SIZE(planned); i++) {
		if (!strcmp(planned[i], type)) {
			error_at(spec->loc, "%s probes are not supported by this version of awl", type);
			return NULL;
		}
	}
	/* Suggest the nearest known type: a typo is the usual cause. */
	const char *best = NULL;
	int best_d = 3;

	for (size_t i = 0; i < ARRAY_SIZE(providers); i++) {
		int d = edit_distance(type, providers[i]->name);

		if (d < best_d) {
			best_d = d;
			best = providers[i]->name;
		}
	}
	if (best)
		error_at(spec->loc, "unknown probe type '%s'; did you mean '%s'?", type, best);
	else
		error_at(spec->loc, "unknown probe type '%s' (known: BEGIN, END, tracepoint, interval, profile, software)", type);
	return NULL;
}

int provider_list_all(const char *glob, bool verbose, FILE *out)
{
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(providers); i++)
		if (providers[i]->list && providers[i]->list(glob, verbose, out))
			ret = -1;
	return ret;
}

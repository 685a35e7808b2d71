/* Probes on perf software events: interval (one CPU, a fixed period),
 * profile (every CPU, a rate) and software (the kernel's software
 * counters, every N events). All run BPF_PROG_TYPE_PERF_EVENT programs
 * whose context starts with the interrupted pt_regs. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "awl/attach.h"
#include "awl/provider.h"
#include "awl/sys.h"

#define MAX_CPUS 4096

static const struct {
	const char *unit;
	uint64_t ns;		/* 0: a rate in hertz */
} units[] = {
	{ "s", 1000000000ull }, { "ms", 1000000ull }, { "us", 1000ull }, { "ns", 1 },
	{ "hz", 0 },
};

/* Parses "N" followed by an optional unit (ply: 500ms, 99hz), or unit
 * and number as separate parts (bpftrace: ms:500, hz:99). */
static bool parse_count(const char *num, const char *unit, const char *dflt, uint64_t *count,
			const char **unit_out)
{
	char *end;
	unsigned long long v;

	if (!num || !*num || *num == '-')
		return false;
	errno = 0;
	v = strtoull(num, &end, 10);
	if (errno || end == num || v == 0)
		return false;
	if (*end) {
		if (unit)
			return false;
		unit = end;
	}
	if (!unit)
		unit = dflt;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (!strcmp(units[i].unit, unit)) {
			*unit_out = units[i].unit;
			if (units[i].ns && v > UINT64_MAX / units[i].ns)
				return false;
			*count = units[i].ns ? v * units[i].ns : v;
			return true;
		}
	}
	return false;
}

static bool is_unit(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(units[i].unit, s))
			return true;
	return false;
}

/* cpu-clock counts nanoseconds with an hrtimer, so a rate is exactly a
 * period: no need for the kernel's frequency mode and its estimates. */
static void timer_attr(struct attach_point *ap, const char *unit, uint64_t count)
{
	ap->perf_type = PERF_TYPE_SOFTWARE;
	ap->perf_config = PERF_COUNT_SW_CPU_CLOCK;
	ap->period = strcmp(unit, "hz") ? count : MAX(1000000000ull / count, 1ull);
}

static int split2(const char *rest, char *a, size_t alen, const char **b)
{
	const char *colon = strchr(rest, ':');

	if (!colon) {
		snprintf(a, alen, "%s", rest);
		*b = NULL;
		return 1;
	}
	if ((size_t)(colon - rest) >= alen)
		return 0;
	memcpy(a, rest, (size_t)(colon - rest));
	a[colon - rest] = '\0';
	*b = colon + 1;
	return strchr(*b, ':') ? 3 : 2;
}

static int interval_expand(struct unit *u, struct probe *p, const struct probe_spec *spec,
			   const char *rest)
{
	char first[32], *name;
	const char *second, *unit;
	uint64_t count;
	int parts = split2(rest, first, sizeof(first), &second);
	bool ok;
	struct attach_point *ap;

	if (parts == 2 && is_unit(first))
		ok = parse_count(second, first, NULL, &count, &unit);
	else if (parts == 1)
		ok = parse_count(first, NULL, "s", &count, &unit);	/* ply: interval:1 is seconds */
	else
		ok = false;
	if (!ok) {
		error_at(spec->loc, "expected interval:UNIT:N with UNIT one of s, ms, us, ns, hz (e.g. interval:s:1, interval:ms:500), or interval:500ms");
		return -1;
	}
	name = xasprintf("interval:%s:%llu", unit,
			 (unsigned long long)(parts == 2 ? strtoull(second, NULL, 10) : strtoull(first, NULL, 10)));
	ap = unit_add_ap(u, p, &provider_interval, name);
	free(name);
	timer_attr(ap, unit, count);
	ap->cpu = 0;	/* fires on one CPU: once per period in all */
	return 0;
}

static bool cpu_is_online(int cpu)
{
	int cpus[MAX_CPUS], n = cpus_online(cpus, MAX_CPUS);

	for (int i = 0; i < n; i++)
		if (cpus[i] == cpu)
			return true;
	return false;
}

static int profile_expand(struct unit *u, struct probe *p, const struct probe_spec *spec,
			  const char *rest)
{
	char first[32], *name;
	const char *second, *unit;
	uint64_t count;
	int parts = split2(rest, first, sizeof(first), &second), cpu = -1;
	bool ok = false;
	struct attach_point *ap;

	if (parts == 2 && is_unit(first)) {
		ok = parse_count(second, first, NULL, &count, &unit);
	} else if (parts == 2) {
		/* ply: profile:CPU:RATE, one CPU only */
		char *end;
		long c = strtol(first, &end, 10);

		if (!*end && c >= 0 && c < MAX_CPUS) {
			cpu = (int)c;
			ok = parse_count(second, NULL, "hz", &count, &unit);
		}
	} else if (parts == 1) {
		ok = parse_count(first, NULL, "hz", &count, &unit);	/* ply: profile:99hz */
	}
	if (!ok) {
		error_at(spec->loc, "expected profile:UNIT:N with UNIT one of hz, s, ms, us, ns (e.g. profile:hz:99), or ply's profile:99hz and profile:CPU:99hz");
		return -1;
	}
	if (cpu >= 0 && !cpu_is_online(cpu)) {
		error_at(spec->loc, "there is no CPU %d online here (see /sys/devices/system/cpu/online)", cpu);
		return -1;
	}
	if (!strcmp(unit, "hz"))
		name = xasprintf("profile:hz:%llu", (unsigned long long)count);
	else
		name = xasprintf("profile:%s:%s", unit, parts == 2 ? second : first);
	ap = unit_add_ap(u, p, &provider_profile, name);
	free(name);
	timer_attr(ap, unit, count);
	ap->cpu = cpu;
	return 0;
}

static const struct {
	const char *name, *alias;
	uint64_t config;
	uint64_t default_count;
} sw_events[] = {
	{ "cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK, 1000000 },
	{ "task-clock", NULL, PERF_COUNT_SW_TASK_CLOCK, 1000000 },
	{ "page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS, 100 },
	{ "context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES, 1000 },
	{ "cpu-migrations", NULL, PERF_COUNT_SW_CPU_MIGRATIONS, 1 },
	{ "minor-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MIN, 100 },
	{ "major-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1 },
	{ "alignment-faults", NULL, PERF_COUNT_SW_ALIGNMENT_FAULTS, 1 },
	{ "emulation-faults", NULL, PERF_COUNT_SW_EMULATION_FAULTS, 1 },
	{ "dummy", NULL, PERF_COUNT_SW_DUMMY, 1 },
	{ "bpf-output", NULL, PERF_COUNT_SW_BPF_OUTPUT, 1 },
};

static int software_expand(struct unit *u, struct probe *p, const struct probe_spec *spec,
			   const char *rest)
{
	char first[32], *name;
	const char *second;
	int parts = split2(rest, first, sizeof(first), &second);
	struct attach_point *ap;

	if (parts == 0 || parts == 3) {
		error_at(spec->loc, "expected software:EVENT[:COUNT] (e.g. software:page-faults:100)");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sw_events); i++) {
		uint64_t count = sw_events[i].default_count;
		char *end;

		if (strcmp(first, sw_events[i].name) &&
		    (!sw_events[i].alias || strcmp(first, sw_events[i].alias)))
			continue;
		if (second) {
			count = strtoull(second, &end, 10);
			if (*end || !*second || count == 0) {
				error_at(spec->loc, "the count of software:%s must be a positive number", first);
				return -1;
			}
		}
		name = xasprintf("software:%s:%llu", sw_events[i].name, (unsigned long long)count);
		ap = unit_add_ap(u, p, &provider_software, name);
		free(name);
		ap->perf_type = PERF_TYPE_SOFTWARE;
		ap->perf_config = sw_events[i].config;
		ap->period = count;
		return 0;
	}
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(sw_events); i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", sw_events[i].name);
	error_at(spec->loc, "unknown software event '%s' (known: %s)", first, sb.s);
	free(sb.s);
	return -1;
}

static int perf_attach(struct unit *u, struct attach_point *ap)
{
	struct perf_event_attr attr;
	int cpus[MAX_CPUS], n;

	memset(&attr, 0, sizeof(attr));
	attr.type = ap->perf_type;
	attr.size = sizeof(attr);
	attr.config = ap->perf_config;
	attr.freq = ap->use_freq;
	if (ap->use_freq)
		attr.sample_freq = ap->period;
	else
		attr.sample_period = ap->period;
	if (ap->cpu >= 0)
		return attach_perf_event(ap, &attr, -1, ap->cpu);
	n = cpus_online(cpus, MAX_CPUS);
	for (int i = 0; i < n; i++)
		if (attach_perf_event(ap, &attr, -1, cpus[i]))
			return -1;
	return 0;
}

static int list_if(const char *glob, const char *name, FILE *out)
{
	if (!glob || !fnmatch(glob, name, 0))
		fprintf(out, "%s\n", name);
	return 0;
}

static int interval_list(const char *glob, bool verbose, FILE *out)
{
	list_if(glob, "interval:s:N", out);
	list_if(glob, "interval:ms:N", out);
	list_if(glob, "interval:us:N", out);
	return list_if(glob, "interval:hz:N", out);
}

static int profile_list(const char *glob, bool verbose, FILE *out)
{
	list_if(glob, "profile:hz:N", out);
	list_if(glob, "profile:s:N", out);
	list_if(glob, "profile:ms:N", out);
	return list_if(glob, "profile:us:N", out);
}

static int software_list(const char *glob, bool verbose, FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(sw_events); i++) {
		char name[64];

		snprintf(name, sizeof(name), "software:%s:", sw_events[i].name);
		list_if(glob, name, out);
	}
	return 0;
}

static const char *const interval_aliases[] = { "i", NULL };
static const char *const profile_aliases[] = { "p", NULL };
static const char *const software_aliases[] = { "s", NULL };

const struct provider provider_interval = {
	.name = "interval",
	.aliases = interval_aliases,
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.ctx = CTX_PERF_EVENT,
	.expand = interval_expand,
	.attach = perf_attach,
	.list = interval_list,
};

const struct provider provider_profile = {
	.in_task_context = true,
	.name = "profile",
	.aliases = profile_aliases,
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.ctx = CTX_PERF_EVENT,
	.expand = profile_expand,
	.attach = perf_attach,
	.list = profile_list,
};

const struct provider provider_software = {
	.in_task_context = true,
	.name = "software",
	.aliases = software_aliases,
	.prog_type = BPF_PROG_TYPE_PERF_EVENT,
	.ctx = CTX_PERF_EVENT,
	.expand = software_expand,
	.attach = perf_attach,
	.list = software_list,
};

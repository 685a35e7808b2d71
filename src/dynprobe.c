/* Kprobes and uprobes through the perf PMUs, or tracefs where the PMUs
 * are missing (or AWL_PROBE_API=tracefs forces it, for tests). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awl/attach.h"
#include "awl/dynprobe.h"
#include "awl/provider.h"
#include "awl/sys.h"
#include "awl/tracefs.h"

/* Entries awl writes to kprobe_events/uprobe_events: group "awl",
 * events named awl_PID_N, so the next awl can tell whose they were. */
#define EVENT_GROUP "awl"

static const char *const pmu_names[] = { [DYN_KPROBE] = "kprobe", [DYN_UPROBE] = "uprobe" };
static const char *const events_files[] = { [DYN_KPROBE] = "kprobe_events",
					    [DYN_UPROBE] = "uprobe_events" };

static bool force_tracefs(void)
{
	const char *api = getenv("AWL_PROBE_API");

	return api && !strcmp(api, "tracefs");
}

/* The PMU's perf type and the config bit of a return probe. */
static int pmu_info(enum dynprobe_kind kind, int *type, int *ret_bit)
{
	char path[128], *text;

	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", pmu_names[kind]);
	text = read_file(path, NULL);
	if (!text)
		return -ENOENT;
	*type = atoi(text);
	free(text);
	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/format/retprobe",
		 pmu_names[kind]);
	text = read_file(path, NULL);
	*ret_bit = text && !strncmp(text, "config:", 7) ? atoi(text + 7) : 0;
	free(text);
	return 0;
}

bool dynprobe_has_pmu(enum dynprobe_kind kind)
{
	int type, bit;

	return pmu_info(kind, &type, &bit) == 0;
}

bool dynprobe_via_tracefs(enum dynprobe_kind kind)
{
	return force_tracefs() || !dynprobe_has_pmu(kind);
}

bool dynprobe_has_tracefs(enum dynprobe_kind kind)
{
	const char *dir = tracefs_dir();
	char path[512];

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, events_files[kind]);
	return access(path, W_OK) == 0;
}

static int attach_via_pmu(struct attach_point *ap, const struct dynprobe *dp)
{
	struct perf_event_attr attr;
	int type, ret_bit;

	if (pmu_info(dp->kind, &type, &ret_bit))
		return -ENOENT;
	memset(&attr, 0, sizeof(attr));
	attr.type = (uint32_t)type;
	attr.size = sizeof(attr);
	attr.config = dp->retprobe ? 1ull << ret_bit : 0;
	/* config1 is the function or path, config2 the offset */
	attr.config1 = (uint64_t)(uintptr_t)dp->target;
	attr.config2 = dp->offset;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	return try_attach_perf_event(ap, &attr, dp->pid > 0 ? dp->pid : -1, dp->pid > 0 ? -1 : 0);
}

static int write_events(enum dynprobe_kind kind, const char *line)
{
	char path[512];
	int fd, err = 0;

	if (!tracefs_dir())
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", tracefs_dir(), events_files[kind]);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);	/* tracefs has no links */
	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static long event_id(const char *name)
{
	char path[512], *text;
	long id;

	snprintf(path, sizeof(path), "%s/events/" EVENT_GROUP "/%s/id", tracefs_dir(), name);
	text = read_file(path, NULL);
	if (!text)
		return -errno;
	id = atol(text);
	free(text);
	return id;
}

/* A failed write of a new entry to kprobe_events/uprobe_events. ENOENT
 * and EINVAL (no such function, not an instruction that can be probed)
 * are left to the provider, which knows what the probe points at. */
static int explain_write_error(const struct attach_point *ap, enum dynprobe_kind kind,
			       const char *line, int err)
{
	struct strbuf why = { 0 };

	if (err == -ENOENT || err == -EINVAL || !tracefs_dir())
		return err;
	switch (-err) {
	case EBUSY:
	case EEXIST:
		sb_printf(&why, "another tracer (perf probe, another awl) holds an event of that name or at that place: remove its entry from %s",
			  events_files[kind]);
		break;
	default:
		sys_explain(&why, SYS_TRACEFS_WRITE, err);
	}
	error_plain("cannot attach %s: writing '%.*s' to %s/%s: %s%s%s", ap->name,
		    (int)strcspn(line, "\n"), line, tracefs_dir(), events_files[kind], strerror(-err),
		    why.s ? "; " : "", why.s ? why.s : "");
	free(why.s);
	return -EALREADY;	/* explained */
}

static int attach_via_tracefs(struct attach_point *ap, const struct dynprobe *dp)
{
	static int counter;
	struct perf_event_attr attr;
	char name[64], line[4200], kind_char = dp->retprobe ? 'r' : 'p';
	long id;
	int err;

	snprintf(name, sizeof(name), "awl_%d_%d", (int)getpid(), counter++);
	if (dp->kind == DYN_KPROBE && dp->retprobe && dp->maxactive)
		snprintf(line, sizeof(line), "r%d:" EVENT_GROUP "/%s %s+%llu\n", dp->maxactive, name,
			 dp->target, (unsigned long long)dp->offset);
	else if (dp->kind == DYN_KPROBE)
		snprintf(line, sizeof(line), "%c:" EVENT_GROUP "/%s %s+%llu\n", kind_char, name,
			 dp->target, (unsigned long long)dp->offset);
	else
		snprintf(line, sizeof(line), "%c:" EVENT_GROUP "/%s %s:0x%llx\n", kind_char, name,
			 dp->target, (unsigned long long)dp->offset);
	err = sys_fault(SYS_TRACEFS_WRITE);
	if (!err)
		err = write_events(dp->kind, line);
	if (err)
		return explain_write_error(ap, dp->kind, line, err);
	free(ap->event_name);
	ap->event_name = xstrdup(name);
	ap->event_is_uprobe = dp->kind == DYN_UPROBE;
	id = event_id(name);
	if (id < 0) {
		error_plain("cannot attach %s: tracefs took the entry '%.*s' but has no event for it (%s/events/" EVENT_GROUP "/%s/id: %s)",
			    ap->name, (int)strcspn(line, "\n"), line, tracefs_dir(), name,
			    strerror((int)-id));
		return -EALREADY;	/* explained; the entry is removed on release */
	}
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = (uint64_t)id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	return try_attach_perf_event(ap, &attr, dp->pid > 0 ? dp->pid : -1, dp->pid > 0 ? -1 : 0);
}

int dynprobe_attach(struct unit *u, struct attach_point *ap, const struct dynprobe *dp)
{
	int err = -ENOENT;

	if (!force_tracefs() && !(dp->kind == DYN_KPROBE && dp->retprobe && dp->maxactive))
		err = attach_via_pmu(ap, dp);
	if (err == -ENOENT && !dynprobe_has_pmu(dp->kind) && dynprobe_has_tracefs(dp->kind))
		err = attach_via_tracefs(ap, dp);
	else if (err == -ENOENT && (force_tracefs() || (dp->kind == DYN_KPROBE && dp->maxactive)))
		err = attach_via_tracefs(ap, dp);
	return err;
}

static void remove_event(enum dynprobe_kind kind, const char *name)
{
	char line[320];

	snprintf(line, sizeof(line), "-:" EVENT_GROUP "/%s\n", name);
	write_events(kind, line);
}

void dynprobe_remove_all(struct unit *u)
{
	for (int i = 0; i < u->naps; i++) {
		struct attach_point *ap = u->aps[i];

		if (!ap->event_name)
			continue;
		remove_event(ap->event_is_uprobe ? DYN_UPROBE : DYN_KPROBE, ap->event_name);
		free(ap->event_name);
		ap->event_name = NULL;
	}
}

/* The pid in an event name "awl_PID_N"; 0 if it is not one of ours. */
static int event_owner(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, "awl_", 4))
		return 0;
	pid = strtol(name + 4, &end, 10);
	return *end == '_' && pid > 0 && pid < 0x40000000 ? (int)pid : 0;
}

void dynprobe_remove_stale(enum dynprobe_kind kind)
{
	static bool cleaned[2];
	char path[512];
	DIR *d;
	struct dirent *de;

	/* once per run, and only where tracefs is already there */
	if (cleaned[kind] || !tracefs_dir())
		return;
	cleaned[kind] = true;
	snprintf(path, sizeof(path), "%s/events/" EVENT_GROUP, tracefs_dir());
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		int pid = event_owner(de->d_name);

		if (pid && pid != getpid() && kill(pid, 0) < 0 && errno == ESRCH)
			remove_event(kind, de->d_name);
	}
	closedir(d);
}

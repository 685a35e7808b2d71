/* The compilation unit: what every stage adds to and reads from. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awl/unit.h"
#include "awl/fmt.h"

struct unit *unit_new(struct program *prog, const struct awl_opts *opts)
{
	struct unit *u = xcalloc(1, sizeof(*u));

	u->prog = prog;
	u->opts = opts;
	u->arch = opts->arch;
	u->out_kmap = u->lost_kmap = u->drops_kmap = u->zero_kmap = u->stack_kmap = u->scratch_kmap = -1;
	return u;
}

int unit_add_kmap(struct unit *u, const char *name, uint32_t type, uint32_t key_size,
		  uint32_t value_size, uint32_t max_entries, uint32_t flags)
{
	struct kmap km;

	memset(&km, 0, sizeof(km));
	snprintf(km.name, sizeof(km.name), "%s", name);
	km.type = type;
	km.key_size = key_size;
	km.value_size = value_size;
	km.max_entries = max_entries;
	km.flags = flags;
	km.fd = -1;
	VEC_PUSH(u->kmaps, u->nkmaps, u->capkmaps, km);
	return u->nkmaps - 1;
}

int unit_add_event(struct unit *u, struct event_desc *ev)
{
	VEC_PUSH(u->events, u->nevents, u->capevents, ev);
	return u->nevents - 1;
}

struct attach_point *unit_add_ap(struct unit *u, struct probe *p, const struct provider *prov,
				 const char *name)
{
	struct attach_point *ap = xcalloc(1, sizeof(*ap));

	ap->name = xstrdup(name);
	ap->provider = prov;
	ap->probe = p;
	ap->cpu = -1;
	ap->tp_id = -1;
	ap->index = u->naps;
	VEC_PUSH(u->aps, u->naps, u->capaps, ap);
	VEC_PUSH(p->aps, p->naps, p->capaps, ap);
	return ap;
}

void ap_add_fd(struct attach_point *ap, int fd)
{
	VEC_PUSH(ap->fds, ap->nfds, ap->capfds, fd);
}

void unit_free(struct unit *u)
{
	if (!u)
		return;
	for (int i = 0; i < u->naps; i++) {
		struct attach_point *ap = u->aps[i];

		for (int j = 0; j < ap->nfds; j++)
			close(ap->fds[j]);
		for (int j = 0; j < ap->nlinks; j++)
			close(ap->links[j]);
		free(ap->fds);
		free(ap->links);
		free(ap->name);
		free(ap->tp_cat);
		free(ap->tp_event);
		free(ap->func);
		free(ap->path);
		free(ap->event_name);
		free(ap);
	}
	free(u->aps);
	for (int i = 0; i < u->nprogs; i++) {
		struct bpf_program *bp = u->progs[i];

		if (bp->fd >= 0)
			close(bp->fd);
		free(bp->insns);
		free(bp->aps);
		free(bp);
	}
	free(u->progs);
	for (int i = 0; i < u->nkmaps; i++)
		if (u->kmaps[i].fd >= 0)
			close(u->kmaps[i].fd);
	free(u->kmaps);
	for (int i = 0; i < u->nmaps; i++) {
		free(u->maps[i]->name);
		free(u->maps[i]->display);
		free(u->maps[i]);
	}
	free(u->maps);
	for (int i = 0; i < u->nevents; i++) {
		fmt_free(u->events[i]->fmt);
		free(u->events[i]->args);
		free(u->events[i]);
	}
	free(u->events);
	free(u);
}

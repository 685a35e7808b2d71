/* Printing maps and values in bpftrace's text formats. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awl/arch.h"
#include "awl/ksym.h"
#include "awl/report.h"
#include "awl/sys.h"

/* Address families as the kernel numbers them: ntop() stores them raw. */
#define KERNEL_AF_INET 2
#define KERNEL_AF_INET6 10

/* The widest histogram bar, as in bpftrace. */
#define BAR_WIDTH 52
static const char bar_chars[] = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@";
_Static_assert(sizeof(bar_chars) == BAR_WIDTH + 1, "one '@' per column of the bar");

/* Values in maps and records may be unaligned: always copied out. */
static uint64_t load_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void store_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* An integer of `size` bytes (array elements), extended by t's sign. */
static uint64_t load_sized(const struct type *t, const uint8_t *p, int size)
{
	bool is_signed = type_is_signed(t);
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	switch (size) {
	case 1:
		memcpy(&u8, p, 1);
		return is_signed ? (uint64_t)(int64_t)(int8_t)u8 : u8;
	case 2:
		memcpy(&u16, p, 2);
		return is_signed ? (uint64_t)(int64_t)(int16_t)u16 : u16;
	case 4:
		memcpy(&u32, p, 4);
		return is_signed ? (uint64_t)(int64_t)(int32_t)u32 : u32;
	default:
		return load_u64(p);
	}
}

/* Division that cannot trap: by 0 or INT64_MIN / -1. */
static int64_t sdiv(int64_t a, int64_t b)
{
	if (b == 0)
		return 0;
	if (b == -1)
		return (int64_t)(0 - (uint64_t)a);
	return a / b;
}

typedef void render_int_fn(struct strbuf *sb, struct unit *u, const struct type *t, uint64_t v);
typedef void render_fn(struct strbuf *sb, struct unit *u, const struct type *t,
		       const uint8_t *data);

static void render_dec(struct strbuf *sb, struct unit *u, const struct type *t, uint64_t v)
{
	if (t->is_signed)
		sb_printf(sb, "%lld", (long long)(int64_t)v);
	else
		sb_printf(sb, "%llu", (unsigned long long)v);
}

static void render_unsigned(struct strbuf *sb, struct unit *u, const struct type *t, uint64_t v)
{
	sb_printf(sb, "%llu", (unsigned long long)v);
}

static void render_hex(struct strbuf *sb, struct unit *u, const struct type *t, uint64_t v)
{
	sb_printf(sb, "0x%llx", (unsigned long long)v);
}

/* `probe` holds an index into the attach points. */
static void render_probe(struct strbuf *sb, struct unit *u, const struct type *t, uint64_t v)
{
	if (u && v < (uint64_t)u->naps && u->aps[v] && u->aps[v]->name)
		sb_puts(sb, u->aps[v]->name);
	else
		render_unsigned(sb, u, t, v);
}

/* `func` holds an index into the attach points too. */
static void render_func(struct strbuf *sb, struct unit *u, const struct type *t, uint64_t v)
{
	if (u && v < (uint64_t)u->naps && u->aps[v] && u->aps[v]->func)
		sb_puts(sb, u->aps[v]->func);
	else
		render_probe(sb, u, t, v);
}

/* A stack id from bpf_get_stackid(): the frames, one per line,
 * indented as bpftrace prints them. */
static void symbolize_kstack(struct strbuf *sb, struct unit *u, const struct type *t, uint64_t v)
{
	uint64_t frames[KSTACK_DEPTH];
	uint32_t id = (uint32_t)v;

	memset(frames, 0, sizeof(frames));
	/* A negative id: no kernel stack (a sample taken in user mode). */
	if ((int64_t)v < 0 || u->stack_kmap < 0 ||
	    bpf_map_lookup(u->kmaps[u->stack_kmap].fd, &id, frames)) {
		sb_putc(sb, '\n');
		return;
	}
	sb_putc(sb, '\n');
	for (int i = 0; i < KSTACK_DEPTH && frames[i]; i++) {
		uint64_t off;
		const char *name = ksym_lookup(frames[i], &off);

		if (name)
			sb_printf(sb, "        %s+%llu\n", name, (unsigned long long)off);
		else
			sb_printf(sb, "        0x%llx\n", (unsigned long long)frames[i]);
	}
}

/* Hook for ksym(): a kernel address, printed raw until symbols are read. */
static void symbolize_ksym(struct strbuf *sb, struct unit *u, const struct type *t, uint64_t v)
{
	uint64_t off;
	const char *name = ksym_lookup(v, &off);

	if (name)
		sb_puts(sb, name);
	else
		render_hex(sb, u, t, v);
}

static render_int_fn *const int_renderers[] = {
	[FMT_DEC] = render_dec,
	[FMT_HEX] = render_hex,
	[FMT_PROBE] = render_probe,
	[FMT_FUNC] = render_func,
	[FMT_KSTACK] = symbolize_kstack,
	[FMT_KSYM] = symbolize_ksym,
	[FMT_CGROUP] = render_unsigned,
};

static void render_int(struct strbuf *sb, struct unit *u, const struct type *t, uint64_t v)
{
	if (t->kind == TY_PTR || (unsigned)t->fmt >= ARRAY_SIZE(int_renderers))
		render_hex(sb, u, t, v);
	else
		int_renderers[t->fmt](sb, u, t, v);
}

static void render(struct strbuf *sb, struct unit *u, const struct type *t, const uint8_t *data);

static void render_scalar(struct strbuf *sb, struct unit *u, const struct type *t,
			  const uint8_t *data)
{
	render_int(sb, u, t, load_u64(data));
}

static void render_str(struct strbuf *sb, struct unit *u, const struct type *t,
		       const uint8_t *data)
{
	const char *s = (const char *)data;

	if (t->size > 0)
		sb_putn(sb, s, strnlen(s, (size_t)t->size));
}

/* Tuple elements without the parentheses: a map key's brackets hold them. */
static void render_fields(struct strbuf *sb, struct unit *u, const struct type *t,
			  const uint8_t *data)
{
	for (int i = 0; i < t->nfields; i++) {
		if (i)
			sb_puts(sb, ", ");
		render(sb, u, t->fields[i].type, data + t->fields[i].offset);
	}
}

static void render_tuple(struct strbuf *sb, struct unit *u, const struct type *t,
			 const uint8_t *data)
{
	sb_putc(sb, '(');
	render_fields(sb, u, t, data);
	sb_putc(sb, ')');
}

/* ply's regs: "name=0xvalue" for each register, the first name the
 * arch gives each offset (aliases are skipped). */
static void render_regs(struct strbuf *sb, const struct type *t, const uint8_t *data)
{
	const struct arch *a = t->name ? arch_by_name(t->name) : NULL;
	int last = -1, esize = t->elem->size;

	for (const struct arch_reg *r = a ? a->regs : NULL; r && r->name; r++) {
		uint64_t v = 0;

		if (r->offset <= last || r->offset + esize > t->size)
			continue;
		last = r->offset;
		memcpy(&v, data + r->offset, (size_t)MIN(esize, (int)sizeof(v)));
		if (esize == 4)
			v &= 0xffffffffu;
		sb_printf(sb, "%s%s=0x%llx", sb->len ? " " : "", r->name, (unsigned long long)v);
	}
}

/* Arrays keep their C layout: elements of elem->size bytes each. */
static void render_array(struct strbuf *sb, struct unit *u, const struct type *t,
			 const uint8_t *data)
{
	int esize = t->elem ? t->elem->size : 0;

	if (t->fmt == FMT_REGS && t->elem) {
		render_regs(sb, t, data);
		return;
	}

	sb_putc(sb, '[');
	if (t->elem && type_is_scalar(t->elem) && esize > 0) {
		for (int i = 0; i < t->count && (i + 1) * esize <= t->size; i++) {
			if (i)
				sb_putc(sb, ',');
			render_int(sb, u, t->elem, load_sized(t->elem, data + i * esize, esize));
		}
	}
	sb_putc(sb, ']');
}

static void render_inet(struct strbuf *sb, struct unit *u, const struct type *t,
			const uint8_t *data)
{
	char text[INET6_ADDRSTRLEN];
	uint64_t family = load_u64(data);
	uint8_t addr[16];

	memcpy(addr, data + 8, sizeof(addr));
	if (family == KERNEL_AF_INET && inet_ntop(AF_INET, addr, text, sizeof(text)))
		sb_puts(sb, text);
	else if (family == KERNEL_AF_INET6 && inet_ntop(AF_INET6, addr, text, sizeof(text)))
		sb_puts(sb, text);
}

/* Kinds missing here (aggregations, timestamps, structs) print nothing. */
static render_fn *const renderers[] = {
	[TY_INT] = render_scalar,
	[TY_PTR] = render_scalar,
	[TY_STR] = render_str,
	[TY_ARRAY] = render_array,
	[TY_TUPLE] = render_tuple,
	[TY_INET] = render_inet,
};

static void render(struct strbuf *sb, struct unit *u, const struct type *t, const uint8_t *data)
{
	if (t && (unsigned)t->kind < ARRAY_SIZE(renderers) && renderers[t->kind])
		renderers[t->kind](sb, u, t, data);
}

static void render_key(struct strbuf *sb, struct unit *u, const struct type *t,
		       const uint8_t *data)
{
	if (t->kind == TY_TUPLE)
		render_fields(sb, u, t, data);
	else
		render(sb, u, t, data);
}

static const char *sb_text(const struct strbuf *sb)
{
	return sb->s ? sb->s : "";
}

static void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->s)
		sb->s[0] = '\0';
}

void print_value(FILE *out, struct unit *u, const struct type *t, const uint8_t *data)
{
	struct strbuf sb = { 0 };

	render(&sb, u, t, data);
	fputs(sb_text(&sb), out);
	free(sb.s);
}

void value_text(struct unit *u, const struct type *t, const uint8_t *data, char *buf, size_t len)
{
	struct strbuf sb = { 0 };

	if (!len)
		return;
	render(&sb, u, t, data);
	snprintf(buf, len, "%s", sb_text(&sb));
	free(sb.s);
}

/* A map as printing sees it, checked against the kernel map's sizes. */
struct map_view {
	struct unit *u;
	const struct map_sym *m;
	const struct kmap *km;
	const struct type *val;
	size_t key_size;
	size_t val_size;	/* one value: a merged one, or one CPU's slot */
	int ncpus;		/* slots a lookup returns */
	int nbuckets;		/* hist, lhist */
};

/* One key and its merged value; rank orders entries by value. */
struct entry {
	const struct map_view *view;
	uint8_t *key, *val;
	uint64_t rank;
};

struct entries {
	struct entry *items;
	int n;
	uint8_t *keys, *vals;
};

struct agg_ops {
	void (*merge)(const struct map_view *v, const uint8_t *slots, uint8_t *out);
	uint64_t (*rank)(const struct map_view *v, const uint8_t *val);
	void (*render)(struct strbuf *sb, const uint8_t *val, int64_t div);
};

/* Signed values rank in unsigned order once their sign bit is flipped. */
static uint64_t signed_rank(int64_t v)
{
	return (uint64_t)v ^ (UINT64_C(1) << 63);
}

static int64_t average(const uint8_t *val)
{
	uint64_t count = load_u64(val);

	return count ? sdiv((int64_t)load_u64(val + 8), (int64_t)count) : 0;
}

/* count, sum, avg, stats and histograms: every 64-bit word adds up. */
static void merge_add(const struct map_view *v, const uint8_t *slots, uint8_t *out)
{
	memset(out, 0, v->val_size);
	for (int cpu = 0; cpu < v->ncpus; cpu++) {
		const uint8_t *slot = slots + (size_t)cpu * v->val_size;

		for (size_t w = 0; w + 8 <= v->val_size; w += 8)
			store_u64(out + w, load_u64(out + w) + load_u64(slot + w));
	}
}

/* min, max: {value, set}; CPUs that never saw a value do not count. */
static void merge_extreme(const struct map_view *v, const uint8_t *slots, uint8_t *out, bool max)
{
	int64_t best = 0;
	uint64_t set = 0;

	for (int cpu = 0; cpu < v->ncpus; cpu++) {
		const uint8_t *slot = slots + (size_t)cpu * v->val_size;
		int64_t value = (int64_t)load_u64(slot);

		if (!load_u64(slot + 8))
			continue;
		if (!set || (max ? value > best : value < best))
			best = value;
		set = 1;
	}
	memset(out, 0, v->val_size);
	store_u64(out, (uint64_t)best);
	store_u64(out + 8, set);
}

static void merge_min(const struct map_view *v, const uint8_t *slots, uint8_t *out)
{
	merge_extreme(v, slots, out, false);
}

static void merge_max(const struct map_view *v, const uint8_t *slots, uint8_t *out)
{
	merge_extreme(v, slots, out, true);
}

static uint64_t rank_unsigned(const struct map_view *v, const uint8_t *val)
{
	return load_u64(val);
}

static uint64_t rank_signed(const struct map_view *v, const uint8_t *val)
{
	return signed_rank((int64_t)load_u64(val));
}

static uint64_t rank_average(const struct map_view *v, const uint8_t *val)
{
	return signed_rank(average(val));
}

static uint64_t rank_total(const struct map_view *v, const uint8_t *val)
{
	return signed_rank((int64_t)load_u64(val + 8));
}

static uint64_t rank_buckets(const struct map_view *v, const uint8_t *val)
{
	uint64_t total = 0;

	for (int i = 0; i < v->nbuckets; i++)
		total += load_u64(val + 8 * i);
	return total;
}

static void render_count(struct strbuf *sb, const uint8_t *val, int64_t div)
{
	uint64_t count = load_u64(val);

	sb_printf(sb, "%llu", (unsigned long long)(div > 0 ? count / (uint64_t)div : count));
}

static void render_signed(struct strbuf *sb, const uint8_t *val, int64_t div)
{
	int64_t v = (int64_t)load_u64(val);

	sb_printf(sb, "%lld", (long long)(div > 0 ? sdiv(v, div) : v));
}

static void render_average(struct strbuf *sb, const uint8_t *val, int64_t div)
{
	int64_t avg = average(val);

	sb_printf(sb, "%lld", (long long)(div > 0 ? sdiv(avg, div) : avg));
}

/* As bpftrace: div scales the average only. */
static void render_stats(struct strbuf *sb, const uint8_t *val, int64_t div)
{
	sb_printf(sb, "count %llu, average ", (unsigned long long)load_u64(val));
	render_average(sb, val, div);
	sb_printf(sb, ", total %lld", (long long)(int64_t)load_u64(val + 8));
}

static const struct agg_ops agg_ops[] = {
	[AGG_COUNT] = { merge_add, rank_unsigned, render_count },
	[AGG_SUM] = { merge_add, rank_signed, render_signed },
	[AGG_AVG] = { merge_add, rank_average, render_average },
	[AGG_MIN] = { merge_min, rank_signed, render_signed },
	[AGG_MAX] = { merge_max, rank_signed, render_signed },
	[AGG_STATS] = { merge_add, rank_total, render_stats },
	[AGG_HIST] = { merge_add, rank_buckets, NULL },
	[AGG_LHIST] = { merge_add, rank_buckets, NULL },
};

static bool is_agg(const struct type *t)
{
	return t->kind == TY_AGG && (unsigned)t->agg < ARRAY_SIZE(agg_ops);
}

static bool is_histogram(const struct type *t)
{
	return t->kind == TY_AGG && (t->agg == AGG_HIST || t->agg == AGG_LHIST);
}

static bool is_extreme(const struct type *t)
{
	return t->kind == TY_AGG && (t->agg == AGG_MIN || t->agg == AGG_MAX);
}

static const struct kmap *map_kmap(struct unit *u, const struct map_sym *m)
{
	if (!m || m->kmap < 0 || m->kmap >= u->nkmaps || u->kmaps[m->kmap].fd < 0)
		return NULL;
	return &u->kmaps[m->kmap];
}

static bool lhist_valid(const struct type *t)
{
	return t->agg != AGG_LHIST || (t->lh_step > 0 && t->lh_max > t->lh_min);
}

/* False when the map cannot be printed: never created, never typed, or
 * its kernel sizes disagree with its types (printing would overrun). */
static bool map_view_init(struct map_view *v, struct unit *u, const struct map_sym *m)
{
	const struct type *val = m ? m->val : NULL;
	const struct kmap *km = map_kmap(u, m);
	size_t need;

	if (!km || !val || val->kind == TY_NONE || (val->kind == TY_AGG && !is_agg(val)))
		return false;
	if (val->kind == TY_AGG && !lhist_valid(val))
		return false;
	need = (size_t)(val->kind == TY_AGG ? agg_value_size(val) : type_storage_size(val));
	if (km->value_size < need ||
	    km->key_size < (m->key ? (uint32_t)type_storage_size(m->key) : 1))
		return false;
	memset(v, 0, sizeof(*v));
	v->u = u;
	v->m = m;
	v->km = km;
	v->val = val;
	v->key_size = km->key_size;
	v->val_size = ALIGN_UP(km->value_size, 8);
	v->ncpus = km->type == BPF_MAP_TYPE_PERCPU_HASH ? cpus_possible() : 1;
	if (is_histogram(val))
		v->nbuckets = MIN(agg_nbuckets(val), (int)(km->value_size / 8));
	return true;
}

/* The keys as the kernel lists them. A key deleted while we walk sends
 * the walk back to the start: the cap ends it, duplicates go later. */
static uint8_t *collect_keys(const struct kmap *km, int *count)
{
	size_t ks = km->key_size;
	long limit = (long)km->max_entries * 2 + 16;
	uint8_t *keys = NULL;
	int n = 0, cap = 0;

	while (n < limit) {
		vec_reserve(&keys, &cap, (int)((size_t)(n + 1) * ks), 1);
		if (bpf_map_next_key(km->fd, n ? keys + (size_t)(n - 1) * ks : NULL,
				     keys + (size_t)n * ks))
			break;
		n++;
	}
	*count = n;
	return keys;
}

static int compare_key_bytes(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	return memcmp(a->key, b->key, a->view->key_size);
}

static int compare_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Keys in their natural order: numbers by value, tuples field by field. */
static int compare_typed(const struct type *t, const uint8_t *a, const uint8_t *b)
{
	int c;

	switch (t->kind) {
	case TY_INT:
	case TY_PTR:
		if (type_is_signed(t))
			return compare_u64(signed_rank((int64_t)load_u64(a)),
					   signed_rank((int64_t)load_u64(b)));
		return compare_u64(load_u64(a), load_u64(b));
	case TY_TUPLE:
		for (int i = 0; i < t->nfields; i++) {
			c = compare_typed(t->fields[i].type, a + t->fields[i].offset,
					  b + t->fields[i].offset);
			if (c)
				return c;
		}
		return 0;
	default:
		return memcmp(a, b, (size_t)type_storage_size(t));
	}
}

static int compare_entries(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	const struct type *key = a->view->m->key;
	int c = compare_u64(a->rank, b->rank);

	if (!c && key)
		c = compare_typed(key, a->key, b->key);
	return c ? c : compare_key_bytes(pa, pb);
}

static uint64_t entry_rank(const struct map_view *v, const uint8_t *val)
{
	if (v->val->kind == TY_AGG)
		return agg_ops[v->val->agg].rank(v, val);
	if (type_is_scalar(v->val))
		return type_is_signed(v->val) ? signed_rank((int64_t)load_u64(val))
					      : load_u64(val);
	return 0;	/* strings, tuples...: by key */
}

/* Looks up every key once and merges per-CPU values; keys deleted since
 * the walk and min/max that no CPU set are dropped. */
static void lookup_entries(const struct map_view *v, struct entries *es)
{
	uint8_t *slots = xmalloc((size_t)v->ncpus * v->val_size);
	const uint8_t *prev = NULL;
	int kept = 0;

	es->vals = xcalloc((size_t)MAX(es->n, 1), v->val_size);
	for (int i = 0; i < es->n; i++) {
		struct entry e = es->items[i];

		if (prev && !memcmp(prev, e.key, v->key_size))
			continue;
		prev = e.key;
		memset(slots, 0, (size_t)v->ncpus * v->val_size);
		if (bpf_map_lookup(v->km->fd, e.key, slots))
			continue;
		e.val = es->vals + (size_t)kept * v->val_size;
		if (v->val->kind == TY_AGG)
			agg_ops[v->val->agg].merge(v, slots, e.val);
		else
			memcpy(e.val, slots, v->val_size);
		if (is_extreme(v->val) && !load_u64(e.val + 8))
			continue;
		e.rank = entry_rank(v, e.val);
		es->items[kept++] = e;
	}
	es->n = kept;
	free(slots);
}

/* Every entry, sorted ascending by value, ties by key. */
static void read_entries(const struct map_view *v, struct entries *es)
{
	memset(es, 0, sizeof(*es));
	es->keys = collect_keys(v->km, &es->n);
	es->items = xcalloc((size_t)MAX(es->n, 1), sizeof(*es->items));
	for (int i = 0; i < es->n; i++)
		es->items[i] = (struct entry){ .view = v, .key = es->keys + (size_t)i * v->key_size };
	qsort(es->items, (size_t)es->n, sizeof(*es->items), compare_key_bytes);
	lookup_entries(v, es);
	qsort(es->items, (size_t)es->n, sizeof(*es->items), compare_entries);
}

static void free_entries(struct entries *es)
{
	free(es->items);
	free(es->keys);
	free(es->vals);
}

static void print_entry_name(FILE *out, struct strbuf *sb, const struct map_view *v,
			     const struct entry *e)
{
	fputs(v->m->display, out);
	if (!v->m->key)
		return;
	sb_reset(sb);
	render_key(sb, v->u, v->m->key, e->key);
	fprintf(out, "[%s]", sb_text(sb));
}

static void render_entry_value(struct strbuf *sb, const struct map_view *v, const uint8_t *val,
			       int64_t div)
{
	const struct type *t = v->val;

	if (t->kind == TY_AGG) {
		agg_ops[t->agg].render(sb, val, div);
	} else if (t->kind == TY_INT && t->fmt == FMT_DEC && div > 0) {
		uint64_t x = load_u64(val);

		render_int(sb, v->u, t, t->is_signed ? (uint64_t)sdiv((int64_t)x, div)
						     : x / (uint64_t)div);
	} else {
		render(sb, v->u, t, val);
	}
}

static void print_values(FILE *out, const struct map_view *v, const struct entries *es,
			 int first, int64_t div)
{
	struct strbuf sb = { 0 };

	for (int i = first; i < es->n && !report_interrupted; i++) {
		print_entry_name(out, &sb, v, &es->items[i]);
		sb_reset(&sb);
		render_entry_value(&sb, v, es->items[i].val, div);
		fprintf(out, ": %s\n", sb_text(&sb));
	}
	fputc('\n', out);
	free(sb.s);
}

/* 2^power the way bpftrace labels hist() buckets: 1K, 2M, ..., 8E. */
static void power_label(char *buf, size_t len, int power)
{
	static const char units[] = " KMGTPE";
	int decade = power / 10;

	if (decade)
		snprintf(buf, len, "%llu%c", 1ULL << (power - 10 * decade), units[decade]);
	else
		snprintf(buf, len, "%llu", 1ULL << power);
}

static void hist_label(char *buf, size_t len, const struct type *t, int i, int nbuckets)
{
	char lo[24], hi[24];

	if (i < 3) {
		snprintf(buf, len, "%s", i == 0 ? "(..., 0)" : i == 1 ? "[0]" : "[1]");
		return;
	}
	power_label(lo, sizeof(lo), i - 2);
	power_label(hi, sizeof(hi), i - 1);
	snprintf(buf, len, "[%s, %s)", lo, hi);
}

/* bpftrace writes lhist() bounds in K and M only when the step is a
 * multiple of 1K; other steps get plain numbers. */
static void lhist_number(char *buf, size_t len, int64_t n, int64_t step)
{
	const int64_t kilo = 1024, mega = 1024 * 1024;

	if (step % kilo == 0 && n != 0 && n % mega == 0)
		snprintf(buf, len, "%lldM", (long long)(n / mega));
	else if (step % kilo == 0 && n != 0 && n % kilo == 0)
		snprintf(buf, len, "%lldK", (long long)(n / kilo));
	else
		snprintf(buf, len, "%lld", (long long)n);
}

/* Bucket i > 0 starts at min + (i - 1) * step, computed without overflow traps. */
static int64_t lhist_bound(const struct type *t, int i)
{
	return (int64_t)((uint64_t)t->lh_min + (uint64_t)(i - 1) * (uint64_t)t->lh_step);
}

static void lhist_label(char *buf, size_t len, const struct type *t, int i, int nbuckets)
{
	char lo[32], hi[32];

	if (i == 0) {
		lhist_number(lo, sizeof(lo), t->lh_min, t->lh_step);
		snprintf(buf, len, "(..., %s)", lo);
	} else if (i == nbuckets - 1) {
		lhist_number(lo, sizeof(lo), t->lh_max, t->lh_step);
		snprintf(buf, len, "[%s, ...)", lo);
	} else {
		lhist_number(lo, sizeof(lo), lhist_bound(t, i), t->lh_step);
		lhist_number(hi, sizeof(hi), lhist_bound(t, i + 1), t->lh_step);
		snprintf(buf, len, "[%s, %s)", lo, hi);
	}
}

/* As bpftrace, div scales hist() counts but not lhist() ones. */
static uint64_t bucket_count(const struct map_view *v, const uint8_t *val, int i, int64_t div)
{
	uint64_t count = load_u64(val + 8 * i);

	return v->val->agg == AGG_HIST && div > 0 ? count / (uint64_t)div : count;
}

static int bar_width(uint64_t count, uint64_t max)
{
	uint64_t width;

	if (!max)
		return 0;
	if (max > UINT64_MAX / BAR_WIDTH)
		width = count / (max / BAR_WIDTH);
	else
		width = count * BAR_WIDTH / max;
	return (int)MIN(width, (uint64_t)BAR_WIDTH);
}

/* The buckets from the first non-zero one to the last. */
static void print_buckets(FILE *out, const struct map_view *v, const uint8_t *val, int64_t div)
{
	void (*label)(char *, size_t, const struct type *, int, int) =
		v->val->agg == AGG_HIST ? hist_label : lhist_label;
	int first = -1, last = -1;
	uint64_t max = 0;
	char text[80];

	for (int i = 0; i < v->nbuckets; i++) {
		if (!load_u64(val + 8 * i))
			continue;
		if (first < 0)
			first = i;
		last = i;
		max = MAX(max, bucket_count(v, val, i, div));
	}
	for (int i = first; first >= 0 && i <= last; i++) {
		uint64_t count = bucket_count(v, val, i, div);

		label(text, sizeof(text), v->val, i, v->nbuckets);
		fprintf(out, "%-16s%8llu |%-*.*s|\n", text, (unsigned long long)count, BAR_WIDTH,
			bar_width(count, max), bar_chars);
	}
}

static void print_histograms(FILE *out, const struct map_view *v, const struct entries *es,
			     int first, int64_t div)
{
	struct strbuf sb = { 0 };

	for (int i = first; i < es->n && !report_interrupted; i++) {
		print_entry_name(out, &sb, v, &es->items[i]);
		fputs(":\n", out);
		print_buckets(out, v, es->items[i].val, div);
		fputc('\n', out);
	}
	free(sb.s);
}

void report_map(FILE *out, struct unit *u, struct map_sym *m, int64_t top, int64_t div)
{
	struct map_view v;
	struct entries es;
	int first;

	if (!map_view_init(&v, u, m))
		return;
	read_entries(&v, &es);
	if (es.n > 0) {
		/* top: the largest entries, still in ascending order */
		first = top > 0 && es.n > top ? es.n - (int)top : 0;
		if (is_histogram(v.val))
			print_histograms(out, &v, &es, first, div);
		else
			print_values(out, &v, &es, first, div);
	}
	free_entries(&es);
}

volatile sig_atomic_t report_interrupted;

static int compare_map_names(const void *pa, const void *pb)
{
	const struct map_sym *const *a = pa, *const *b = pb;

	return strcmp((*a)->name, (*b)->name);
}

void report_all_maps(FILE *out, struct unit *u)
{
	struct map_sym **maps;

	if (u->nmaps <= 0)
		return;
	maps = xmalloc(sizeof(*maps) * (size_t)u->nmaps);
	memcpy(maps, u->maps, sizeof(*maps) * (size_t)u->nmaps);
	qsort(maps, (size_t)u->nmaps, sizeof(*maps), compare_map_names);
	for (int i = 0; i < u->nmaps && !report_interrupted; i++)
		report_map(out, u, maps[i], 0, 0);
	free(maps);
}

void map_clear(struct unit *u, struct map_sym *m)
{
	const struct kmap *km = map_kmap(u, m);
	uint8_t *keys;
	int n;

	if (!km)
		return;
	keys = collect_keys(km, &n);
	for (int i = 0; i < n; i++)
		bpf_map_delete(km->fd, keys + (size_t)i * km->key_size);
	free(keys);
}

void map_zero(struct unit *u, struct map_sym *m)
{
	const struct kmap *km = map_kmap(u, m);
	size_t size;
	uint8_t *keys, *zeros;
	int n;

	if (!km)
		return;
	size = km->type == BPF_MAP_TYPE_PERCPU_HASH
		       ? (size_t)cpus_possible() * ALIGN_UP(km->value_size, 8)
		       : km->value_size;
	zeros = xcalloc(1, size);
	keys = collect_keys(km, &n);
	/* BPF_EXIST: a key deleted meanwhile stays deleted. */
	for (int i = 0; i < n; i++)
		bpf_map_update(km->fd, keys + (size_t)i * km->key_size, zeros, BPF_EXIST);
	free(keys);
	free(zeros);
}

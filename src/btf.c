/* BTF reader: type records indexed by id, functions by name, prototypes
 * converted to awl's types. Input may be hostile: everything is checked. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>

#include "awl/btf.h"

/* Linux 5.10's headers mask the kind with 4 bits and stop at DATASEC;
 * the later kinds are enums in newer headers, so these are our own. */
#define KIND_OF(info) (((info) >> 24) & 0x1f)
#define VLEN_OF(info) ((info) & 0xffff)
#define KFLAG_OF(info) ((info) >> 31)
enum { KIND_FLOAT = 16, KIND_DECL_TAG, KIND_TYPE_TAG, KIND_ENUM64, KIND_LAST = KIND_ENUM64 };

/* Real typedef/qualifier/pointer chains are a few links long; crafted
 * ones may loop. */
#define MAX_DEPTH 32
/* Printing stops here: crafted function pointers could nest without end. */
#define MAX_PROTO_LEN 4096

/* Bytes after each struct btf_type: a fixed part, then vlen records,
 * which start with a name offset in the kinds marked named. */
static const struct {
	unsigned char fixed, per_vlen;
	bool named;
} kind_data[KIND_LAST + 1] = {
	[BTF_KIND_INT] = { 4, 0, false },
	[BTF_KIND_ARRAY] = { sizeof(struct btf_array), 0, false },
	[BTF_KIND_STRUCT] = { 0, sizeof(struct btf_member), true },
	[BTF_KIND_UNION] = { 0, sizeof(struct btf_member), true },
	[BTF_KIND_ENUM] = { 0, sizeof(struct btf_enum), true },
	[BTF_KIND_FUNC_PROTO] = { 0, sizeof(struct btf_param), true },
	[BTF_KIND_VAR] = { sizeof(struct btf_var), 0, false },
	[BTF_KIND_DATASEC] = { 0, sizeof(struct btf_var_secinfo), false },
	[KIND_DECL_TAG] = { 4, 0, false },
	[KIND_ENUM64] = { 0, 12, true },	/* name_off, val_lo32, val_hi32 */
};

struct func_name {
	const char *name;
	int id;
};

struct btf {
	char *data;		/* the whole blob, owned */
	const char *types;	/* type section */
	uint32_t types_len;
	const char *strs;	/* string section: starts and ends with NUL */
	uint32_t strs_len;
	uint32_t *type_off;	/* by id: offset of its record in types */
	int nids;		/* ids 1 .. nids - 1; 0 is void */
	struct func_name *funcs;	/* sorted by name, then id; made lazily */
	int nfuncs;
	bool funcs_indexed;
};

static bool fail(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

static const struct btf_type *type_at(const struct btf *b, uint32_t id)
{
	if (id == 0 || id >= (uint32_t)b->nids)
		return NULL;
	return (const struct btf_type *)(b->types + b->type_off[id]);
}

/* Name offsets were all checked when indexing. */
static const char *name_of(const struct btf *b, const struct btf_type *t)
{
	return b->strs + t->name_off;
}

static bool check_header(struct btf *b, size_t len, char *err, size_t errlen)
{
	struct btf_header hdr;
	uint64_t body;

	memcpy(&hdr, b->data, sizeof(hdr));
	if (hdr.magic == 0x9FeB)
		return fail(err, errlen, "BTF in the other byte order is not supported");
	if (hdr.magic != BTF_MAGIC)
		return fail(err, errlen, "not BTF (magic 0x%04x)", hdr.magic);
	if (hdr.version != BTF_VERSION)
		return fail(err, errlen, "BTF version %u is not supported", hdr.version);
	if (hdr.hdr_len < sizeof(hdr) || hdr.hdr_len > len)
		return fail(err, errlen, "bad BTF header length %u", hdr.hdr_len);
	body = len - hdr.hdr_len;
	if ((uint64_t)hdr.type_off + hdr.type_len > body ||
	    (uint64_t)hdr.str_off + hdr.str_len > body)
		return fail(err, errlen, "BTF sections run past the end");
	/* records are read in place as u32s */
	if ((hdr.hdr_len + hdr.type_off) % 4)
		return fail(err, errlen, "BTF type section is not 4-byte aligned");
	b->types = b->data + hdr.hdr_len + hdr.type_off;
	b->types_len = hdr.type_len;
	b->strs = b->data + hdr.hdr_len + hdr.str_off;
	b->strs_len = hdr.str_len;
	/* then offset 0 is "" and every offset inside is a C string */
	if (!b->strs_len || b->strs[0] || b->strs[b->strs_len - 1])
		return fail(err, errlen, "BTF strings do not start and end with NUL");
	return true;
}

/* Bytes of the record at t, or 0 for a kind we do not know. */
static uint32_t record_size(const struct btf_type *t)
{
	uint32_t kind = KIND_OF(t->info);

	if (kind == 0 || kind > KIND_LAST)
		return 0;
	return (uint32_t)sizeof(*t) + kind_data[kind].fixed +
	       VLEN_OF(t->info) * kind_data[kind].per_vlen;
}

static bool names_in_range(const struct btf *b, const struct btf_type *t)
{
	uint32_t kind = KIND_OF(t->info), per = kind_data[kind].per_vlen;
	const char *vlen_data = (const char *)(t + 1) + kind_data[kind].fixed;

	if (t->name_off >= b->strs_len)
		return false;
	for (uint32_t i = 0; kind_data[kind].named && i < VLEN_OF(t->info); i++)
		if (*(const uint32_t *)(vlen_data + i * per) >= b->strs_len)
			return false;
	return true;
}

static bool index_types(struct btf *b, char *err, size_t errlen)
{
	uint32_t off = 0;
	int cap = 0;

	VEC_PUSH(b->type_off, b->nids, cap, 0);	/* void */
	while (off < b->types_len) {
		const struct btf_type *t = (const struct btf_type *)(b->types + off);
		uint32_t left = b->types_len - off, size;

		if (left < sizeof(*t))
			return fail(err, errlen, "BTF type %d is truncated", b->nids);
		size = record_size(t);
		if (!size)
			return fail(err, errlen, "BTF type %d has unknown kind %u",
				    b->nids, KIND_OF(t->info));
		if (size > left)
			return fail(err, errlen, "BTF type %d runs past the type section", b->nids);
		if (!names_in_range(b, t))
			return fail(err, errlen, "BTF type %d has a name past the strings", b->nids);
		VEC_PUSH(b->type_off, b->nids, cap, off);
		off += size;
	}
	return true;
}

/* Takes data, freeing it on failure. */
static struct btf *parse_owned(char *data, size_t len, char *err, size_t errlen)
{
	struct btf *b = xcalloc(1, sizeof(*b));

	b->data = data;
	if (len < sizeof(struct btf_header)) {
		fail(err, errlen, "BTF is truncated (%zu bytes)", len);
	} else if (check_header(b, len, err, errlen) && index_types(b, err, errlen)) {
		return b;
	}
	btf_free(b);
	return NULL;
}

struct btf *btf_parse(const void *data, size_t len, char *err, size_t errlen)
{
	/* malloc's alignment lets records be read in place */
	char *copy = xmalloc(len);

	if (len)
		memcpy(copy, data, len);
	return parse_owned(copy, len, err, errlen);
}

struct btf *btf_load_vmlinux(char *err, size_t errlen)
{
	static const char path[] = "/sys/kernel/btf/vmlinux";
	char why[256];
	size_t len;
	char *data = read_file(path, &len);
	struct btf *b;

	if (!data) {
		if (errno == ENOENT)
			fail(err, errlen, "no %s: the kernel needs CONFIG_DEBUG_INFO_BTF=y", path);
		else
			fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	b = parse_owned(data, len, why, sizeof(why));
	if (!b)
		fail(err, errlen, "%s: %s", path, why);
	return b;
}

void btf_free(struct btf *b)
{
	if (!b)
		return;
	free(b->funcs);
	free(b->type_off);
	free(b->data);
	free(b);
}

static int by_name(const void *x, const void *y)
{
	const struct func_name *f = x, *g = y;
	int c = strcmp(f->name, g->name);

	return c ? c : (f->id > g->id) - (f->id < g->id);
}

static void index_funcs(const struct btf *b)
{
	/* the name index is a cache: b stays logically const */
	struct btf *cache = (struct btf *)b;
	int cap = 0;

	if (b->funcs_indexed)
		return;
	for (int id = 1; id < b->nids; id++) {
		const struct btf_type *t = type_at(b, (uint32_t)id);
		struct func_name f = { name_of(b, t), id };

		if (KIND_OF(t->info) == BTF_KIND_FUNC)
			VEC_PUSH(cache->funcs, cache->nfuncs, cap, f);
	}
	if (b->nfuncs)
		qsort(cache->funcs, (size_t)b->nfuncs, sizeof(*b->funcs), by_name);
	cache->funcs_indexed = true;
}

/* The first function whose name's first n bytes are >= name's. */
static int lower_bound(const struct btf *b, const char *name, size_t n)
{
	int lo = 0, hi = b->nfuncs;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (strncmp(b->funcs[mid].name, name, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int btf_find_func(const struct btf *b, const char *name)
{
	int i;

	index_funcs(b);
	i = lower_bound(b, name, strlen(name) + 1);
	if (i < b->nfuncs && !strcmp(b->funcs[i].name, name))
		return b->funcs[i].id;
	return -ENOENT;
}

int btf_foreach_func(const struct btf *b, const char *glob,
		     int (*fn)(void *arg, const char *name, int id), void *arg)
{
	/* only names starting with the glob's literal prefix can match */
	size_t prefix = strcspn(glob, "*?[\\");
	int count = 0;

	index_funcs(b);
	for (int i = lower_bound(b, glob, prefix); i < b->nfuncs; i++) {
		const char *name = b->funcs[i].name;
		int ret;

		if (strncmp(name, glob, prefix))
			break;
		/* the kernel attaches by name: one probe per name */
		if (fnmatch(glob, name, 0) || (i && !strcmp(name, b->funcs[i - 1].name)))
			continue;
		count++;
		ret = fn(arg, name, b->funcs[i].id);
		if (ret)
			return ret;
	}
	return count;
}

static const struct btf_type *func_at(const struct btf *b, int id)
{
	const struct btf_type *t = id > 0 ? type_at(b, (uint32_t)id) : NULL;

	return t && KIND_OF(t->info) == BTF_KIND_FUNC ? t : NULL;
}

static const struct btf_type *proto_of(const struct btf *b, const struct btf_type *func)
{
	const struct btf_type *proto = type_at(b, func->type);

	return proto && KIND_OF(proto->info) == BTF_KIND_FUNC_PROTO ? proto : NULL;
}

static const char *const qualifiers[] = {
	[BTF_KIND_CONST] = "const", [BTF_KIND_VOLATILE] = "volatile",
	[BTF_KIND_RESTRICT] = "restrict",
};

static bool is_qualifier(uint32_t kind)
{
	return kind < ARRAY_SIZE(qualifiers) && qualifiers[kind];
}

static bool is_modifier(uint32_t kind)
{
	return is_qualifier(kind) || kind == BTF_KIND_TYPEDEF || kind == KIND_TYPE_TAG;
}

/* The type id names once typedefs, qualifiers and type tags are passed:
 * *out NULL for void. False on a bad id or a chain too long. Sets *user
 * on a "user" type tag: what a __user pointer points to. */
static bool skip_modifiers(const struct btf *b, uint32_t id,
			   const struct btf_type **out, bool *user)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_type *t = type_at(b, id);

		if (!t || !is_modifier(KIND_OF(t->info))) {
			*out = t;
			return t || !id;
		}
		if (KIND_OF(t->info) == KIND_TYPE_TAG && !strcmp(name_of(b, t), "user"))
			*user = true;
		id = t->type;
	}
	return false;
}

static bool is_int_kind(uint32_t kind)
{
	return kind == BTF_KIND_INT || kind == BTF_KIND_ENUM || kind == KIND_ENUM64;
}

/* An INT or ENUM as an awl integer. */
static int int_type(const struct btf *b, const struct btf_type *t, struct type **out)
{
	bool is_signed = KFLAG_OF(t->info);

	if (KIND_OF(t->info) == BTF_KIND_INT) {
		uint32_t enc = BTF_INT_ENCODING(*(const uint32_t *)(t + 1));

		/* plain char has no encoding; awl treats it as signed */
		is_signed = (enc & BTF_INT_SIGNED) || (t->size == 1 &&
			    ((enc & BTF_INT_CHAR) || !strcmp(name_of(b, t), "char")));
	}
	if (t->size == 16)	/* __int128: two slots */
		return -ENOTSUP;
	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
		return -EINVAL;
	*out = type_int((int)t->size, is_signed);
	return 0;
}

/* Pointers to integers keep their pointee; any other is opaque. */
static int ptr_type(const struct btf *b, uint32_t pointee, struct type **out)
{
	const struct btf_type *t;
	struct type *elem = NULL;
	bool user = false;

	if (!skip_modifiers(b, pointee, &t, &user))
		return -EINVAL;
	if (t && is_int_kind(KIND_OF(t->info)))
		int_type(b, t, &elem);	/* __int128 *: left opaque */
	*out = type_ptr(elem, user ? AS_USER : AS_KERNEL);
	return 0;
}

static int convert(const struct btf *b, uint32_t id, struct type **out)
{
	const struct btf_type *t;
	bool user = false;

	if (!skip_modifiers(b, id, &t, &user) || !t)
		return -EINVAL;
	switch (KIND_OF(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case KIND_ENUM64:
		return int_type(b, t, out);
	case BTF_KIND_PTR:
		return ptr_type(b, t->type, out);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case KIND_FLOAT:
		/* trampolines pass small structs in several slots: not yet */
		return -ENOTSUP;
	default:
		return -EINVAL;
	}
}

int btf_func_info(const struct btf *b, int func_id, int word_size,
		  struct btf_func_info *out)
{
	const struct btf_type *func = func_at(b, func_id), *proto;
	const struct btf_param *params;
	int n;

	if (!func)
		return -ENOENT;
	proto = proto_of(b, func);
	if (!proto || (word_size != 4 && word_size != 8))
		return -EINVAL;
	params = (const struct btf_param *)(proto + 1);
	n = VLEN_OF(proto->info);
	if (n && !params[n - 1].type)	/* "...": trampolines refuse these */
		return -ERANGE;
	if (n > MAX_BTF_PARAMS)
		return -E2BIG;
	memset(out, 0, sizeof(*out));
	out->name = name_of(b, func);
	out->nparams = n;
	for (int i = 0; i < n; i++) {
		int err = convert(b, params[i].type, &out->params[i].type);

		if (err)
			return err;
		out->params[i].name = b->strs + params[i].name_off;
	}
	out->ret_void = !proto->type;
	out->ret = &type_none;
	return out->ret_void ? 0 : convert(b, proto->type, &out->ret);
}

static void put_type(const struct btf *b, uint32_t id, struct strbuf *sb, int depth);

/* "ret name(params)": a function, or with name "(*)" a pointer to one. */
static void put_signature(const struct btf *b, const struct btf_type *proto,
			  const char *name, struct strbuf *sb, int depth)
{
	const struct btf_param *params = (const struct btf_param *)(proto + 1);
	int n = VLEN_OF(proto->info);

	put_type(b, proto->type, sb, depth + 1);
	sb_printf(sb, " %s(", name);
	for (int i = 0; i < n && sb->len < MAX_PROTO_LEN; i++) {
		if (i)
			sb_puts(sb, ", ");
		if (!params[i].type && i == n - 1) {
			sb_puts(sb, "...");
			break;
		}
		put_type(b, params[i].type, sb, depth + 1);
		if (params[i].name_off)
			sb_printf(sb, " %s", b->strs + params[i].name_off);
	}
	sb_puts(sb, n ? ")" : "void)");
}

static void put_pointer(const struct btf *b, uint32_t pointee, struct strbuf *sb, int depth)
{
	const struct btf_type *t = type_at(b, pointee);

	if (t && KIND_OF(t->info) == BTF_KIND_FUNC_PROTO) {
		put_signature(b, t, "(*)", sb, depth + 1);
		return;
	}
	put_type(b, pointee, sb, depth + 1);
	sb_puts(sb, sb->len && sb->s[sb->len - 1] == '*' ? "*" : " *");
}

/* C puts a pointer's own qualifiers after it: "char * const". */
static bool qualifies_pointer(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = type_at(b, id);

	for (int depth = 0; t && is_qualifier(KIND_OF(t->info)) && depth < MAX_DEPTH; depth++)
		t = type_at(b, t->type);
	return t && KIND_OF(t->info) == BTF_KIND_PTR;
}

/* Types as written in C, typedef and struct names kept. */
static void put_type(const struct btf *b, uint32_t id, struct strbuf *sb, int depth)
{
	const struct btf_type *t = type_at(b, id);
	uint32_t kind;

	if (!id) {
		sb_puts(sb, "void");
		return;
	}
	if (!t || depth > MAX_DEPTH || sb->len >= MAX_PROTO_LEN) {
		sb_puts(sb, "?");
		return;
	}
	kind = KIND_OF(t->info);
	switch (kind) {
	case BTF_KIND_PTR:
		put_pointer(b, t->type, sb, depth);
		break;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
		if (qualifies_pointer(b, t->type)) {
			put_type(b, t->type, sb, depth + 1);
			sb_printf(sb, " %s", qualifiers[kind]);
		} else {
			sb_printf(sb, "%s ", qualifiers[kind]);
			put_type(b, t->type, sb, depth + 1);
		}
		break;
	case KIND_TYPE_TAG:	/* as the kernel's sources spell it */
		put_type(b, t->type, sb, depth + 1);
		if (!strcmp(name_of(b, t), "user"))
			sb_puts(sb, " __user");
		break;
	case BTF_KIND_FUNC_PROTO:
		put_signature(b, t, "", sb, depth);
		break;
	case BTF_KIND_ARRAY:	/* pointed to: "u16[16] *" reads well enough */
		put_type(b, ((const struct btf_array *)(t + 1))->type, sb, depth + 1);
		sb_printf(sb, "[%u]", ((const struct btf_array *)(t + 1))->nelems);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FWD:
		sb_puts(sb, kind == BTF_KIND_UNION || (kind == BTF_KIND_FWD && KFLAG_OF(t->info)) ?
			"union " : "struct ");
		sb_puts(sb, t->name_off ? name_of(b, t) : "(anon)");
		break;
	case BTF_KIND_ENUM:
	case KIND_ENUM64:
		sb_printf(sb, "enum %s", t->name_off ? name_of(b, t) : "(anon)");
		break;
	default:
		sb_puts(sb, t->name_off ? name_of(b, t) : "?");
		break;
	}
}

int btf_func_print(const struct btf *b, int func_id, FILE *out)
{
	const struct btf_type *func = func_at(b, func_id);
	const struct btf_type *proto = func ? proto_of(b, func) : NULL;
	struct strbuf sb = { 0 };

	if (!proto)
		return func ? -EINVAL : -ENOENT;
	put_signature(b, proto, name_of(b, func), &sb, 0);
	fputs(sb.s, out);
	free(sb.s);
	return 0;
}

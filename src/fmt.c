/* printf formats: parsed into pieces at compile time, applied to event records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awl/fmt.h"
#include "awl/report.h"

/* Wider fields or longer precisions are typos that would make every
 * event print pages of padding. */
#define MAX_WIDTH 4096
#define FLAG_CHARS "-+ #0"
#define CONV_CHARS "diuxXocspv"

/* A conversion's flags, width and precision, as its text spells them. */
struct spec {
	char flags[sizeof(FLAG_CHARS)];	/* each flag once, in the order written */
	int width, prec;		/* -1: not given */
};

static const struct {
	const char *text;
	char length;
} length_modifiers[] = {
	/* longest first: "hh" before "h" */
	{ "hh", 'H' }, { "h", 'h' }, { "ll", 'l' }, { "l", 'l' },
	{ "z", 'l' }, { "j", 'l' }, { "t", 'l' }, { "L", 'l' },
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_flag(char c)
{
	return c && strchr(FLAG_CHARS, c);
}

/* Digits at s[*pos], saturated just past MAX_WIDTH. */
static int read_number(const char *s, size_t len, size_t *pos)
{
	int n = 0;

	for (; *pos < len && is_digit(s[*pos]); (*pos)++)
		n = MIN(n * 10 + (s[*pos] - '0'), MAX_WIDTH + 1);
	return n;
}

/* Reads flags, width and precision from s[*pos]; stops at anything else. */
static void read_spec(const char *s, size_t len, size_t *pos, struct spec *sp)
{
	size_t nflags = 0;

	memset(sp, 0, sizeof(*sp));
	sp->width = sp->prec = -1;
	for (; *pos < len && is_flag(s[*pos]); (*pos)++)
		if (!strchr(sp->flags, s[*pos]))
			sp->flags[nflags++] = s[*pos];
	if (*pos < len && is_digit(s[*pos]))
		sp->width = read_number(s, len, pos);
	if (*pos < len && s[*pos] == '.') {
		(*pos)++;
		sp->prec = read_number(s, len, pos);
	}
}

static char read_length(const char *s, size_t len, size_t *pos)
{
	for (size_t i = 0; i < ARRAY_SIZE(length_modifiers); i++) {
		size_t n = strlen(length_modifiers[i].text);

		if (len - *pos >= n && !memcmp(s + *pos, length_modifiers[i].text, n)) {
			*pos += n;
			return length_modifiers[i].length;
		}
	}
	return 0;
}

/* The spec as a C conversion prefix: "%" flags width .precision. */
static char *spec_text(const struct spec *sp)
{
	struct strbuf sb = { 0 };

	sb_printf(&sb, "%%%s", sp->flags);
	if (sp->width >= 0)
		sb_printf(&sb, "%d", sp->width);
	if (sp->prec >= 0)
		sb_printf(&sb, ".%d", sp->prec);
	return sb_steal(&sb);
}

/* The conversion s[0..n) as a message shows it: odd bytes become '?'. */
static const char *shown(char *buf, size_t size, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 4 < size; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (i < n) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* The conversion starting at the '%' s[*pos]; false after reporting it. */
static bool parse_conversion(const char *s, size_t len, size_t *pos, struct fmt_piece *piece,
			     struct loc loc)
{
	size_t start = *pos;
	struct spec sp;
	char buf[40];

	(*pos)++;
	read_spec(s, len, pos, &sp);
	piece->length = read_length(s, len, pos);
	if (*pos >= len) {
		error_at(loc, "incomplete conversion '%s' at the end of the format",
			 shown(buf, sizeof(buf), s + start, *pos - start));
		return false;
	}
	piece->conv = s[(*pos)++];
	if (piece->conv == '*') {
		error_at(loc, "'%s': widths and precisions from arguments ('*') are not supported",
			 shown(buf, sizeof(buf), s + start, *pos - start));
		return false;
	}
	if (!piece->conv || !strchr(CONV_CHARS, piece->conv)) {
		if ((unsigned char)piece->conv < 0x20 || piece->conv == ' ')
			error_at(loc, "a '%%' not followed by a conversion (write '%%%%' for a '%%')");
		else
			error_at(loc, "unknown conversion '%s' in the format",
				 shown(buf, sizeof(buf), s + start, *pos - start));
		return false;
	}
	if (sp.width > MAX_WIDTH || sp.prec > MAX_WIDTH) {
		error_at(loc, "'%s': widths and precisions above %d are not supported",
			 shown(buf, sizeof(buf), s + start, *pos - start), MAX_WIDTH);
		return false;
	}
	piece->text = spec_text(&sp);
	return true;
}

static void add_piece(struct fmt *f, struct fmt_piece piece)
{
	VEC_PUSH(f->pieces, f->npieces, f->cappieces, piece);
}

static void flush_literal(struct fmt *f, struct strbuf *lit)
{
	if (lit->len)
		add_piece(f, (struct fmt_piece){ .text = sb_steal(lit) });
}

/* As C's printf, the format ends at a NUL byte. */
struct fmt *fmt_parse(const char *s, size_t len, struct loc loc)
{
	struct fmt *f = xcalloc(1, sizeof(*f));
	struct strbuf lit = { 0 };
	size_t pos = 0;

	len = strnlen(s, len);
	while (pos < len) {
		struct fmt_piece piece = { 0 };

		if (s[pos] != '%') {
			sb_putc(&lit, s[pos++]);
			continue;
		}
		if (pos + 1 < len && s[pos + 1] == '%') {
			sb_putc(&lit, '%');
			pos += 2;
			continue;
		}
		if (pos + 1 == len) {
			error_at(loc, "the format ends with a lone '%%' (write '%%%%' for a '%%')");
			goto fail;
		}
		flush_literal(f, &lit);
		if (!parse_conversion(s, len, &pos, &piece, loc))
			goto fail;
		piece.arg = f->nargs++;
		add_piece(f, piece);
	}
	flush_literal(f, &lit);
	return f;
fail:
	free(lit.s);
	fmt_free(f);
	return NULL;
}

void fmt_free(struct fmt *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->npieces; i++)
		free(f->pieces[i].text);
	free(f->pieces);
	free(f);
}

bool fmt_accepts(char conv, const struct type *t)
{
	if (!t || !conv)
		return false;
	if (strchr("diuxXocp", conv))
		return type_is_scalar(t);
	if (conv == 's')
		return t->kind == TY_STR || t->kind == TY_INET || t->kind == TY_TIMESTR ||
		       t->kind == TY_INT;
	if (conv == 'v')
		return t->kind != TY_AGG && t->kind != TY_NONE;
	return false;
}

static uint64_t load_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The piece's text with a C conversion appended; false if it won't fit
 * (only a piece built elsewhere could be that long). */
static bool c_format(char *buf, size_t size, const struct fmt_piece *p, const char *conv)
{
	int n = snprintf(buf, size, "%s%s", p->text, conv);

	return n > 0 && (size_t)n < size;
}

typedef void convert_fn(FILE *out, struct unit *u, const struct fmt_piece *p,
			const struct type *t, const uint8_t *data);

static void print_signed(FILE *out, struct unit *u, const struct fmt_piece *p,
			 const struct type *t, const uint8_t *data)
{
	uint64_t raw = load_u64(data);
	long long v = p->length == 'h' ? (short)raw : p->length == 'H' ? (signed char)raw
									 : (long long)raw;
	char conv[] = { 'l', 'l', p->conv, '\0' };
	char cfmt[64];

	if (c_format(cfmt, sizeof(cfmt), p, conv))
		fprintf(out, cfmt, v);
}

static void print_unsigned(FILE *out, struct unit *u, const struct fmt_piece *p,
			   const struct type *t, const uint8_t *data)
{
	uint64_t raw = load_u64(data);
	unsigned long long v = p->length == 'h' ? (unsigned short)raw
			     : p->length == 'H' ? (unsigned char)raw : raw;
	char conv[] = { 'l', 'l', p->conv, '\0' };
	char cfmt[64];

	if (c_format(cfmt, sizeof(cfmt), p, conv))
		fprintf(out, cfmt, v);
}

static void print_char(FILE *out, struct unit *u, const struct fmt_piece *p,
		       const struct type *t, const uint8_t *data)
{
	char cfmt[64];

	if (c_format(cfmt, sizeof(cfmt), p, "c"))
		fprintf(out, cfmt, (int)(unsigned char)load_u64(data));
}

static void print_string(FILE *out, const struct fmt_piece *p, const char *s)
{
	char cfmt[64];

	if (c_format(cfmt, sizeof(cfmt), p, "s"))
		fprintf(out, cfmt, s);
}

/* Room for any value's text: a byte of storage never takes 8 characters,
 * and probe names and addresses fit in the rest. */
static size_t text_room(const struct type *t)
{
	return (size_t)type_storage_size(t) * 8 + 4096;
}

static void print_text(FILE *out, struct unit *u, const struct fmt_piece *p,
		       const struct type *t, const uint8_t *data)
{
	size_t room = text_room(t);
	char *text = xmalloc(room);

	value_text(u, t, data, text, room);
	print_string(out, p, text);
	free(text);
}

static void print_natural(FILE *out, struct unit *u, const struct fmt_piece *p,
			  const struct type *t, const uint8_t *data)
{
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);

	if (!mem)
		return;
	print_value(mem, u, t, data);
	if (fclose(mem) == 0)
		print_string(out, p, text);
	free(text);
}

static void put_repeated(FILE *out, char c, int n)
{
	for (int i = 0; i < n; i++)
		fputc(c, out);
}

/* "0x" and lowercase hex whatever the value (glibc prints 0 as "(nil)");
 * '0' pads between the prefix and the digits, as glibc does. */
static void print_pointer(FILE *out, struct unit *u, const struct fmt_piece *p,
			  const struct type *t, const uint8_t *data)
{
	char digits[MAX_WIDTH + 24];
	size_t pos = 1;		/* past the '%' */
	struct spec sp;
	int n, pad;
	bool left, zeros;

	read_spec(p->text, strlen(p->text), &pos, &sp);
	left = strchr(sp.flags, '-');
	zeros = !left && strchr(sp.flags, '0') && sp.prec < 0;
	n = snprintf(digits, sizeof(digits), "%.*llx", MIN(MAX(sp.prec, 1), MAX_WIDTH),
		     (unsigned long long)load_u64(data));
	pad = MAX(MIN(sp.width, MAX_WIDTH) - 2 - n, 0);
	put_repeated(out, ' ', left || zeros ? 0 : pad);
	fputs("0x", out);
	put_repeated(out, '0', zeros ? pad : 0);
	fputs(digits, out);
	put_repeated(out, ' ', left ? pad : 0);
}

static const struct {
	char conv;
	bool scalar;		/* reads a 64-bit integer */
	convert_fn *print;
} converters[] = {
	{ 'd', true, print_signed }, { 'i', true, print_signed },
	{ 'u', true, print_unsigned }, { 'x', true, print_unsigned },
	{ 'X', true, print_unsigned }, { 'o', true, print_unsigned },
	{ 'c', true, print_char }, { 'p', true, print_pointer },
	{ 's', false, print_text }, { 'v', false, print_natural },
};

static void print_conversion(FILE *out, struct unit *u, const struct fmt_piece *p,
			     const struct event_desc *ev, const uint8_t *rec)
{
	const struct event_arg *arg;
	int size;

	if (p->arg < 0 || p->arg >= ev->nargs || !ev->args[p->arg].type)
		return;
	arg = &ev->args[p->arg];
	size = type_storage_size(arg->type);
	/* a record laid out elsewhere could disagree: never read past it */
	if (arg->offset < 0 || arg->offset + size > ev->size)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(converters); i++) {
		if (converters[i].conv != p->conv)
			continue;
		if (!converters[i].scalar || size >= 8)
			converters[i].print(out, u, p, arg->type, rec + arg->offset);
		return;
	}
}

void fmt_print(FILE *out, struct unit *u, const struct fmt *f, const struct event_desc *ev,
	       const uint8_t *rec)
{
	if (!f)
		return;
	for (int i = 0; i < f->npieces; i++) {
		const struct fmt_piece *p = &f->pieces[i];

		if (!p->conv)
			fputs(p->text, out);
		else if (ev && rec)
			print_conversion(out, u, p, ev, rec);
	}
}

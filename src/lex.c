/* The lexer: turns the script's bytes into tokens, one at a time, with
 * one token of lookahead. Errors are reported here and the offending
 * bytes skipped, so the parser only ever sees well-formed tokens. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "awl/lex.h"

static const struct {
	const char *word;
	enum tok kind;
} keywords[] = {
	{ "if", TOK_IF }, { "else", TOK_ELSE }, { "return", TOK_RETURN },
	{ "unroll", TOK_UNROLL }, { "delete", TOK_DELETE }, { "while", TOK_WHILE },
	{ "break", TOK_BREAK }, { "continue", TOK_CONTINUE },
};

/* Operators, longest first so that maximal munch is a linear scan. */
static const struct {
	const char *text;
	enum tok kind;
} operators[] = {
	{ "<<=", TOK_SHL_ASSIGN }, { ">>=", TOK_SHR_ASSIGN },
	{ "->", TOK_ARROW }, { "++", TOK_INC }, { "--", TOK_DEC },
	{ "<<", TOK_SHL }, { ">>", TOK_SHR }, { "<=", TOK_LE }, { ">=", TOK_GE },
	{ "==", TOK_EQ }, { "!=", TOK_NE }, { "&&", TOK_ANDAND }, { "||", TOK_OROR },
	{ "+=", TOK_ADD_ASSIGN }, { "-=", TOK_SUB_ASSIGN }, { "*=", TOK_MUL_ASSIGN },
	{ "/=", TOK_DIV_ASSIGN }, { "%=", TOK_MOD_ASSIGN }, { "&=", TOK_AND_ASSIGN },
	{ "|=", TOK_OR_ASSIGN }, { "^=", TOK_XOR_ASSIGN },
	{ "(", TOK_LPAREN }, { ")", TOK_RPAREN }, { "{", TOK_LBRACE }, { "}", TOK_RBRACE },
	{ "[", TOK_LBRACKET }, { "]", TOK_RBRACKET }, { ",", TOK_COMMA }, { ";", TOK_SEMI },
	{ ":", TOK_COLON }, { "?", TOK_QUESTION }, { ".", TOK_DOT }, { "+", TOK_PLUS },
	{ "-", TOK_MINUS }, { "*", TOK_STAR }, { "/", TOK_SLASH }, { "%", TOK_PERCENT },
	{ "&", TOK_AMP }, { "|", TOK_PIPE }, { "^", TOK_CARET }, { "~", TOK_TILDE },
	{ "!", TOK_BANG }, { "<", TOK_LT }, { ">", TOK_GT }, { "=", TOK_ASSIGN },
};

static const char *const tok_names[TOK__COUNT] = {
	[TOK_EOF] = "end of input", [TOK_ERROR] = "invalid token",
	[TOK_INT] = "integer", [TOK_STRING] = "string", [TOK_CHAR] = "character",
	[TOK_IDENT] = "identifier", [TOK_VAR] = "variable",
	[TOK_POSITIONAL] = "positional parameter", [TOK_MAP] = "map",
	[TOK_SPEC] = "probe",
};

const char *tok_name(enum tok kind)
{
	size_t i;

	if (kind < TOK__COUNT && tok_names[kind])
		return tok_names[kind];
	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (keywords[i].kind == kind)
			return keywords[i].word;
	for (i = 0; i < ARRAY_SIZE(operators); i++)
		if (operators[i].kind == kind)
			return operators[i].text;
	return "?";
}

void lex_init(struct lexer *lx, const struct source *src)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->line = 1;
	lx->col = 1;
	/* A #! first line makes the script executable. */
	if (src->len >= 2 && src->text[0] == '#' && src->text[1] == '!') {
		while (lx->pos < src->len && src->text[lx->pos] != '\n')
			lx->pos++;
	}
}

void lex_free(struct lexer *lx)
{
	for (int i = 0; i < lx->nstrings; i++)
		free(lx->strings[i]);
	free(lx->strings);
	lx->strings = NULL;
	lx->nstrings = lx->capstrings = 0;
}

static int cur(const struct lexer *lx)
{
	return lx->pos < lx->src->len ? (unsigned char)lx->src->text[lx->pos] : -1;
}

static int peekc(const struct lexer *lx, size_t ahead)
{
	size_t p = lx->pos + ahead;

	return p < lx->src->len ? (unsigned char)lx->src->text[p] : -1;
}

static void advance(struct lexer *lx)
{
	if (lx->pos >= lx->src->len)
		return;
	if (lx->src->text[lx->pos] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->pos++;
}

static struct loc here(const struct lexer *lx)
{
	return (struct loc){ lx->line, lx->col };
}

static char *keep(struct lexer *lx, char *s)
{
	VEC_PUSH(lx->strings, lx->nstrings, lx->capstrings, s);
	return s;
}

/* Blanks and comments; an unterminated block comment is an error at
 * its start and swallows the rest of the input. */
static void skip_space(struct lexer *lx)
{
	for (;;) {
		int c = cur(lx);

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			advance(lx);
		} else if (c == '/' && peekc(lx, 1) == '/') {
			while (cur(lx) != -1 && cur(lx) != '\n')
				advance(lx);
		} else if (c == '/' && peekc(lx, 1) == '*') {
			struct loc start = here(lx);

			advance(lx);
			advance(lx);
			while (cur(lx) != -1 && !(cur(lx) == '*' && peekc(lx, 1) == '/'))
				advance(lx);
			if (cur(lx) == -1) {
				error_at(start, "unterminated comment");
				return;
			}
			advance(lx);
			advance(lx);
		} else {
			return;
		}
	}
}

bool lex_at_eof(struct lexer *lx)
{
	if (lx->have_ahead)
		return lx->ahead.kind == TOK_EOF;
	skip_space(lx);
	return cur(lx) == -1;
}

static int digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* A digit in some base up to 10: wrong in a smaller one (09, 0b2). */
static bool is_digit_of_any_base(int c)
{
	return c >= '0' && c <= '9';
}

/* Integer literals: 123, 0x7f, 0o17/017, 0b101, 1_000_000, 1e6, with
 * optional C suffixes (u, l, ul, ll, ull) that change nothing. */
static void lex_number(struct lexer *lx, struct token *t)
{
	uint64_t value = 0;
	int base = 10;
	bool overflow = false, any = false, prefixed = false;

	if (cur(lx) == '0') {
		int n = peekc(lx, 1);

		if (n == 'x' || n == 'X')
			base = 16;
		else if (n == 'b' || n == 'B')
			base = 2;
		else if (n == 'o' || n == 'O')
			base = 8;
		if (base != 10) {
			advance(lx);
			advance(lx);
			prefixed = true;
		} else if (n >= '0' && n <= '9') {
			base = 8;
		}
	}
	for (;;) {
		int c = cur(lx), d;

		if (c == '_' && any) {
			advance(lx);
			continue;
		}
		d = c < 0 ? 99 : digit_value(c);
		if (d >= base) {
			if (is_digit_of_any_base(c)) {
				error_at(here(lx), "invalid digit '%c' in %s literal", c,
					 base == 8 ? "octal" : base == 2 ? "binary" : "decimal");
				while (isalnum(cur(lx)) || cur(lx) == '_')
					advance(lx);
				t->kind = TOK_ERROR;
				return;
			}
			break;
		}
		if (value > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = true;
		value = value * (uint64_t)base + (uint64_t)d;
		any = true;
		advance(lx);
	}
	if (!any && (base != 8 || prefixed)) {
		error_at(t->loc, "integer literal has no digits");
		while (isalnum(cur(lx)) || cur(lx) == '_')
			advance(lx);
		t->kind = TOK_ERROR;
		return;
	}
	if (base == 10 && (cur(lx) == 'e' || cur(lx) == 'E') && isdigit(peekc(lx, 1))) {
		uint64_t exp = 0;

		advance(lx);
		while (isdigit(cur(lx))) {
			exp = exp * 10 + (uint64_t)(cur(lx) - '0');
			if (exp > 100)
				exp = 100;
			advance(lx);
		}
		while (exp-- > 0) {
			if (value > UINT64_MAX / 10)
				overflow = true;
			value *= 10;
		}
	}
	while (cur(lx) == 'u' || cur(lx) == 'U' || cur(lx) == 'l' || cur(lx) == 'L')
		advance(lx);
	if (isalnum(cur(lx)) || cur(lx) == '_') {
		error_at(here(lx), "invalid character '%c' in integer literal", cur(lx));
		while (isalnum(cur(lx)) || cur(lx) == '_')
			advance(lx);
		t->kind = TOK_ERROR;
		return;
	}
	if (overflow) {
		error_at(t->loc, "integer literal is too large (more than 64 bits)");
		t->kind = TOK_ERROR;
		return;
	}
	if (t->kind != TOK_ERROR)
		t->kind = TOK_INT;
	t->num = (int64_t)value;
}

/* One character of a string or char literal, escapes decoded. Returns
 * -1 at an end of line or input (the literal is unterminated). */
static int lex_char_in_literal(struct lexer *lx)
{
	int c = cur(lx), v, n;

	if (c == -1 || c == '\n')
		return -1;
	advance(lx);
	if (c != '\\')
		return c;
	c = cur(lx);
	if (c == -1 || c == '\n')
		return -1;
	advance(lx);
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'a': return '\a';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'v': return '\v';
	case 'e': return 27;
	case 'x':
		v = 0;
		for (n = 0; n < 2 && digit_value(cur(lx)) < 16; n++) {
			v = v * 16 + digit_value(cur(lx));
			advance(lx);
		}
		if (n == 0)
			error_at(here(lx), "\\x used with no hex digits");
		return v;
	default:
		if (c >= '0' && c <= '7') {
			v = c - '0';
			for (n = 1; n < 3 && cur(lx) >= '0' && cur(lx) <= '7'; n++) {
				v = v * 8 + cur(lx) - '0';
				advance(lx);
			}
			return v & 0xff;
		}
		return c;	/* \\ \" \' \? and unknown escapes: the char itself */
	}
}

static void lex_string(struct lexer *lx, struct token *t)
{
	struct strbuf sb = { 0 };

	advance(lx);
	for (;;) {
		int c;

		if (cur(lx) == '"') {
			advance(lx);
			break;
		}
		c = lex_char_in_literal(lx);
		if (c < 0) {
			error_at(t->loc, "unterminated string literal");
			t->kind = TOK_ERROR;
			free(sb.s);
			return;
		}
		sb_putc(&sb, (char)c);
	}
	t->kind = TOK_STRING;
	t->len = sb.len;
	t->text = keep(lx, sb_steal(&sb));
}

static void lex_charlit(struct lexer *lx, struct token *t)
{
	int c;

	advance(lx);
	c = cur(lx) == '\'' ? -1 : lex_char_in_literal(lx);
	if (c < 0 || cur(lx) != '\'') {
		error_at(t->loc, c < 0 ? "empty or unterminated character literal"
				       : "character literal holds more than one character");
		while (cur(lx) != -1 && cur(lx) != '\'' && cur(lx) != '\n')
			advance(lx);
		if (cur(lx) == '\'')
			advance(lx);
		t->kind = TOK_ERROR;
		return;
	}
	advance(lx);
	t->kind = TOK_CHAR;
	t->num = (signed char)c;
}

static bool is_ident_start(int c)
{
	return c >= 0 && (isalpha(c) || c == '_');
}

static bool is_ident_char(int c)
{
	return c >= 0 && (isalnum(c) || c == '_');
}

static char *lex_name(struct lexer *lx)
{
	size_t start = lx->pos;

	while (is_ident_char(cur(lx)))
		advance(lx);
	return keep(lx, xstrndup(lx->src->text + start, lx->pos - start));
}

static void lex_one(struct lexer *lx, struct token *t)
{
	int c;

	memset(t, 0, sizeof(*t));
again:
	if (diag_too_many()) {
		t->kind = TOK_EOF;
		t->loc = here(lx);
		return;
	}
	skip_space(lx);
	t->loc = here(lx);
	c = cur(lx);
	if (c == -1) {
		t->kind = TOK_EOF;
		return;
	}
	if (isdigit(c)) {
		lex_number(lx, t);
		return;
	}
	if (c == '"') {
		lex_string(lx, t);
		return;
	}
	if (c == '\'') {
		lex_charlit(lx, t);
		return;
	}
	if (is_ident_start(c)) {
		t->text = lex_name(lx);
		t->kind = TOK_IDENT;
		for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
			if (!strcmp(t->text, keywords[i].word))
				t->kind = keywords[i].kind;
		return;
	}
	if (c == '$') {
		advance(lx);
		if (cur(lx) == '#') {
			advance(lx);
			t->kind = TOK_POSITIONAL;
			t->num = -1;
		} else if (isdigit(cur(lx))) {
			int64_t n = 0;

			while (isdigit(cur(lx))) {
				n = n * 10 + cur(lx) - '0';
				if (n > 1000000)
					n = 1000000;
				advance(lx);
			}
			t->kind = TOK_POSITIONAL;
			t->num = n;
		} else if (is_ident_start(cur(lx))) {
			t->kind = TOK_VAR;
			t->text = lex_name(lx);
		} else {
			error_at(t->loc, "'$' must be followed by a variable name or a number");
			goto again;
		}
		return;
	}
	if (c == '@') {
		advance(lx);
		t->kind = TOK_MAP;
		t->text = is_ident_char(cur(lx)) ? lex_name(lx) : keep(lx, xstrdup(""));
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(operators); i++) {
		const char *op = operators[i].text;
		size_t n = strlen(op);

		if (lx->pos + n <= lx->src->len && !memcmp(lx->src->text + lx->pos, op, n)) {
			for (size_t k = 0; k < n; k++)
				advance(lx);
			t->kind = operators[i].kind;
			return;
		}
	}
	if (c >= 0x20 && c < 0x7f)
		error_at(t->loc, "unexpected character '%c'", c);
	else
		error_at(t->loc, "unexpected byte 0x%02x", c);
	advance(lx);
	goto again;
}

enum tok lex_next(struct lexer *lx)
{
	if (lx->have_ahead) {
		lx->tok = lx->ahead;
		lx->have_ahead = false;
	} else {
		lex_one(lx, &lx->tok);
	}
	return lx->tok.kind;
}

const struct token *lex_peek(struct lexer *lx)
{
	if (!lx->have_ahead) {
		lex_one(lx, &lx->ahead);
		lx->have_ahead = true;
	}
	return &lx->ahead;
}

static bool ends_spec(int c)
{
	return c == -1 || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == ',' || c == '{' || c == '}' || c == ';';
}

enum tok lex_probe_spec(struct lexer *lx)
{
	struct token *t = &lx->tok;
	struct strbuf sb = { 0 };

	/* The parser only calls this at a probe boundary, before peeking. */
	if (lx->have_ahead) {
		lx->tok = lx->ahead;
		lx->have_ahead = false;
		return t->kind;
	}
	memset(t, 0, sizeof(*t));
	skip_space(lx);
	t->loc = here(lx);
	if (cur(lx) == -1) {
		t->kind = TOK_EOF;
		return TOK_EOF;
	}
	while (!ends_spec(cur(lx))) {
		int c = cur(lx);

		if (c == '/' && peekc(lx, 1) == '/')
			break;	/* a // comment right after the spec */
		if (c == '"') {
			advance(lx);
			while (cur(lx) != '"') {
				c = lex_char_in_literal(lx);
				if (c < 0) {
					error_at(t->loc, "unterminated string in probe");
					free(sb.s);
					t->kind = TOK_ERROR;
					return TOK_ERROR;
				}
				sb_putc(&sb, (char)c);
			}
			advance(lx);
			continue;
		}
		if (c < 0x20 || c >= 0x7f) {
			error_at(here(lx), "unexpected byte 0x%02x in probe", c);
			advance(lx);
			continue;
		}
		sb_putc(&sb, (char)c);
		advance(lx);
	}
	t->kind = TOK_SPEC;
	t->len = sb.len;
	t->text = keep(lx, sb_steal(&sb));
	return TOK_SPEC;
}

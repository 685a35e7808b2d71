/* The parser: recursive descent over statements and probes, precedence
 * climbing over C's binary operators. It builds the tree and nothing
 * else: names are resolved and types inferred by the checker. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "awl/parse.h"
#include "awl/lex.h"

/* Deeper nesting than this is an error, not a stack overflow. */
#define MAX_DEPTH 256
/* Longest chain of operators in one expression (a + b + c ...): every
 * later pass recurses over the tree, so its height is bounded. */
#define MAX_TREE_HEIGHT 1000

struct parser {
	struct lexer lx;
	const struct parse_opts *opts;
	int depth;
	bool depth_reported;
	bool in_predicate;	/* a bare '/' ends the /predicate/ */
};

static struct node *parse_expr(struct parser *ps);
static struct node *parse_ternary(struct parser *ps);
static struct node *parse_stmt(struct parser *ps);
static struct node *parse_block(struct parser *ps);
static struct node *parse_unary(struct parser *ps);

static const struct token *tok(struct parser *ps)
{
	return &ps->lx.tok;
}

static enum tok next(struct parser *ps)
{
	return lex_next(&ps->lx);
}

static bool accept(struct parser *ps, enum tok kind)
{
	if (tok(ps)->kind != kind)
		return false;
	next(ps);
	return true;
}

static void describe_tok(const struct token *t, char *buf, size_t len)
{
	switch (t->kind) {
	case TOK_IDENT:
		snprintf(buf, len, "'%s'", t->text);
		break;
	case TOK_VAR:
		snprintf(buf, len, "'$%s'", t->text);
		break;
	case TOK_MAP:
		snprintf(buf, len, "'@%s'", t->text);
		break;
	case TOK_INT: case TOK_STRING: case TOK_CHAR: case TOK_EOF: case TOK_POSITIONAL:
		snprintf(buf, len, "%s", tok_name(t->kind));
		break;
	default:
		snprintf(buf, len, "'%s'", tok_name(t->kind));
	}
}

static bool expect(struct parser *ps, enum tok kind, const char *context)
{
	char got[64];

	if (accept(ps, kind))
		return true;
	if (tok(ps)->kind == TOK_ERROR)
		return false;	/* the lexer already said what is wrong */
	describe_tok(tok(ps), got, sizeof(got));
	error_at(tok(ps)->loc, "expected '%s'%s%s, found %s", tok_name(kind),
		 context ? " " : "", context ? context : "", got);
	return false;
}

static bool enter(struct parser *ps)
{
	if (++ps->depth > MAX_DEPTH) {
		if (!ps->depth_reported)
			error_at(tok(ps)->loc, "nesting is too deep (more than %d levels)", MAX_DEPTH);
		ps->depth_reported = true;
		return false;
	}
	return true;
}

static void leave(struct parser *ps)
{
	ps->depth--;
}

/* Records n's height; false (after an error) when it is too tall. */
static bool grown(struct parser *ps, struct node *n)
{
	struct node *parts[3] = { n->a, n->b, n->c };

	n->depth = 0;
	for (int i = 0; i < 3; i++)
		if (parts[i])
			n->depth = MAX(n->depth, parts[i]->depth);
	for (int i = 0; i < n->nkids; i++)
		n->depth = MAX(n->depth, n->kids[i]->depth);
	if (++n->depth <= MAX_TREE_HEIGHT)
		return true;
	if (!ps->depth_reported)
		error_at(n->loc, "expression is too long (more than %d operators deep)",
			 MAX_TREE_HEIGHT);
	ps->depth_reported = true;
	return false;
}

/* Casts: '(' type ')' where type is a C integer type name, optionally
 * followed by '*'s. Recognised names are checked again by the checker. */
static const char *const cast_words[] = {
	"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
	"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
	"int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
	"uint64_t", "char", "short", "int", "long", "unsigned", "signed", "void",
	"size_t", "ssize_t", "pid_t", "uid_t", "gid_t", "bool", "__u8", "__u16",
	"__u32", "__u64", "__s8", "__s16", "__s32", "__s64",
};

static bool is_cast_word(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cast_words); i++)
		if (!strcmp(name, cast_words[i]))
			return true;
	return false;
}

/* Called at '(' when the next token is a type word: reads "(type *...)". */
static struct node *parse_cast(struct parser *ps, struct loc loc)
{
	struct strbuf sb = { 0 };
	struct node *n = node_new(N_CAST, loc);

	while (tok(ps)->kind == TOK_IDENT && is_cast_word(tok(ps)->text)) {
		if (sb.len)
			sb_putc(&sb, ' ');
		sb_puts(&sb, tok(ps)->text);
		next(ps);
	}
	n->name = sb_steal(&sb);
	while (accept(ps, TOK_STAR))
		n->num++;	/* pointer depth */
	if (!expect(ps, TOK_RPAREN, "after the type of a cast")) {
		node_free(n);
		return NULL;
	}
	return n;
}

static struct node *positional(struct parser *ps, const struct token *t)
{
	struct node *n;
	const char *val;
	char *end;

	if (t->num < 0) {
		n = node_new(N_INT, t->loc);
		n->num = ps->opts ? ps->opts->nparams : 0;
		return n;
	}
	if (t->num == 0) {
		error_at(t->loc, "positional parameters start at $1");
		return NULL;
	}
	val = ps->opts && t->num <= ps->opts->nparams ? ps->opts->params[t->num - 1] : "";
	/* Numeric parameters are integers; anything else is a string. An
	 * absent one reads as 0 (and as "" under str()). */
	long long v = strtoll(val, &end, 0);
	if (*val == '\0' || (*end == '\0' && !isspace((unsigned char)*val))) {
		n = node_new(N_INT, t->loc);
		n->num = *val ? v : 0;
		n->str = xstrdup(val);
		n->len = strlen(val);
		n->op = TOK_POSITIONAL;
		return n;
	}
	n = node_new(N_STR, t->loc);
	n->str = xstrdup(val);
	n->len = strlen(val);
	return n;
}

/* Comma-separated expressions up to `close`; the opening token is
 * already consumed. */
static bool parse_list(struct parser *ps, struct node *into, enum tok close)
{
	if (accept(ps, close))
		return true;
	do {
		struct node *e = parse_expr(ps);

		if (!e)
			return false;
		node_add_kid(into, e);
	} while (accept(ps, TOK_COMMA));
	return expect(ps, close, close == TOK_RPAREN ? "to close the list" : "to close the keys") &&
	       grown(ps, into);
}

static struct node *parse_primary(struct parser *ps)
{
	struct token t = *tok(ps);
	struct node *n;

	switch (t.kind) {
	case TOK_INT:
	case TOK_CHAR:
		next(ps);
		n = node_new(N_INT, t.loc);
		n->num = t.num;
		n->op = t.kind;
		if (t.kind == TOK_INT && t.num < 0)
			n->cast_type = &type_u64;	/* above INT64_MAX */
		return n;
	case TOK_STRING: {
		struct strbuf sb = { 0 };

		/* Adjacent literals concatenate, as in C. */
		while (tok(ps)->kind == TOK_STRING) {
			sb_putn(&sb, tok(ps)->text, tok(ps)->len);
			next(ps);
		}
		n = node_new(N_STR, t.loc);
		n->len = sb.len;
		n->str = sb_steal(&sb);
		return n;
	}
	case TOK_POSITIONAL:
		next(ps);
		return positional(ps, &t);
	case TOK_VAR:
		next(ps);
		n = node_new(N_VAR, t.loc);
		n->name = xstrdup(t.text);
		return n;
	case TOK_MAP:
		next(ps);
		n = node_new(N_MAP, t.loc);
		n->name = xstrdup(t.text);
		if (accept(ps, TOK_LBRACKET)) {
			if (tok(ps)->kind == TOK_RBRACKET) {
				error_at(tok(ps)->loc, "empty map key: write @%s, not @%s[]", t.text, t.text);
				node_free(n);
				return NULL;
			}
			if (!parse_list(ps, n, TOK_RBRACKET)) {
				node_free(n);
				return NULL;
			}
		}
		return n;
	case TOK_IDENT:
		next(ps);
		if (tok(ps)->kind == TOK_LPAREN) {
			next(ps);
			n = node_new(N_CALL, t.loc);
			n->name = xstrdup(t.text);
			if (!parse_list(ps, n, TOK_RPAREN)) {
				node_free(n);
				return NULL;
			}
			return n;
		}
		if (tok(ps)->kind == TOK_LBRACKET) {
			/* ply: a bare name with keys is a map. */
			next(ps);
			n = node_new(N_MAP, t.loc);
			n->name = xstrdup(t.text);
			n->op = TOK_IDENT;	/* marks a bare-name map */
			if (!parse_list(ps, n, TOK_RBRACKET)) {
				node_free(n);
				return NULL;
			}
			return n;
		}
		n = node_new(N_IDENT, t.loc);
		n->name = xstrdup(t.text);
		return n;
	case TOK_LPAREN: {
		bool saved = ps->in_predicate;

		next(ps);
		if (tok(ps)->kind == TOK_IDENT && is_cast_word(tok(ps)->text)) {
			n = parse_cast(ps, t.loc);
			if (!n)
				return NULL;
			if (!enter(ps)) {
				node_free(n);
				return NULL;
			}
			n->a = parse_unary(ps);
			leave(ps);
			if (!n->a || !grown(ps, n)) {
				node_free(n);
				return NULL;
			}
			return n;
		}
		ps->in_predicate = false;
		n = parse_expr(ps);
		if (n && tok(ps)->kind == TOK_COMMA) {
			struct node *tuple = node_new(N_TUPLE, t.loc);

			node_add_kid(tuple, n);
			next(ps);
			n = tuple;
			if (!parse_list(ps, tuple, TOK_RPAREN)) {
				node_free(n);
				n = NULL;
			}
		} else if (n && !expect(ps, TOK_RPAREN, "to close the parenthesis")) {
			node_free(n);
			n = NULL;
		}
		ps->in_predicate = saved;
		return n;
	}
	case TOK_ERROR:
		next(ps);
		return NULL;
	default: {
		char got[64];

		describe_tok(&t, got, sizeof(got));
		error_at(t.loc, "expected an expression, found %s", got);
		return NULL;
	}
	}
}

static struct node *parse_postfix(struct parser *ps)
{
	struct node *n = parse_primary(ps);

	while (n) {
		struct loc loc = tok(ps)->loc;
		enum tok op = tok(ps)->kind;
		struct node *p;

		if (op == TOK_DOT || op == TOK_ARROW) {
			next(ps);
			if (tok(ps)->kind != TOK_IDENT && tok(ps)->kind != TOK_INT) {
				error_at(tok(ps)->loc, "expected a field name after '%s'", tok_name(op));
				node_free(n);
				return NULL;
			}
			p = node_new(N_FIELD, loc);
			p->op = op;
			if (tok(ps)->kind == TOK_INT)	/* tuple element: t.0 */
				p->name = xasprintf("%lld", (long long)tok(ps)->num);
			else
				p->name = xstrdup(tok(ps)->text);
			p->a = n;
			next(ps);
			n = p;
		} else if (op == TOK_LBRACKET) {
			next(ps);
			p = node_new(N_INDEX, loc);
			p->a = n;
			n = p;
			p->b = parse_expr(ps);
			if (!p->b || !expect(ps, TOK_RBRACKET, "after the index")) {
				node_free(n);
				return NULL;
			}
		} else if (op == TOK_INC || op == TOK_DEC) {
			next(ps);
			p = node_new(N_INCDEC, loc);
			p->op = op;
			p->a = n;
			n = p;
		} else {
			break;
		}
		if (!grown(ps, n)) {
			node_free(n);
			return NULL;
		}
	}
	return n;
}

static struct node *parse_unary(struct parser *ps)
{
	struct token t = *tok(ps);
	struct node *n;

	switch (t.kind) {
	case TOK_MINUS: case TOK_PLUS: case TOK_BANG: case TOK_TILDE: case TOK_STAR:
	case TOK_AMP:
		next(ps);
		if (!enter(ps))
			return NULL;
		n = node_new(N_UNOP, t.loc);
		n->op = t.kind;
		n->a = parse_unary(ps);
		leave(ps);
		if (!n->a || !grown(ps, n)) {
			node_free(n);
			return NULL;
		}
		return n;
	case TOK_INC: case TOK_DEC:
		next(ps);
		if (!enter(ps))
			return NULL;
		n = node_new(N_INCDEC, t.loc);
		n->op = t.kind;
		n->num = 1;
		n->a = parse_unary(ps);
		leave(ps);
		if (!n->a || !grown(ps, n)) {
			node_free(n);
			return NULL;
		}
		return n;
	default:
		return parse_postfix(ps);
	}
}

/* Binding power of binary operators, C's order; 0: not a binary op. */
static int binary_prec(const struct parser *ps, enum tok kind)
{
	switch (kind) {
	case TOK_OROR: return 1;
	case TOK_ANDAND: return 2;
	case TOK_PIPE: return 3;
	case TOK_CARET: return 4;
	case TOK_AMP: return 5;
	case TOK_EQ: case TOK_NE: return 6;
	case TOK_LT: case TOK_LE: case TOK_GT: case TOK_GE: return 7;
	case TOK_SHL: case TOK_SHR: return 8;
	case TOK_PLUS: case TOK_MINUS: return 9;
	case TOK_SLASH: return ps->in_predicate ? 0 : 10;
	case TOK_STAR: case TOK_PERCENT: return 10;
	default: return 0;
	}
}

static struct node *parse_binary(struct parser *ps, int min_prec)
{
	struct node *lhs;

	if (!enter(ps))
		return NULL;
	lhs = parse_unary(ps);
	while (lhs) {
		enum tok op = tok(ps)->kind;
		int prec = binary_prec(ps, op);
		struct node *n;

		if (prec < min_prec || prec == 0)
			break;
		n = node_new(N_BINOP, tok(ps)->loc);
		n->op = op;
		next(ps);
		n->a = lhs;
		n->b = parse_binary(ps, prec + 1);	/* all left-associative */
		lhs = n;
		if (!n->b || !grown(ps, n)) {
			node_free(lhs);
			lhs = NULL;
		}
	}
	leave(ps);
	return lhs;
}

static struct node *parse_ternary(struct parser *ps)
{
	struct node *cond = parse_binary(ps, 1), *n;

	if (!cond || tok(ps)->kind != TOK_QUESTION)
		return cond;
	n = node_new(N_TERNARY, tok(ps)->loc);
	next(ps);
	n->a = cond;
	if (!enter(ps)) {
		node_free(n);
		return NULL;
	}
	n->b = parse_expr(ps);
	if (n->b && expect(ps, TOK_COLON, "in the ?: expression"))
		n->c = parse_ternary(ps);
	leave(ps);
	if (!n->b || !n->c || !grown(ps, n)) {
		node_free(n);
		return NULL;
	}
	return n;
}

static struct node *parse_expr(struct parser *ps)
{
	return parse_ternary(ps);
}

static bool is_assign_op(enum tok kind)
{
	return kind >= TOK_ASSIGN && kind <= TOK_SHR_ASSIGN;
}

/* Skips to the end of the broken statement so that the next error
 * reported is a new one. */
static void sync_stmt(struct parser *ps)
{
	int depth = 0;

	for (;;) {
		enum tok k = tok(ps)->kind;

		if (k == TOK_EOF)
			return;
		if (depth == 0 && (k == TOK_SEMI || k == TOK_RBRACE))
			return;
		if (k == TOK_LBRACE)
			depth++;
		if (k == TOK_RBRACE)
			depth--;
		next(ps);
	}
}

static struct node *parse_if(struct parser *ps)
{
	struct node *n = node_new(N_IF, tok(ps)->loc);

	next(ps);
	if (!expect(ps, TOK_LPAREN, "after 'if'"))
		goto fail;
	n->a = parse_expr(ps);
	if (!n->a || !expect(ps, TOK_RPAREN, "after the condition"))
		goto fail;
	n->b = parse_stmt(ps);
	if (!n->b)
		goto fail;
	if (tok(ps)->kind == TOK_SEMI && lex_peek(&ps->lx)->kind == TOK_ELSE)
		next(ps);
	if (accept(ps, TOK_ELSE)) {
		n->c = parse_stmt(ps);
		if (!n->c)
			goto fail;
	}
	return n;
fail:
	node_free(n);
	return NULL;
}

static struct node *parse_delete(struct parser *ps)
{
	struct node *n = node_new(N_CALL, tok(ps)->loc), *e;

	n->name = xstrdup("delete");
	next(ps);
	if (accept(ps, TOK_LPAREN)) {
		if (!parse_list(ps, n, TOK_RPAREN))
			goto fail;
	} else {
		/* ply: delete m[k] */
		e = parse_expr(ps);
		if (!e)
			goto fail;
		node_add_kid(n, e);
	}
	e = node_new(N_EXPR_STMT, n->loc);
	e->a = n;
	return e;
fail:
	node_free(n);
	return NULL;
}

/* keyword (expr) { block }: expr in a, block in b. */
static struct node *parse_paren_block(struct parser *ps, enum node_kind kind, const char *keyword,
				      const char *what)
{
	struct node *n = node_new(kind, tok(ps)->loc);
	char after_kw[48], after_expr[48];

	snprintf(after_kw, sizeof(after_kw), "after %s", keyword);
	snprintf(after_expr, sizeof(after_expr), "after %s", what);
	next(ps);
	if (expect(ps, TOK_LPAREN, after_kw) && (n->a = parse_expr(ps)) &&
	    expect(ps, TOK_RPAREN, after_expr) && (n->b = parse_block(ps)))
		return n;
	node_free(n);
	return NULL;
}

static struct node *parse_stmt_inner(struct parser *ps)
{
	struct token t = *tok(ps);
	struct node *n, *e;

	switch (t.kind) {
	case TOK_LBRACE:
		return parse_block(ps);
	case TOK_IF:
		return parse_if(ps);
	case TOK_RETURN:
		next(ps);
		return node_new(N_RETURN, t.loc);
	case TOK_BREAK:
		next(ps);
		return node_new(N_BREAK, t.loc);
	case TOK_CONTINUE:
		next(ps);
		return node_new(N_CONTINUE, t.loc);
	case TOK_DELETE:
		return parse_delete(ps);
	case TOK_UNROLL:
		/* unroll (count) { body }: count in b, body in a */
		n = parse_paren_block(ps, N_UNROLL, "'unroll'", "the unroll count");
		if (n) {
			struct node *count = n->a;

			n->a = n->b;
			n->b = count;
		}
		return n;
	case TOK_WHILE:
		return parse_paren_block(ps, N_WHILE, "'while'", "the condition");
	default:
		break;
	}
	e = parse_expr(ps);
	if (!e)
		return NULL;
	if (is_assign_op(tok(ps)->kind)) {
		n = node_new(N_ASSIGN, tok(ps)->loc);
		n->op = tok(ps)->kind;
		n->a = e;
		next(ps);
		n->b = parse_expr(ps);
		if (!n->b)
			goto fail;
		return n;
	}
	n = node_new(N_EXPR_STMT, e->loc);
	n->a = e;
	return n;
fail:
	node_free(n);
	return NULL;
}

static struct node *parse_stmt(struct parser *ps)
{
	struct node *n;

	if (!enter(ps))
		return NULL;
	n = parse_stmt_inner(ps);
	leave(ps);
	return n;
}

static bool ends_with_block(const struct node *n)
{
	switch (n->kind) {
	case N_BLOCK: case N_UNROLL: case N_WHILE:
		return true;
	case N_IF:
		return ends_with_block(n->c ? n->c : n->b);
	default:
		return false;
	}
}

/* '{' statements '}': statements are separated by ';', which may be left
 * out after one that ends in a block. */
static struct node *parse_block_at(struct parser *ps, bool probe_body)
{
	struct node *block = node_new(N_BLOCK, tok(ps)->loc);

	if (!expect(ps, TOK_LBRACE, NULL)) {
		node_free(block);
		return NULL;
	}
	for (;;) {
		struct node *s;

		while (accept(ps, TOK_SEMI))
			;
		/* A probe's closing brace is the last token read: the next
		 * probe's spec is lexed differently. */
		if (probe_body && tok(ps)->kind == TOK_RBRACE)
			return block;
		if (accept(ps, TOK_RBRACE))
			return block;
		if (tok(ps)->kind == TOK_EOF) {
			error_at(block->loc, "unclosed '{': the script ends before its '}'");
			node_free(block);
			return NULL;
		}
		s = parse_stmt(ps);
		if (!s) {
			if (ps->depth_reported || tok(ps)->kind == TOK_EOF) {
				node_free(block);
				return NULL;
			}
			sync_stmt(ps);
			continue;
		}
		node_add_kid(block, s);
		if (tok(ps)->kind != TOK_SEMI && tok(ps)->kind != TOK_RBRACE &&
		    !ends_with_block(s)) {
			char got[64];

			describe_tok(tok(ps), got, sizeof(got));
			error_at(tok(ps)->loc, "expected ';' or '}' after the statement, found %s", got);
			sync_stmt(ps);
		}
	}
}

static struct node *parse_block(struct parser *ps)
{
	return parse_block_at(ps, false);
}

static struct probe *parse_probe(struct parser *ps)
{
	struct probe *p = xcalloc(1, sizeof(*p));

	p->loc = tok(ps)->loc;
	for (;;) {
		struct probe_spec spec = { xstrdup(tok(ps)->text), tok(ps)->loc };

		VEC_PUSH(p->specs, p->nspecs, p->capspecs, spec);
		next(ps);
		if (tok(ps)->kind != TOK_COMMA)
			break;
		if (lex_probe_spec(&ps->lx) != TOK_SPEC || tok(ps)->len == 0) {
			error_at(tok(ps)->loc, "expected a probe after ','");
			goto fail;
		}
	}
	if (tok(ps)->kind == TOK_SLASH) {
		ps->in_predicate = true;
		next(ps);
		p->pred = parse_expr(ps);
		ps->in_predicate = false;
		if (!p->pred || !expect(ps, TOK_SLASH, "to end the predicate"))
			goto fail;
	} else if (tok(ps)->kind == TOK_IF) {
		/* ply: probe if (predicate) { ... } */
		next(ps);
		p->pred = parse_expr(ps);
		if (!p->pred)
			goto fail;
	}
	if (tok(ps)->kind != TOK_LBRACE) {
		char got[64];

		describe_tok(tok(ps), got, sizeof(got));
		error_at(tok(ps)->loc, "expected '{' to start the probe's actions, found %s", got);
		goto fail;
	}
	p->body = parse_block_at(ps, true);
	if (!p->body)
		goto fail;
	return p;
fail:
	for (int i = 0; i < p->nspecs; i++)
		free(p->specs[i].text);
	free(p->specs);
	node_free(p->pred);
	free(p);
	return NULL;
}

/* After a broken probe: skip to the '}' that closes it, at depth 0, so
 * the next probe can be parsed. */
static void sync_probe(struct parser *ps)
{
	int depth = 0;

	while (tok(ps)->kind != TOK_EOF) {
		if (tok(ps)->kind == TOK_LBRACE)
			depth++;
		if (tok(ps)->kind == TOK_RBRACE && --depth <= 0)
			return;
		next(ps);
	}
}

struct program *parse_program(const struct source *src, const struct parse_opts *opts)
{
	struct parser ps = { .opts = opts };
	struct program *prog = xcalloc(1, sizeof(*prog));

	lex_init(&ps.lx, src);
	if (lex_at_eof(&ps.lx))
		error_at((struct loc){ 1, 1 }, "the script has no probes");
	while (!diag_too_many()) {
		struct probe *p;
		enum tok k = lex_probe_spec(&ps.lx);

		if (k == TOK_EOF)
			break;
		if (k != TOK_SPEC || tok(&ps)->len == 0) {
			char got[64];

			if (k == TOK_SPEC)
				next(&ps);
			describe_tok(tok(&ps), got, sizeof(got));
			if (tok(&ps)->kind != TOK_ERROR)
				error_at(tok(&ps)->loc, "expected a probe (e.g. tracepoint:syscalls:sys_enter_read), found %s", got);
			sync_probe(&ps);
			continue;
		}
		p = parse_probe(&ps);
		if (!p) {
			if (ps.depth_reported)
				break;
			sync_probe(&ps);
			continue;
		}
		p->index = prog->nprobes;
		VEC_PUSH(prog->probes, prog->nprobes, prog->capprobes, p);
	}
	lex_free(&ps.lx);
	return prog;
}

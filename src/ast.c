/* Syntax tree nodes: allocation, freeing, and the --dump printer. */
#include <stdlib.h>

#include "awl/ast.h"
#include "awl/lex.h"
#include "awl/check.h"

struct node *node_new(enum node_kind kind, struct loc loc)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->loc = loc;
	return n;
}

void node_add_kid(struct node *n, struct node *kid)
{
	VEC_PUSH(n->kids, n->nkids, n->capkids, kid);
}

void node_free(struct node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	node_free(n->c);
	for (int i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->str);
	free(n->aux);
	free(n);
}

void program_free(struct program *prog)
{
	if (!prog)
		return;
	for (int i = 0; i < prog->nprobes; i++) {
		struct probe *p = prog->probes[i];

		for (int j = 0; j < p->nspecs; j++)
			free(p->specs[j].text);
		free(p->specs);
		node_free(p->pred);
		node_free(p->body);
		check_free_probe(p);
		free(p);
	}
	free(prog->probes);
	free(prog);
}

static const char *const kind_names[] = {
	[N_INT] = "int", [N_STR] = "string", [N_IDENT] = "ident", [N_VAR] = "var",
	[N_MAP] = "map", [N_CALL] = "call", [N_BINOP] = "binop", [N_UNOP] = "unop",
	[N_TERNARY] = "?:", [N_CAST] = "cast", [N_FIELD] = "field", [N_INDEX] = "index",
	[N_TUPLE] = "tuple", [N_INCDEC] = "incdec", [N_ASSIGN] = "assign",
	[N_EXPR_STMT] = "expr", [N_IF] = "if", [N_BLOCK] = "block", [N_RETURN] = "return",
	[N_UNROLL] = "unroll", [N_WHILE] = "while", [N_BREAK] = "break",
	[N_CONTINUE] = "continue",
};

static void dump_node(FILE *out, const struct node *n, int depth)
{
	char tbuf[128];

	if (!n)
		return;
	fprintf(out, "%*s%s", depth * 2, "", kind_names[n->kind]);
	switch (n->kind) {
	case N_INT:
		fprintf(out, " %lld", (long long)n->num);
		break;
	case N_STR:
		fputs(" \"", out);
		for (size_t i = 0; i < n->len; i++) {
			unsigned char c = (unsigned char)n->str[i];

			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
				fputc(c, out);
			else
				fprintf(out, "\\x%02x", c);
		}
		fputc('"', out);
		break;
	case N_INCDEC:
		fprintf(out, " %s%s", n->num ? "pre" : "post", tok_name(n->op));
		break;
	case N_BINOP: case N_UNOP: case N_ASSIGN: case N_FIELD:
		fprintf(out, " %s", tok_name(n->op));
		if (n->name)
			fprintf(out, " %s", n->name);
		break;
	case N_UNROLL:
		fprintf(out, " %lld", (long long)n->num);
		break;
	case N_MAP:
		fprintf(out, " %s%s", n->map && n->map->bare ? "" : "@", n->name);
		break;
	default:
		if (n->name)
			fprintf(out, " %s", n->name);
	}
	if (n->type && n->type->kind != TY_NONE)
		fprintf(out, " :: %s", type_name(n->type, tbuf, sizeof(tbuf)));
	fputc('\n', out);
	dump_node(out, n->a, depth + 1);
	dump_node(out, n->b, depth + 1);
	dump_node(out, n->c, depth + 1);
	for (int i = 0; i < n->nkids; i++)
		dump_node(out, n->kids[i], depth + 1);
}

void ast_dump(FILE *out, const struct program *prog)
{
	for (int i = 0; i < prog->nprobes; i++) {
		const struct probe *p = prog->probes[i];

		fputs("probe", out);
		for (int j = 0; j < p->nspecs; j++)
			fprintf(out, "%s %s", j ? "," : "", p->specs[j].text);
		fputc('\n', out);
		if (p->pred) {
			fputs("  predicate\n", out);
			dump_node(out, p->pred, 2);
		}
		dump_node(out, p->body, 1);
	}
}

/* Lexer: bytes to tokens. Probe specs have a syntax of their own (paths,
 * globs, colons), so the parser asks for them explicitly with
 * lex_probe_spec() where a probe begins. */
#ifndef AWL_LEX_H
#define AWL_LEX_H

#include "awl/diag.h"

enum tok {
	TOK_EOF = 0,
	TOK_ERROR,
	TOK_INT,	/* integer literal: tok.num */
	TOK_STRING,	/* string literal, escapes decoded: tok.text/tok.len */
	TOK_CHAR,	/* character literal: tok.num */
	TOK_IDENT,	/* name: tok.text */
	TOK_VAR,	/* $name: tok.text without the $ */
	TOK_POSITIONAL,	/* $1..$N: tok.num; $#: tok.num = -1 */
	TOK_MAP,	/* @name or @: tok.text without the @ ("" for @) */
	TOK_SPEC,	/* probe spec, from lex_probe_spec() */
	/* keywords */
	TOK_IF, TOK_ELSE, TOK_RETURN, TOK_UNROLL, TOK_DELETE, TOK_WHILE,
	TOK_BREAK, TOK_CONTINUE,
	/* punctuation */
	TOK_LPAREN, TOK_RPAREN, TOK_LBRACE, TOK_RBRACE, TOK_LBRACKET, TOK_RBRACKET,
	TOK_COMMA, TOK_SEMI, TOK_COLON, TOK_QUESTION, TOK_DOT, TOK_ARROW,
	TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_PERCENT,
	TOK_AMP, TOK_PIPE, TOK_CARET, TOK_TILDE, TOK_BANG,
	TOK_SHL, TOK_SHR, TOK_LT, TOK_LE, TOK_GT, TOK_GE, TOK_EQ, TOK_NE,
	TOK_ANDAND, TOK_OROR, TOK_INC, TOK_DEC,
	TOK_ASSIGN, TOK_ADD_ASSIGN, TOK_SUB_ASSIGN, TOK_MUL_ASSIGN,
	TOK_DIV_ASSIGN, TOK_MOD_ASSIGN, TOK_AND_ASSIGN, TOK_OR_ASSIGN,
	TOK_XOR_ASSIGN, TOK_SHL_ASSIGN, TOK_SHR_ASSIGN,
	TOK__COUNT
};

struct token {
	enum tok kind;
	struct loc loc;
	int64_t num;
	char *text;		/* owned by the lexer's arena; valid until lex_free */
	size_t len;
};

struct lexer {
	const struct source *src;
	size_t pos;
	int line, col;
	struct token tok;	/* current token */
	struct token ahead;	/* one token of lookahead, valid if have_ahead */
	bool have_ahead;
	char **strings;		/* everything handed out in token.text */
	int nstrings, capstrings;
};

void lex_init(struct lexer *lx, const struct source *src);
void lex_free(struct lexer *lx);
/* Advance to the next token; returns its kind. */
enum tok lex_next(struct lexer *lx);
const struct token *lex_peek(struct lexer *lx);
/* At a probe boundary: skip blanks and comments, then read one probe
 * spec up to blank, ',', '{' (a '/' after a blank starts a predicate). */
enum tok lex_probe_spec(struct lexer *lx);
/* True when only blanks and comments remain. */
bool lex_at_eof(struct lexer *lx);
const char *tok_name(enum tok kind);

#endif

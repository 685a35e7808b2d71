/* Parser: tokens to the syntax tree (recursive descent for statements,
 * precedence climbing for expressions). */
#ifndef AWL_PARSE_H
#define AWL_PARSE_H

#include "awl/ast.h"

struct parse_opts {
	char **params;		/* positional parameters $1..$N */
	int nparams;
};

/* Returns the program; errors are reported as they are found, check
 * diag_error_count() afterwards. Never NULL. */
struct program *parse_program(const struct source *src, const struct parse_opts *opts);

#endif

/* printf-style formats: parsed once at compile time into literal pieces
 * and conversions, applied in user space to each event's arguments. */
#ifndef AWL_FMT_H
#define AWL_FMT_H

#include <stdio.h>
#include "awl/unit.h"

struct fmt_piece {
	char *text;	/* literal text, or the conversion without its length modifier */
	char conv;	/* 0 for literal text; else d i u x X o c s p v */
	int length;	/* length modifier: 0, 'h' (short), 'H' (char), 'l' (long) */
	int arg;	/* argument index of a conversion */
};

struct fmt {
	struct fmt_piece *pieces;
	int npieces, cappieces;
	int nargs;
};

/* Reports bad conversions at loc; NULL after an error. */
struct fmt *fmt_parse(const char *s, size_t len, struct loc loc);
void fmt_free(struct fmt *f);
/* Whether a conversion can print a value of type t. */
bool fmt_accepts(char conv, const struct type *t);
/* Formats the event record rec with f into out. */
void fmt_print(FILE *out, struct unit *u, const struct fmt *f, const struct event_desc *ev,
	       const uint8_t *rec);

#endif

#include <stdio.h>
#include <string.h>

#include "awl/diag.h"

/* Past this many errors the rest are noise (and binary garbage would
 * otherwise print one per byte). */
#define MAX_ERRORS 20

static const struct source *cur_src;
static int nerrors;

void diag_set_source(const struct source *src)
{
	cur_src = src;
}

const struct source *diag_source(void)
{
	return cur_src;
}

int diag_error_count(void)
{
	return nerrors;
}

static bool setup_error;

void diag_setup_error(void)
{
	setup_error = true;
}

bool diag_had_setup_error(void)
{
	return setup_error;
}

bool diag_too_many(void)
{
	return nerrors >= MAX_ERRORS;
}

void diag_reset(void)
{
	cur_src = NULL;
	nerrors = 0;
	setup_error = false;
}

/* Prints the source line of loc and a caret under its column; tabs are
 * kept so the caret lines up in a terminal. */
static void show_line(struct loc loc)
{
	const char *p, *end, *text;
	int line = 1, col;

	if (!cur_src || loc.line <= 0)
		return;
	text = cur_src->text;
	p = text;
	end = text + cur_src->len;
	while (p < end && line < loc.line) {
		if (*p++ == '\n')
			line++;
	}
	if (line != loc.line)
		return;
	const char *eol = p;
	while (eol < end && *eol != '\n')
		eol++;
	if (eol > p && eol[-1] == '\r')
		eol--;	/* a CRLF script */
	fputs("  ", stderr);
	for (const char *q = p; q < eol; q++)
		fputc((unsigned char)*q < 0x20 && *q != '\t' ? '?' : *q, stderr);
	fputs("\n  ", stderr);
	for (col = 1; col < loc.col && p + col - 1 < eol; col++)
		fputc(p[col - 1] == '\t' ? '\t' : ' ', stderr);
	fputs("^\n", stderr);
}

static void report(struct loc loc, const char *kind, const char *fmt, va_list ap)
{
	if (cur_src && loc.line > 0)
		fprintf(stderr, "%s:%d:%d: %s: ", cur_src->name, loc.line, loc.col, kind);
	else
		fprintf(stderr, "awl: %s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	show_line(loc);
}

void error_at(struct loc loc, const char *fmt, ...)
{
	va_list ap;

	if (nerrors++ >= MAX_ERRORS)
		return;
	va_start(ap, fmt);
	report(loc, "error", fmt, ap);
	va_end(ap);
	if (nerrors == MAX_ERRORS)
		fprintf(stderr, "awl: too many errors, giving up\n");
}

void warn_at(struct loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(loc, "warning", fmt, ap);
	va_end(ap);
}

void note_at(struct loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(loc, "note", fmt, ap);
	va_end(ap);
}

void error_plain(const char *fmt, ...)
{
	va_list ap;

	nerrors++;
	fputs("awl: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void warn_plain(const char *fmt, ...)
{
	va_list ap;

	fputs("awl: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Small helpers shared by every stage: allocation that cannot fail
 * silently, growable arrays and a string builder. */
#ifndef AWL_UTIL_H
#define AWL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
NORETURN void die(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Grow *items (of elem_size bytes each) so that index `need` fits. */
void vec_reserve(void *items_p, int *cap, int need, size_t elem_size);
#define VEC_PUSH(items, n, cap, value) \
	do { vec_reserve(&(items), &(cap), (n) + 1, sizeof(*(items))); \
	     (items)[(n)++] = (value); } while (0)

struct strbuf {
	char *s;
	size_t len, cap;
};
void sb_putc(struct strbuf *sb, char c);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
void sb_printf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
char *sb_steal(struct strbuf *sb);

/* Reads a whole file into a NUL-terminated buffer; NULL with errno set. */
char *read_file(const char *path, size_t *len);
/* Levenshtein distance, capped: used to suggest the nearest names. */
int edit_distance(const char *a, const char *b);
bool glob_has_magic(const char *s);

#endif

/* awl -T: checks the kernel features awl needs and says which CONFIG_
 * option, mount or privilege is missing. */
#ifndef AWL_SELFTEST_H
#define AWL_SELFTEST_H

#include <stdio.h>

/* Returns 0 when everything required is there, else 2. */
int selftest(FILE *out);

#endif

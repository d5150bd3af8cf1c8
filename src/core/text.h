/* text: checks on untrusted text. */
#ifndef ADUAN_TEXT_H
#define ADUAN_TEXT_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and contains no NUL. */
bool text_utf8_valid(const char *s, size_t len);

/* Number of code points in valid UTF-8 text. */
size_t text_utf8_len(const char *s);

/* s cut to at most max code points, ending with an ellipsis (channels
 * count characters); s itself when it fits (or is NULL). */
const char *text_cut(arena_t *ar, const char *s, size_t max);

/* v with `decimals` digits after the decimal comma, as Indonesian writes
 * numbers ("87,5"; "-" for a NaN); thousands are not grouped. Fills out
 * (cap >= 32 is always enough for values below 1e20) and returns it. */
char *text_num_id(char *out, size_t cap, double v, int decimals);

#endif

/* Normalises an Indonesian phone number to E.164 digits without '+'
 * (the WhatsApp wa_id form): "0812-3456-7890" -> "6281234567890".
 * Returns 0 and fills out (cap >= 16), or -1 when it is not a plausible
 * number. Sets *mobile when it is an Indonesian mobile (628, 10-13 digits). */
int text_phone_normalize(const char *in, char *out, size_t cap, bool *mobile);

/* Copies s without leading and trailing ASCII white space into the arena-free
 * buffer view: returns the length of the trimmed text starting at *start. */
size_t text_trim(const char *s, const char **start);

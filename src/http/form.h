/* form: what Open311 clients send (issue 17 §1): the fields of an
 * application/x-www-form-urlencoded body, and W3C datetimes. Pure: no
 * I/O; fuzzed by tests/fuzz/fuzz_form.c. */
#ifndef ADUAN_FORM_H
#define ADUAN_FORM_H

#include "core/arena.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fields of one posted request: the spec's dozen and some attribute[...]. */
#define FORM_FIELDS_MAX 48

typedef struct {
    const char *key, *value; /* decoded, NUL-terminated, in the arena */
} form_field;

/* Splits body[0..len) (not NUL-terminated) into fields, percent-decoded
 * ('+' a space) into ar; empty pairs ("a=1&&b=2") are skipped, a key
 * without '=' has the value "". ERR_INVALID for a bad escape, a decoded
 * NUL, text that is not UTF-8, or more than max fields; ERR_NOMEM. */
err_t form_parse(arena_t *ar, const char *body, size_t len, form_field *f, size_t max, size_t *n)
    __attribute__((warn_unused_result));

/* An RFC 3339 / W3C datetime as Unix seconds: YYYY-MM-DDTHH:MM[:SS[.f]]
 * with Z or an offset (+08:00, +0800; none is UTC), or a date alone
 * (midnight UTC). False for anything else, or a day the month has not. */
bool form_w3c_time(const char *s, int64_t *out);

/* t as a W3C datetime in the zone offset_min minutes east of UTC, e.g.
 * 2026-12-02T08:27:00+08:00 (25 bytes); out has room for FORM_TIME_BUF,
 * which holds any int fields the compiler can imagine. */
#define FORM_TIME_BUF 96
void form_w3c_format(int64_t t, int offset_min, char out[FORM_TIME_BUF]);

#endif

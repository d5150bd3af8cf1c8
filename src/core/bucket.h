/* bucket: token buckets keyed by a short string (a client address, a
 * login), in a fixed-size table in memory. Knows nothing about HTTP.
 *
 * A key starts with a full bucket; tokens come back at a steady rate up to
 * the capacity. A refused take may cost a penalty, pushing the bucket into
 * debt (down to -debt_max): a client that keeps asking before its wait is
 * over waits longer each time, one that honours Retry-After gets in.
 *
 * The table is set-associative with a fixed number of slots: a key not
 * seen lately may be forgotten (its slot given to another key), which can
 * only make a bucket fuller, never emptier. Thread-safe. */
#ifndef ADUAN_BUCKET_H
#define ADUAN_BUCKET_H

#include <stdbool.h>
#include <stddef.h>

/* Longest key kept (longer keys are cut, which merges them). */
#define BUCKET_KEY_MAX 80

typedef struct {
    double capacity; /* tokens in a full bucket: the burst */
    double per_s;    /* tokens back per second */
    double debt_max; /* how far below zero penalties may push it */
} bucket_spec;

typedef struct bucket_table bucket_table_t;

/* A table of sets * 4 slots; NULL when out of memory. */
bucket_table_t *bucket_table_new(size_t sets);
void bucket_table_free(bucket_table_t *t); /* accepts NULL */

/* Takes cost tokens of key's bucket at time now (seconds, monotonic) if it
 * holds that many and returns 0. Otherwise takes penalty tokens (bounded
 * by the debt limit) and returns the whole seconds until cost tokens will
 * be there (at least 1). */
int bucket_take(bucket_table_t *t, const bucket_spec *spec, const char *key, double cost,
                double penalty, double now);

/* Gives tokens back (a refund: the work was not done) or, negative,
 * charges more; stays within capacity and the debt limit. */
void bucket_add(bucket_table_t *t, const bucket_spec *spec, const char *key, double tokens,
                double now);

/* Seconds on a monotonic clock, for now. */
double bucket_now(void);

#endif

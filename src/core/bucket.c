#include "core/bucket.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Slots per set: a key competes with few others for its place. */
#define WAYS 4

typedef struct {
    char key[BUCKET_KEY_MAX];
    double tokens, at; /* tokens at time at (monotonic seconds) */
    bool used;
} slot_t;

struct bucket_table {
    pthread_mutex_t mu;
    size_t sets;
    slot_t *slots; /* sets * WAYS */
};

bucket_table_t *bucket_table_new(size_t sets)
{
    bucket_table_t *t = calloc(1, sizeof *t);
    if (!t || sets == 0)
        goto fail;
    t->slots = calloc(sets * WAYS, sizeof *t->slots);
    if (!t->slots)
        goto fail;
    t->sets = sets;
    pthread_mutex_init(&t->mu, NULL);
    return t;
fail:
    free(t);
    return NULL;
}

void bucket_table_free(bucket_table_t *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->mu);
    free(t->slots);
    free(t);
}

double bucket_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; s[i] && i < BUCKET_KEY_MAX - 1; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* The key's slot, refilled to now: found, or a new full one in place of
 * the set's stalest. Called with t->mu held. */
static slot_t *slot_of(bucket_table_t *t, const bucket_spec *spec, const char *key, double now)
{
    slot_t *set = &t->slots[(fnv(key) % t->sets) * WAYS], *s = NULL;
    for (int i = 0; i < WAYS && !s; i++)
        if (set[i].used && strncmp(set[i].key, key, BUCKET_KEY_MAX - 1) == 0)
            s = &set[i];
    if (!s) {
        s = &set[0];
        for (int i = 1; i < WAYS && s->used; i++)
            if (!set[i].used || set[i].at < s->at)
                s = &set[i];
        size_t n = strnlen(key, BUCKET_KEY_MAX - 1);
        memcpy(s->key, key, n);
        s->key[n] = '\0';
        s->used = true;
        s->tokens = spec->capacity;
        s->at = now;
    }
    if (now > s->at) { /* a caller's older now never refills twice */
        s->tokens += (now - s->at) * spec->per_s;
        s->at = now;
    }
    if (s->tokens > spec->capacity)
        s->tokens = spec->capacity;
    return s;
}

static void bound(slot_t *s, const bucket_spec *spec)
{
    if (s->tokens > spec->capacity)
        s->tokens = spec->capacity;
    if (s->tokens < -spec->debt_max)
        s->tokens = -spec->debt_max;
}

int bucket_take(bucket_table_t *t, const bucket_spec *spec, const char *key, double cost,
                double penalty, double now)
{
    pthread_mutex_lock(&t->mu);
    slot_t *s = slot_of(t, spec, key, now);
    int wait = 0;
    if (s->tokens >= cost) {
        s->tokens -= cost;
    } else {
        s->tokens -= penalty;
        bound(s, spec);
        double w = ceil((cost - s->tokens) / spec->per_s);
        wait = w < 1 ? 1 : w > 86400 ? 86400 : (int)w;
    }
    pthread_mutex_unlock(&t->mu);
    return wait;
}

void bucket_add(bucket_table_t *t, const bucket_spec *spec, const char *key, double tokens,
                double now)
{
    pthread_mutex_lock(&t->mu);
    slot_t *s = slot_of(t, spec, key, now);
    s->tokens += tokens;
    bound(s, spec);
    pthread_mutex_unlock(&t->mu);
}

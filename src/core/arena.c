#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most requests need a few KiB; a small first block keeps idle memory low. */
#define ARENA_BLOCK 4096

struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};

struct cleanup {
    struct cleanup *next;
    arena_cleanup_fn fn;
    void *data;
};

struct arena {
    struct block *head;
    struct cleanup *cleanups;
};

arena_t *arena_new(void) { return calloc(1, sizeof(arena_t)); }

void arena_destroy(arena_t *a)
{
    if (!a)
        return;
    for (struct cleanup *c = a->cleanups; c; c = c->next)
        c->fn(c->data);
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *arena_alloc(arena_t *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    struct block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        if (cap > SIZE_MAX - sizeof(struct block))
            return NULL;
        b = malloc(sizeof(struct block) + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        /* A large one-off allocation goes behind the current block so the
         * current block's free space is not wasted. */
        if (a->head && size > ARENA_BLOCK) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena_t *a, const char *s) { return s ? arena_strndup(a, s, strlen(s)) : NULL; }

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

int arena_on_destroy(arena_t *a, arena_cleanup_fn fn, void *data)
{
    /* The node lives in the arena itself, so it is released with it. */
    struct cleanup *c = arena_alloc(a, sizeof *c);
    if (!c) {
        fn(data);
        return -1;
    }
    c->fn = fn;
    c->data = data;
    c->next = a->cleanups;
    a->cleanups = c;
    return 0;
}

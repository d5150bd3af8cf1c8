/* arena: memory whose lifetime is one request (or one command).
 *
 * Allocations are freed together by arena_destroy(). Non-memory resources
 * (a JSON reference, a prepared result) register a cleanup that runs, in
 * reverse order of registration, before the memory is released. */
#ifndef ADUAN_ARENA_H
#define ADUAN_ARENA_H

#include <stddef.h>

typedef struct arena arena_t;
typedef void (*arena_cleanup_fn)(void *data);

/* Returns a new arena, or NULL when out of memory. */
arena_t *arena_new(void);
/* Runs the cleanups and frees everything. Accepts NULL. */
void arena_destroy(arena_t *a);

/* Zeroed memory owned by the arena; NULL when out of memory. */
void *arena_alloc(arena_t *a, size_t size);
/* Copies of strings owned by the arena; NULL when out of memory (or s NULL). */
char *arena_strdup(arena_t *a, const char *s);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Registers fn(data) to run at destroy. Returns 0, or -1 when out of memory,
 * in which case fn(data) has already been run so nothing leaks. */
int arena_on_destroy(arena_t *a, arena_cleanup_fn fn, void *data);

#endif

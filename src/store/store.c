/* store: picks the engine from the URL and dispatches to it. */
#include "store/store_ops.h"

#include <string.h>

err_t store_open(const char *url, unsigned pool_size, store_t **out)
{
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) == 0)
        return sq_open(url, pool_size, out);
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return pg_open(url, pool_size, out);
    return ERR_INVALID;
}

void store_close(store_t *s)
{
    if (s)
        s->ops->close(s);
}

const char *store_engine(const store_t *s) { return s->ops->engine; }

void store_set_durability(store_t *s, store_durability d) { s->durability = d; }

store_durability store_get_durability(const store_t *s) { return s->durability; }

static __thread bool redo;

bool store_redo_commits(bool on)
{
    bool was = redo;
    redo = on;
    return was;
}

bool store_thread_redo(void) { return redo; }

#define X(name, params, args)                                                                      \
    err_t store_##name params { return s->ops->name args; }
STORE_FUNCS(X)
#undef X

static bool word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

int store_words(const char *text, void (*fn)(void *ctx, const char *w, size_t n), void *ctx)
{
    const unsigned char *p = (const unsigned char *)text;
    int count = 0;
    while (*p) {
        while (*p && !word_byte(*p))
            p++;
        const unsigned char *start = p;
        while (*p && word_byte(*p))
            p++;
        if (p > start) {
            fn(ctx, (const char *)start, (size_t)(p - start));
            count++;
        }
    }
    return count;
}

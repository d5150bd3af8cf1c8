/* Internal to store/: the engine table. Every function of store.h (but
 * open and close) is listed once here; store.c generates the dispatchers
 * and each engine fills the table with its own sq_* / pg_* functions. */
#ifndef ADUAN_STORE_OPS_H
#define ADUAN_STORE_OPS_H

#include "store/store.h"

/* X(name, (parameters), (arguments)) */
#define STORE_FUNCS(X)                                                                             \

    /* the list ends here */

typedef struct store_ops {
    const char *engine; /* "sqlite" or "postgres" */
#define X(name, params, args) err_t(*name) params;
    STORE_FUNCS(X)
#undef X
    void (*close)(store_t *s);
} store_ops;

/* The head of every engine's store. */
struct store {
    const struct q_driver *drv; /* the executor's driver (store/drv.h) */
    const store_ops *ops;
    store_durability durability; /* store_set_durability; 0 = fsync */
};

/* Whether the calling thread's commits are redoable (store_redo_commits). */
bool store_thread_redo(void);

/* Each engine: its open function and its table. */
err_t sq_open(const char *url, unsigned pool_size, store_t **out);
err_t pg_open(const char *url, unsigned pool_size, store_t **out);
extern const store_ops sq_ops, pg_ops;

#endif

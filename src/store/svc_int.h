/* Internal to the store: the service-request part of store_wa_apply, run
 * inside its transaction by each engine (sqlite_svc.c, pg_svc.c). */
#ifndef ADUAN_SVC_INT_H
#define ADUAN_SVC_INT_H

#include "store/store.h"

struct conn;
/* SQLite: fx->svc's rows, after the case (fx->new_case) is inserted. */
err_t sq_svc_wa_apply(struct conn *c, arena_t *ar, store_wa_effects *fx);
/* PostgreSQL: the same (c is a pconn_t). */
err_t pq_svc_wa_apply(void *c, arena_t *ar, store_wa_effects *fx);

#endif

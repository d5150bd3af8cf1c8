/* Internal to the store: the service-request part of store_wa_apply, run
 * inside its transaction (svc.c). */
#ifndef ADUAN_SVC_INT_H
#define ADUAN_SVC_INT_H

#include "store/q.h"

/* fx->svc's rows, after the case (fx->new_case) is inserted, on the q_conn
 * of store_wa_apply's open transaction. */
err_t svc_wa_apply(q_conn *c, arena_t *ar, store_wa_effects *fx) STORE_WUR;

/* Until the WhatsApp domain is converted (issue 14; the lead deletes these
 * after the merges): the same on the old connection of a q_conn
 * (sq_of / pq_of), for a caller that holds that q_conn. */
struct conn;
err_t sq_svc_wa_apply(struct conn *c, arena_t *ar, store_wa_effects *fx);
err_t pq_svc_wa_apply(void *c, arena_t *ar, store_wa_effects *fx);

#endif

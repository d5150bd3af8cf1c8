/* Internal to the store: the service-request part of store_dialog_apply, run
 * inside its transaction (svc.c). */
#ifndef ADUAN_SVC_INT_H
#define ADUAN_SVC_INT_H

#include "store/q.h"

/* fx->svc's rows, after the case (fx->new_case) is inserted, on the q_conn
 * of store_dialog_apply's open transaction. */
err_t svc_dialog_apply(q_conn *c, arena_t *ar, store_dialog_effects *fx) STORE_WUR;

#endif

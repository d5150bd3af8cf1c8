/* The PostgreSQL store: the WhatsApp channel's tables. */
#include "store/pg_int.h"

#include <string.h>

err_t pg_wa_inbox_add(store_t *s, const char *body, size_t len, const char *dead_reason,
                      int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO wa_inbox (received_at, body, state, error)"
                              " VALUES ($1, $2, $3, $4) RETURNING id";
    (void)len; /* the body is NUL-terminated text */
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, now);
    pp_text(&p, body);
    pp_text(&p, dead_reason ? "dead" : "new");
    pp_text(&p, dead_reason);
    err_t e = pq_run(c, sql, &p, &r, "wa_inbox_add");
    if (e == ERR_OK && id)
        *id = pq_int(r, 0, 0);
    PQclear(r);
    pq_put(s, c);
    return e;
}

err_t pg_wa_inbox_list(store_t *s, arena_t *ar, const char *state, unsigned limit,
                       store_wa_inbox_row **out, size_t *n)
{
    static const char sql[] = "SELECT id, body, state, attempts, error, received_at FROM wa_inbox"
                              " WHERE ($1::text IS NULL OR state = $1) ORDER BY id DESC LIMIT $2";
    pconn_t *c = pq_get(s);
    *out = NULL;
    *n = 0;
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_text(&p, state);
    pp_int(&p, limit);
    err_t e = pq_run(c, sql, &p, &r, "wa_inbox_list");
    pq_put(s, c);
    if (e != ERR_OK)
        return e;
    int rows = PQntuples(r);
    store_wa_inbox_row *arr = pq_alloc_rows(ar, sizeof *arr, rows);
    for (int i = 0; arr && i < rows; i++) {
        store_wa_inbox_row *v = &arr[i];
        v->id = pq_int(r, i, 0);
        v->body = pq_text(ar, r, i, 1);
        v->state = pq_text(ar, r, i, 2);
        v->attempts = (int)pq_int(r, i, 3);
        v->error = pq_text(ar, r, i, 4);
        v->received_at = pq_int(r, i, 5);
    }
    PQclear(r);
    if (!arr)
        return ERR_NOMEM;
    *out = arr;
    *n = (size_t)rows;
    return ERR_OK;
}

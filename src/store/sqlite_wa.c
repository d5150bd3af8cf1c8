/* The SQLite store: the WhatsApp channel's tables. */
#include "store/sqlite_int.h"

#include <string.h>

err_t sq_wa_inbox_add(store_t *s, const char *body, size_t len, const char *dead_reason,
                      int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO wa_inbox (received_at, body, state, error)"
                              " VALUES (?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, body, (int)len, SQLITE_STATIC);
    sq_bind_text(st, 3, dead_reason ? "dead" : "new");
    sq_bind_text(st, 4, dead_reason);
    e = sq_exec_stmt(c, st, "wa_inbox_add");
    if (e == ERR_OK && id)
        *id = sqlite3_last_insert_rowid(c->db);
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_inbox_list(store_t *s, arena_t *ar, const char *state, unsigned limit,
                       store_wa_inbox_row **out, size_t *n)
{
    static const char sql[] = "SELECT id, body, state, attempts, error, received_at FROM wa_inbox"
                              " WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    store_wa_inbox_row *arr = NULL;
    size_t cnt = 0, cap = 0;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, state);
    sqlite3_bind_int(st, 2, (int)limit);
    while ((e = sq_step_row(c, st, "wa_inbox_list")) == ERR_OK) {
        if (!(arr = sq_grow(ar, arr, sizeof *arr, cnt, &cap))) {
            e = ERR_NOMEM;
            break;
        }
        store_wa_inbox_row *v = &arr[cnt++];
        v->id = sq_int(st, 0);
        v->body = sq_text(ar, st, 1);
        v->state = sq_text(ar, st, 2);
        v->attempts = (int)sq_int(st, 3);
        v->error = sq_text(ar, st, 4);
        v->received_at = sq_int(st, 5);
    }
    sqlite3_reset(st);
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
out:
    sq_put(s, c);
    *out = arr;
    *n = cnt;
    return e;
}

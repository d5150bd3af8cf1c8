/* Internal to store/: the engine table. Every function of store.h (but
 * open and close) is listed once here; store.c generates the dispatchers
 * and each engine fills the table with its own sq_* / pg_* functions. */
#ifndef ADUAN_STORE_OPS_H
#define ADUAN_STORE_OPS_H

#include "store/store.h"

/* X(name, (parameters), (arguments)) */
#define STORE_FUNCS(X)                                                                             \
    X(wa_inbox_add_batch, (store_t * s, store_wa_inbox_new * rows, size_t n, int64_t now),         \
      (s, rows, n, now))                                                                           \
    X(wa_inbox_add,                                                                                \
      (store_t * s, const char *body, size_t len, const char *dead_reason, int64_t now,            \
       int64_t *id),                                                                               \
      (s, body, len, dead_reason, now, id))                                                        \
    X(wa_inbox_list,                                                                               \
      (store_t * s, arena_t * ar, const char *state, unsigned limit, store_wa_inbox_row **out,     \
       size_t *n),                                                                                 \
      (s, ar, state, limit, out, n))                                                               \
    X(wa_inbox_claim,                                                                              \
      (store_t * s, arena_t * ar, int64_t now, int64_t lease, unsigned max,                        \
       store_wa_inbox_row **out, size_t *n),                                                       \
      (s, ar, now, lease, max, out, n))                                                            \
    X(wa_inbox_finish,                                                                             \
      (store_t * s, int64_t id, const char *state, const char *error, const char *summary,         \
       int64_t now),                                                                               \
      (s, id, state, error, summary, now))                                                         \
    X(wa_inbox_purge,                                                                              \
      (store_t * s, const char *state, int64_t before, unsigned max, int64_t now, size_t *n),      \
      (s, state, before, max, now, n))                                                             \
    X(wa_inbox_unsealed,                                                                           \
      (store_t * s, arena_t * ar, unsigned max, store_wa_inbox_row **out, size_t *n),              \
      (s, ar, max, out, n))                                                                        \
    X(wa_inbox_seal, (store_t * s, int64_t id, const char *sealed), (s, id, sealed))               \
    X(agency_by_number,                                                                            \
      (store_t * s, arena_t * ar, const char *phone_number_id, store_agency *out),                 \
      (s, ar, phone_number_id, out))                                                               \
    X(wa_conversation_get,                                                                         \
      (store_t * s, arena_t * ar, int64_t agency_id, const char *wa_id,                            \
       store_wa_conversation *out),                                                                \
      (s, ar, agency_id, wa_id, out))                                                              \
    X(wa_drafts_stale,                                                                             \
      (store_t * s, arena_t * ar, int64_t before, unsigned max, store_wa_draft **out, size_t *n),  \
      (s, ar, before, max, out, n))                                                                \
    X(wa_draft_clean,                                                                              \
      (store_t * s, int64_t agency_id, const char *wa_id, int version, const char *draft),         \
      (s, agency_id, wa_id, version, draft))                                                       \
    X(case_list_for_wa,                                                                            \
      (store_t * s, arena_t * ar, int64_t agency_id, const char *wa_id, unsigned limit,            \
       store_case **out, size_t *n),                                                               \
      (s, ar, agency_id, wa_id, limit, out, n))                                                    \
    X(wa_apply, (store_t * s, arena_t * ar, store_wa_effects * fx), (s, ar, fx))                   \
    X(wa_status,                                                                                   \
      (store_t * s, const char *wamid, const char *status, const char *error, int64_t now,         \
       bool *duplicate),                                                                           \
      (s, wamid, status, error, now, duplicate))                                                   \
    X(wa_outbox_claim,                                                                             \
      (store_t * s, arena_t * ar, int64_t now, int64_t lease, unsigned max,                        \
       store_wa_outbox_row **out, size_t *n),                                                      \
      (s, ar, now, lease, max, out, n))                                                            \
    X(wa_outbox_sent,                                                                              \
      (store_t * s, int64_t id, const char *wamid, bool used_template, const char *payload,        \
       int64_t now),                                                                               \
      (s, id, wamid, used_template, payload, now))                                                 \
    X(wa_outbox_retry, (store_t * s, int64_t id, int64_t next_at, const char *error, int64_t now), \
      (s, id, next_at, error, now))                                                                \
    X(wa_outbox_list,                                                                              \
      (store_t * s, arena_t * ar, const char *to_wa_id, unsigned limit,                            \
       store_wa_outbox_item **out, size_t *n),                                                     \
      (s, ar, to_wa_id, limit, out, n))                                                            \
    X(wa_operator_message,                                                                         \
      (store_t * s, int64_t case_id, int64_t actor_id, const char *payload, const char *template,  \
       const char *note, int64_t now, int64_t *outbox_id, bool *window_open),                      \
      (s, case_id, actor_id, payload, template, note, now, outbox_id, window_open))                \
    X(wa_media_claim,                                                                              \
      (store_t * s, arena_t * ar, int64_t now, int64_t lease, unsigned max,                        \
       store_wa_media_job **out, size_t *n),                                                       \
      (s, ar, now, lease, max, out, n))                                                            \
    X(wa_media_stored,                                                                             \
      (store_t * s, int64_t id, const char *sha256_hex, int64_t size, const char *mime,            \
       int64_t now),                                                                               \
      (s, id, sha256_hex, size, mime, now))                                                        \
    X(wa_media_retry, (store_t * s, int64_t id, int64_t next_at, const char *error, int64_t now),  \
      (s, id, next_at, error, now))                                                                \
    X(wa_text_set,                                                                                 \
      (store_t * s, const char *key, const char *lang, const char *text, int64_t user_id,          \
       int64_t now),                                                                               \
      (s, key, lang, text, user_id, now))                                                          \
    X(wa_text_list,                                                                                \
      (store_t * s, arena_t * ar, store_wa_text * *out, size_t * n, int64_t * version),            \
      (s, ar, out, n, version))                                                                    \
    X(calendar_get, (store_t * s, arena_t * ar, int64_t agency_id, store_calendar * out),          \
      (s, ar, agency_id, out))                                                                     \
    X(calendar_put, (store_t * s, const store_calendar *c, int64_t now), (s, c, now))              \
    X(holiday_list,                                                                                \
      (store_t * s, arena_t * ar, int64_t agency_id, const char *from, const char *to,             \
       store_holiday **out, size_t *n),                                                            \
      (s, ar, agency_id, from, to, out, n))                                                        \
    X(holiday_put, (store_t * s, const store_holiday *h, int64_t now), (s, h, now))                \
    X(holiday_delete, (store_t * s, int64_t agency_id, const char *day), (s, agency_id, day))      \
    X(sla_policy_get, (store_t * s, arena_t * ar, int64_t category_id, store_sla_policy * out),    \
      (s, ar, category_id, out))                                                                   \
    X(sla_policy_put, (store_t * s, const store_sla_policy *p, int64_t now), (s, p, now))          \
    X(sla_case_get, (store_t * s, arena_t * ar, int64_t case_id, store_sla_case * out),            \
      (s, ar, case_id, out))                                                                       \
    X(sla_for_cases,                                                                               \
      (store_t * s, arena_t * ar, const int64_t *ids, size_t n, store_sla_case **out,              \
       size_t *nout),                                                                              \
      (s, ar, ids, n, out, nout))                                                                  \
    X(sla_stale, (store_t * s, arena_t * ar, unsigned max, int64_t **ids, size_t *n),              \
      (s, ar, max, ids, n))                                                                        \
    X(sla_due,                                                                                     \
      (store_t * s, arena_t * ar, int64_t now, unsigned max, store_sla_case **out, size_t *n),     \
      (s, ar, now, max, out, n))                                                                   \
    X(sla_set, (store_t * s, int64_t case_id, const store_sla_times *t), (s, case_id, t))          \
    X(sla_escalate, (store_t * s, store_sla_escalation * x), (s, x))                               \
    X(sla_supervisors,                                                                             \
      (store_t * s, arena_t * ar, int64_t agency_id, store_staff * *out, size_t * n),              \
      (s, ar, agency_id, out, n))                                                                  \
    X(activity_events,                                                                             \
      (store_t * s, arena_t * ar, int64_t agency_id, int64_t from, int64_t to, unsigned max,       \
       store_activity_row **out, size_t *n, bool *truncated),                                      \
      (s, ar, agency_id, from, to, max, out, n, truncated))                                        \
    X(sla_attention,                                                                               \
      (store_t * s, arena_t * ar, int64_t agency_id, int64_t now, unsigned max,                    \
       store_sla_case **out, size_t *n),                                                           \
      (s, ar, agency_id, now, max, out, n))                                                        \
    X(duty_list, (store_t * s, arena_t * ar, int64_t agency_id, store_duty * *out, size_t * n),    \
      (s, ar, agency_id, out, n))                                                                  \
    X(duty_add, (store_t * s, const store_duty *d, int64_t now, int64_t *id), (s, d, now, id))     \
    X(duty_delete, (store_t * s, int64_t agency_id, int64_t id), (s, agency_id, id))               \
    X(dispatch_get, (store_t * s, arena_t * ar, int64_t case_id, store_dispatch_info * out),       \
      (s, ar, case_id, out))                                                                       \
    X(dispatch_due,                                                                                \
      (store_t * s, arena_t * ar, int64_t now, int64_t accept_seconds, unsigned max,               \
       int64_t **ids, size_t *n),                                                                  \
      (s, ar, now, accept_seconds, max, ids, n))                                                   \
    X(dispatch_missed,                                                                             \
      (store_t * s, arena_t * ar, int64_t since, int64_t until, unsigned max, int64_t **ids,       \
       size_t *n),                                                                                 \
      (s, ar, since, until, max, ids, n))                                                          \
    X(dispatch_alert, (store_t * s, arena_t * ar, store_alert * a), (s, ar, a))                    \
    X(dispatch_accept,                                                                             \
      (store_t * s, int64_t case_id, int64_t user_id, int64_t now, const store_alert_msg *tell,    \
       size_t ntell),                                                                              \
      (s, case_id, user_id, now, tell, ntell))                                                     \
    X(dispatch_active, (store_t * s, int64_t user_id, int64_t * case_id), (s, user_id, case_id))   \
    X(staff_notify,                                                                                \
      (store_t * s, int64_t case_id, const store_alert_msg *m, size_t n, int64_t now),             \
      (s, case_id, m, n, now))                                                                     \
    X(dispatch_attach,                                                                             \
      (store_t * s, int64_t case_id, const char *media_id, const char *mime, const char *sha256,   \
       const char *filename, int64_t now),                                                         \
      (s, case_id, media_id, mime, sha256, filename, now))                                         \
    X(case_note_event,                                                                             \
      (store_t * s, int64_t case_id, const char *action, int64_t actor_id, const char *note,       \
       int64_t now),                                                                               \
      (s, case_id, action, actor_id, note, now))                                                   \
    X(case_link,                                                                                   \
      (store_t * s, int64_t case_id, int64_t duplicate_of, int64_t follows_id, const char *action, \
       int64_t actor_id, const char *note, int64_t now),                                           \
      (s, case_id, duplicate_of, follows_id, action, actor_id, note, now))                         \
    X(case_nearby,                                                                                 \
      (store_t * s, arena_t * ar, int64_t category_id, int64_t since, int64_t exclude_id,          \
       double lat_min, double lat_max, double lon_min, double lon_max, store_nearby **out,         \
       size_t *n),                                                                                 \
      (s, ar, category_id, since, exclude_id, lat_min, lat_max, lon_min, lon_max, out, n))         \
    X(category_forward, (store_t * s, int64_t category_id, int64_t * to), (s, category_id, to))    \
    X(category_set_forward, (store_t * s, int64_t category_id, int64_t to), (s, category_id, to))  \
    X(category_update, (store_t * s, const store_category *c), (s, c))                             \
    X(canned_list,                                                                                 \
      (store_t * s, arena_t * ar, int64_t agency_id, store_canned_reply * *out, size_t * n),       \
      (s, ar, agency_id, out, n))                                                                  \
    X(canned_get, (store_t * s, arena_t * ar, int64_t id, store_canned_reply * out),               \
      (s, ar, id, out))                                                                            \
    X(canned_put, (store_t * s, store_canned_reply * r, int64_t user_id, int64_t now),             \
      (s, r, user_id, now))                                                                        \
    X(canned_delete, (store_t * s, int64_t id), (s, id))                                           \
    X(team_update, (store_t * s, const store_team *t), (s, t))                                     \
    X(team_members, (store_t * s, arena_t * ar, int64_t team_id, store_user * *out, size_t * n),   \
      (s, ar, team_id, out, n))                                                                    \
    X(team_remove_member, (store_t * s, int64_t team_id, int64_t user_id), (s, team_id, user_id))  \
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

/* Splits free text into words (runs of letters and digits; any non-ASCII
 * byte counts as a letter) and calls fn for each. Returns the count. Both
 * engines search by these words, so they find the same cases. */
int store_words(const char *text, void (*fn)(void *ctx, const char *w, size_t n), void *ctx);

/* Each engine: its open function and its table. */
err_t sq_open(const char *url, unsigned pool_size, store_t **out);
err_t pg_open(const char *url, unsigned pool_size, store_t **out);
extern const store_ops sq_ops, pg_ops;

#endif

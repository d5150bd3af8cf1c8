/* Internal to store/: the engine table. Every function of store.h (but
 * open and close) is listed once here; store.c generates the dispatchers
 * and each engine fills the table with its own sq_* / pg_* functions. */
#ifndef ADUAN_STORE_OPS_H
#define ADUAN_STORE_OPS_H

#include "store/store.h"

/* X(name, (parameters), (arguments)) */
#define STORE_FUNCS(X)                                                                             \
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

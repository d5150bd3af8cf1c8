/* Internal to store/: the engine table. Every function of store.h (but
 * open and close) is listed once here; store.c generates the dispatchers
 * and each engine fills the table with its own sq_* / pg_* functions. */
#ifndef ADUAN_STORE_OPS_H
#define ADUAN_STORE_OPS_H

#include "store/store.h"

/* X(name, (parameters), (arguments)) */
#define STORE_FUNCS(X)                                                                             \
    X(migrate, (store_t * s, int *applied), (s, applied))                                          \
    X(schema_version, (store_t * s, int *version), (s, version))                                   \
    X(ping, (store_t * s), (s))                                                                    \
    X(claim, (store_t * s), (s))                                                                   \
    X(check_durable, (store_t * s, store_durability d, char *why, size_t cap), (s, d, why, cap))   \
    X(maintain, (store_t * s), (s))                                                                \
    X(agency_create, (store_t * s, const store_agency *a, int64_t now, int64_t *id),               \
      (s, a, now, id))                                                                             \
    X(agency_get, (store_t * s, arena_t * ar, int64_t id, store_agency * out), (s, ar, id, out))   \
    X(agency_find, (store_t * s, arena_t * ar, const char *id_or_code, store_agency *out),         \
      (s, ar, id_or_code, out))                                                                    \
    X(agency_list, (store_t * s, arena_t * ar, store_agency * *out, size_t * n), (s, ar, out, n))  \
    X(agency_number_add,                                                                           \
      (store_t * s, int64_t agency_id, const char *phone_number_id, const char *display_phone,     \
       int64_t now),                                                                               \
      (s, agency_id, phone_number_id, display_phone, now))                                         \
    X(agency_numbers, (store_t * s, arena_t * ar, int64_t agency_id, const char **out),            \
      (s, ar, agency_id, out))                                                                     \
    X(region_put, (store_t * s, const char *code, const char *name), (s, code, name))              \
    X(region_list, (store_t * s, arena_t * ar, store_region * *out, size_t * n), (s, ar, out, n))  \
    X(region_exists, (store_t * s, const char *code), (s, code))                                   \
    X(region_shapes_put, (store_t * s, const store_region_shape *v, size_t n, int64_t now),        \
      (s, v, n, now))                                                                              \
    X(region_shapes_at,                                                                            \
      (store_t * s, arena_t * ar, double lat, double lon, store_region_shape **out, size_t *n),    \
      (s, ar, lat, lon, out, n))                                                                   \
    X(user_create,                                                                                 \
      (store_t * s, const char *login, const char *name, const char *password_hash, int64_t now,   \
       int64_t *id),                                                                               \
      (s, login, name, password_hash, now, id))                                                    \
    X(user_get, (store_t * s, arena_t * ar, int64_t id, store_user * out), (s, ar, id, out))       \
    X(user_by_login, (store_t * s, arena_t * ar, const char *login, store_user *out),              \
      (s, ar, login, out))                                                                         \
    X(user_list, (store_t * s, arena_t * ar, store_user * *out, size_t * n), (s, ar, out, n))      \
    X(user_by_wa, (store_t * s, arena_t * ar, const char *wa_id, store_user *out),                 \
      (s, ar, wa_id, out))                                                                         \
    X(user_set_wa, (store_t * s, int64_t id, const char *wa_id), (s, id, wa_id))                   \
    X(user_set_password, (store_t * s, int64_t id, const char *password_hash),                     \
      (s, id, password_hash))                                                                      \
    X(user_set_disabled, (store_t * s, int64_t id, bool disabled), (s, id, disabled))              \
    X(login_begin,                                                                                 \
      (store_t * s, const char *login, const char *client, int64_t now,                            \
       const store_login_policy *p, int64_t *locked_until, bool *global),                          \
      (s, login, client, now, p, locked_until, global))                                            \
    X(login_ok,                                                                                    \
      (store_t * s, const char *login, const char *client, int64_t now,                            \
       const store_login_policy *p),                                                               \
      (s, login, client, now, p))                                                                  \
    X(login_failed,                                                                                \
      (store_t * s, const char *login, int64_t now, const store_login_policy *p, int *attack),     \
      (s, login, now, p, attack))                                                                  \
    X(login_attacks,                                                                               \
      (store_t * s, arena_t * ar, int64_t since, store_login_attack * *out, size_t * n),           \
      (s, ar, since, out, n))                                                                      \
    X(user_set_role, (store_t * s, int64_t user_id, int64_t agency_id, const char *role),          \
      (s, user_id, agency_id, role))                                                               \
    X(user_roles, (store_t * s, arena_t * ar, int64_t user_id, store_role * *out, size_t * n),     \
      (s, ar, user_id, out, n))                                                                    \
    X(session_create,                                                                              \
      (store_t * s, const char *token_hash, int64_t user_id, const char *csrf, int64_t now,        \
       int64_t expires_at),                                                                        \
      (s, token_hash, user_id, csrf, now, expires_at))                                             \
    X(session_get,                                                                                 \
      (store_t * s, arena_t * ar, const char *token_hash, int64_t now, store_session *out),        \
      (s, ar, token_hash, now, out))                                                               \
    X(session_delete, (store_t * s, const char *token_hash), (s, token_hash))                      \
    X(team_create, (store_t * s, const store_team *t, int64_t now, int64_t *id), (s, t, now, id))  \
    X(team_get, (store_t * s, arena_t * ar, int64_t id, store_team * out), (s, ar, id, out))       \
    X(team_list, (store_t * s, arena_t * ar, int64_t agency_id, store_team * *out, size_t * n),    \
      (s, ar, agency_id, out, n))                                                                  \
    X(team_add_member, (store_t * s, int64_t team_id, int64_t user_id), (s, team_id, user_id))     \
    X(team_has_member, (store_t * s, int64_t team_id, int64_t user_id), (s, team_id, user_id))     \
    X(category_create, (store_t * s, const store_category *c, int64_t *id), (s, c, id))            \
    X(category_get, (store_t * s, arena_t * ar, int64_t id, store_category * out),                 \
      (s, ar, id, out))                                                                            \
    X(category_list,                                                                               \
      (store_t * s, arena_t * ar, int64_t agency_id, store_category * *out, size_t * n),           \
      (s, ar, agency_id, out, n))                                                                  \
    X(case_create,                                                                                 \
      (store_t * s, arena_t * ar, store_case * c, const store_reporter_in *rep, const char *note), \
      (s, ar, c, rep, note))                                                                       \
    X(case_get, (store_t * s, arena_t * ar, int64_t id, store_case * out), (s, ar, id, out))       \
    X(case_by_code, (store_t * s, arena_t * ar, const char *code, store_case *out),                \
      (s, ar, code, out))                                                                          \
    X(case_events, (store_t * s, arena_t * ar, int64_t case_id, store_event * *out, size_t * n),   \
      (s, ar, case_id, out, n))                                                                    \
    X(case_attachments,                                                                            \
      (store_t * s, arena_t * ar, int64_t case_id, store_attachment * *out, size_t * n),           \
      (s, ar, case_id, out, n))                                                                    \
    X(case_list,                                                                                   \
      (store_t * s, arena_t * ar, const store_case_filter *f, store_case **out, size_t *n),        \
      (s, ar, f, out, n))                                                                          \
    X(case_transition, (store_t * s, arena_t * ar, store_transition * t), (s, ar, t))              \
    X(case_unlocated,                                                                              \
      (store_t * s, arena_t * ar, int64_t after_id, unsigned max, store_case_point **out,          \
       size_t *n),                                                                                 \
      (s, ar, after_id, max, out, n))                                                              \
    X(case_set_kecamatan, (store_t * s, int64_t id, const char *code, int64_t now),                \
      (s, id, code, now))                                                                          \
    X(agency_set_templates,                                                                        \
      (store_t * s, int64_t agency_id, const char *status, const char *reply, const char *lang),   \
      (s, agency_id, status, reply, lang))                                                         \
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
    X(stats_cases,                                                                                 \
      (store_t * s, arena_t * ar, int64_t agency_id, int64_t from, int64_t to,                     \
       store_stats_case * *out, size_t * n),                                                       \
      (s, ar, agency_id, from, to, out, n))                                                        \
    X(svc_docs,                                                                                    \
      (store_t * s, arena_t * ar, int64_t category_id, bool all, store_svc_doc **out, size_t *n),  \
      (s, ar, category_id, all, out, n))                                                           \
    X(svc_save, (store_t * s, store_category * c, store_svc_doc * docs, size_t n),                 \
      (s, c, docs, n))                                                                             \
    X(svc_request_get, (store_t * s, arena_t * ar, int64_t case_id, store_svc_request * out),      \
      (s, ar, case_id, out))                                                                       \
    X(svc_checks,                                                                                  \
      (store_t * s, arena_t * ar, int64_t case_id, store_svc_check * *out, size_t * n),            \
      (s, ar, case_id, out, n))                                                                    \
    X(svc_files, (store_t * s, arena_t * ar, int64_t case_id, store_svc_file * *out, size_t * n),  \
      (s, ar, case_id, out, n))                                                                    \
    X(svc_file_get,                                                                                \
      (store_t * s, arena_t * ar, int64_t case_id, int64_t attachment_id, store_svc_file * out),   \
      (s, ar, case_id, attachment_id, out))                                                        \
    X(svc_event,                                                                                   \
      (store_t * s, int64_t case_id, const char *expect_status, const char *action,                \
       int64_t actor_id, const char *note, int64_t now),                                           \
      (s, case_id, expect_status, action, actor_id, note, now))                                    \
    X(svc_verdict,                                                                                 \
      (store_t * s, int64_t case_id, const char *expect_status, int64_t document_id,               \
       const char *verdict, const char *reason, int64_t actor_id, int64_t now),                    \
      (s, case_id, expect_status, document_id, verdict, reason, actor_id, now))                    \
    X(svc_request_more,                                                                            \
      (store_t * s, int64_t case_id, const char *expect_status, int64_t actor_id,                  \
       const char *note, const int64_t *missing, size_t nmissing, const char *missing_reason,      \
       const char *conv_state, int64_t now, int64_t *event_id),                                    \
      (s, case_id, expect_status, actor_id, note, missing, nmissing, missing_reason, conv_state,   \
       now, event_id))                                                                             \
    X(svc_issue,                                                                                   \
      (store_t * s, int64_t case_id, int64_t actor_id, const char *sha256, int64_t size,           \
       const char *filename, const char *payload, const char *template, const char *note,          \
       int64_t now, int64_t *attachment_id, int64_t *outbox_id),                                   \
      (s, case_id, actor_id, sha256, size, filename, payload, template, note, now, attachment_id,  \
       outbox_id))                                                                                 \
    X(svc_outbox_file,                                                                             \
      (store_t * s, arena_t * ar, int64_t outbox_id, const char **sha256, const char **filename),  \
      (s, ar, outbox_id, sha256, filename))                                                        \
    X(svc_expire,                                                                                  \
      (store_t * s, arena_t * ar, int64_t before, int64_t now, const char ***sha, size_t *n,       \
       size_t *files),                                                                             \
      (s, ar, before, now, sha, n, files))                                                         \
    X(svc_rows,                                                                                    \
      (store_t * s, arena_t * ar, int64_t agency_id, int64_t from, int64_t to,                     \
       store_svc_row * *out, size_t * n),                                                          \
      (s, ar, agency_id, from, to, out, n))                                                        \
    X(case_thread,                                                                                 \
      (store_t * s, arena_t * ar, int64_t case_id, unsigned limit, store_thread_item **out,        \
       size_t *n),                                                                                 \
      (s, ar, case_id, limit, out, n))                                                             \
    X(attachment_get, (store_t * s, arena_t * ar, int64_t id, store_attachment * out),             \
      (s, ar, id, out))                                                                            \
    X(attachment_add,                                                                              \
      (store_t * s, int64_t case_id, int64_t actor_id, const char *sha256, const char *mime,       \
       int64_t size, const char *note, int64_t now, int64_t *id),                                  \
      (s, case_id, actor_id, sha256, mime, size, note, now, id))                                   \
    X(user_teams, (store_t * s, arena_t * ar, int64_t user_id, int64_t * *out, size_t * n),        \
      (s, ar, user_id, out, n))                                                                    \
    X(case_set_lapor,                                                                              \
      (store_t * s, int64_t case_id, const char *lapor_id, int64_t actor_id, int64_t now,          \
       bool *changed),                                                                             \
      (s, case_id, lapor_id, actor_id, now, changed))                                              \
    X(team_resolved,                                                                               \
      (store_t * s, arena_t * ar, int64_t team_id, int64_t from, int64_t to, unsigned limit,       \
       store_resolved **out, size_t *n),                                                           \
      (s, ar, team_id, from, to, limit, out, n))                                                   \
    X(migrate_files, (store_t * s, const embed_file *files, size_t n, int *applied),               \
      (s, files, n, applied))                                                                      \
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

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
    X(agency_set_templates,                                                                        \
      (store_t * s, int64_t agency_id, const char *status, const char *reply, const char *lang),   \
      (s, agency_id, status, reply, lang))                                                         \
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

/* store: the only door to data. Only files under store/ speak SQL.
 *
 * The interface is the same for every engine; today the engine is SQLite
 * (store/sqlite*.c). Functions are safe to call from several threads: each
 * call borrows a pooled connection for its duration and does its work in
 * one transaction. Times are Unix seconds (UTC). Ids are positive; 0 means
 * "none" both in arguments and in results. Text results are owned by the
 * arena passed in. Every function returns ERR_OK or an err_t:
 * ERR_NOT_FOUND for unknown ids, ERR_CONFLICT for a uniqueness clash or a
 * state that changed underneath, ERR_UNAVAILABLE when the database cannot
 * be reached, ERR_DB for anything else (its text is logged). */
#ifndef ADUAN_STORE_H
#define ADUAN_STORE_H

#include "core/arena.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_WUR __attribute__((warn_unused_result))

typedef struct store store_t;

/* Opens the database named by url ("sqlite:PATH") with pool_size
 * connections, creating the file if needed. Does not migrate. */
err_t store_open(const char *url, unsigned pool_size, store_t **out) STORE_WUR;
/* Closes every connection. Accepts NULL. */
void store_close(store_t *s);
/* "sqlite" or "postgres". */
const char *store_engine(const store_t *s);

/* Applies the pending numbered migrations, each in its own transaction, and
 * records them. *applied (may be NULL) gets how many were applied. */
err_t store_migrate(store_t *s, int *applied) STORE_WUR;
/* Number of the newest migration applied (0 for an empty database). */
err_t store_schema_version(store_t *s, int *version) STORE_WUR;
/* ERR_OK when the database answers a trivial query. */
err_t store_ping(store_t *s) STORE_WUR;
/* Housekeeping the background worker runs about once a second: on SQLite
 * the WAL checkpoint, kept off request threads. */
err_t store_maintain(store_t *s) STORE_WUR;
/* Claims the database for a serving process. SQLite: one process owns the
 * file (ERR_CONFLICT when another holds it; the claim lasts until
 * store_close). PostgreSQL: always ERR_OK, any number of instances. */
err_t store_claim(store_t *s) STORE_WUR;

/* ---- agencies ---------------------------------------------------------- */

typedef struct {
    int64_t id;
    const char *code;     /* short slug, e.g. "satpolpp" */
    const char *name;     /* e.g. "Satpol PP Kabupaten Balangan" */
    const char *kind;     /* satpolpp | damkar | disdukcapil | other */
    const char *timezone; /* IANA name */
    /* Approved WhatsApp templates for outside the 24-hour window (read
     * only here; set with store_agency_set_templates). */
    const char *wa_template_status, *wa_template_reply, *wa_template_lang;
} store_agency;

err_t store_agency_create(store_t *s, const store_agency *a, int64_t now, int64_t *id) STORE_WUR;
err_t store_agency_get(store_t *s, arena_t *ar, int64_t id, store_agency *out) STORE_WUR;
/* By id (decimal) or code. */
err_t store_agency_find(store_t *s, arena_t *ar, const char *id_or_code,
                        store_agency *out) STORE_WUR;
err_t store_agency_list(store_t *s, arena_t *ar, store_agency **out, size_t *n) STORE_WUR;
/* Registers a WhatsApp phone-number id for the agency. */
err_t store_agency_number_add(store_t *s, int64_t agency_id, const char *phone_number_id,
                              const char *display_phone, int64_t now) STORE_WUR;
/* Sets the names (and language) of the agency's approved templates. */
err_t store_agency_set_templates(store_t *s, int64_t agency_id, const char *status,
                                 const char *reply, const char *lang) STORE_WUR;
/* The agency's phone-number ids, comma-separated in *out ("" when none). */
err_t store_agency_numbers(store_t *s, arena_t *ar, int64_t agency_id, const char **out) STORE_WUR;

/* ---- regions (kecamatan) ---------------------------------------------- */

typedef struct {
    const char *code; /* Kemendagri code, e.g. "63.11.06" */
    const char *name;
} store_region;

err_t store_region_put(store_t *s, const char *code, const char *name) STORE_WUR;
err_t store_region_list(store_t *s, arena_t *ar, store_region **out, size_t *n) STORE_WUR;
/* ERR_OK when the code is known, ERR_NOT_FOUND otherwise. */
err_t store_region_exists(store_t *s, const char *code) STORE_WUR;

/* ---- users, roles and sessions ----------------------------------------- */

typedef struct {
    int64_t id;
    const char *login;
    const char *name;
    const char *password_hash; /* argon2id encoded string */
    bool disabled;
    int failed_logins;
    int64_t locked_until; /* 0 when not locked */
    const char *wa_id;    /* staff WhatsApp number (E.164 digits), or NULL */
} store_user;

typedef struct {
    int64_t agency_id;       /* 0: every agency (superadmin) */
    const char *agency_name; /* NULL for agency 0 */
    const char *role;        /* superadmin | admin | supervisor | field | viewer */
} store_role;

err_t store_user_create(store_t *s, const char *login, const char *name, const char *password_hash,
                        int64_t now, int64_t *id) STORE_WUR;
err_t store_user_get(store_t *s, arena_t *ar, int64_t id, store_user *out) STORE_WUR;
err_t store_user_by_login(store_t *s, arena_t *ar, const char *login, store_user *out) STORE_WUR;
err_t store_user_list(store_t *s, arena_t *ar, store_user **out, size_t *n) STORE_WUR;
/* The enabled user with this staff WhatsApp number; ERR_NOT_FOUND if none. */
err_t store_user_by_wa(store_t *s, arena_t *ar, const char *wa_id, store_user *out) STORE_WUR;
/* Sets (or with NULL clears) the staff WhatsApp number; ERR_CONFLICT when
 * another user has it, ERR_NOT_FOUND when no such user. */
err_t store_user_set_wa(store_t *s, int64_t id, const char *wa_id) STORE_WUR;
/* Sets a new password and ends the user's sessions. */
err_t store_user_set_password(store_t *s, int64_t id, const char *password_hash) STORE_WUR;
/* Disables (or enables) the user; disabling ends the user's sessions. */
err_t store_user_set_disabled(store_t *s, int64_t id, bool disabled) STORE_WUR;
/* Records a login attempt. On failure, counts it and, at max_failures,
 * locks the account until now + lock_seconds and resets the count; on
 * success, clears the count. */
err_t store_user_login_attempt(store_t *s, int64_t id, bool ok, int64_t now, int max_failures,
                               int64_t lock_seconds) STORE_WUR;
/* Grants role in agency_id (0 = all, for superadmin); replaces an earlier
 * role of the user in that agency. */
err_t store_user_set_role(store_t *s, int64_t user_id, int64_t agency_id,
                          const char *role) STORE_WUR;
err_t store_user_roles(store_t *s, arena_t *ar, int64_t user_id, store_role **out,
                       size_t *n) STORE_WUR;

typedef struct {
    int64_t user_id;
    const char *csrf_token;
    int64_t expires_at;
} store_session;

err_t store_session_create(store_t *s, const char *token_hash, int64_t user_id, const char *csrf,
                           int64_t now, int64_t expires_at) STORE_WUR;
/* ERR_NOT_FOUND when unknown, expired, or the user is disabled. */
err_t store_session_get(store_t *s, arena_t *ar, const char *token_hash, int64_t now,
                        store_session *out) STORE_WUR;
err_t store_session_delete(store_t *s, const char *token_hash) STORE_WUR;

/* ---- teams and categories ---------------------------------------------- */

typedef struct {
    int64_t id, agency_id;
    const char *name;
    bool has_base;
    double base_lat, base_lon;
    int members; /* read-only: number of members */
} store_team;

err_t store_team_create(store_t *s, const store_team *t, int64_t now, int64_t *id) STORE_WUR;
err_t store_team_get(store_t *s, arena_t *ar, int64_t id, store_team *out) STORE_WUR;
/* Teams of one agency, or of every agency when agency_id is 0. */
err_t store_team_list(store_t *s, arena_t *ar, int64_t agency_id, store_team **out,
                      size_t *n) STORE_WUR;
err_t store_team_add_member(store_t *s, int64_t team_id, int64_t user_id) STORE_WUR;
/* ERR_OK when the user is a member of the team, ERR_NOT_FOUND otherwise. */
err_t store_team_has_member(store_t *s, int64_t team_id, int64_t user_id) STORE_WUR;

typedef struct {
    int64_t id, agency_id;
    const char *code;
    const char *name_id, *name_en;
    const char *kind; /* complaint | service | emergency */
    int sla_hours;
    bool active;
} store_category;

err_t store_category_create(store_t *s, const store_category *c, int64_t *id) STORE_WUR;
err_t store_category_get(store_t *s, arena_t *ar, int64_t id, store_category *out) STORE_WUR;
err_t store_category_list(store_t *s, arena_t *ar, int64_t agency_id, store_category **out,
                          size_t *n) STORE_WUR;

/* ---- cases -------------------------------------------------------------- */

typedef struct {
    const char *name, *phone, *wa_id, *community_group; /* all optional */
    int64_t consent_at;                                 /* 0: not given */
} store_reporter_in;

typedef struct {
    int64_t id, agency_id, category_id, reporter_id, team_id;
    int64_t forwarded_from, forwarded_to, created_by;
    const char *kind, *channel, *status, *priority;
    const char *tracking_code; /* canonical, 8 symbols */
    const char *description, *address, *kecamatan_code, *lapor_tracking_id;
    bool has_location;
    double lat, lon;
    bool rahasia, anonim;
    int64_t created_at, updated_at;
    /* Read-only, joined for display. */
    const char *agency_name, *category_code, *category_name_id, *category_name_en;
    const char *team_name, *kecamatan_name;
    const char *reporter_name, *reporter_phone, *reporter_wa_id;
} store_case;

typedef struct {
    int64_t id, case_id, seq;
    const char *action;      /* "create" for the first event */
    const char *from_status; /* NULL for the first event */
    const char *to_status;
    int64_t actor_id; /* 0: the system or the citizen */
    const char *actor_name;
    const char *note;
    int64_t team_id, target_agency_id;
    bool is_public;
    int64_t created_at;
} store_event;

typedef struct {
    int64_t id, case_id;
    const char *sha256, *mime, *filename, *source, *state;
    int64_t size_bytes, created_at;
} store_attachment;

/* Creates the case (and its reporter when rep is given) with a new unique
 * tracking code and its first event, in one transaction. c->id,
 * c->tracking_code and c->reporter_id are set on success. */
err_t store_case_create(store_t *s, arena_t *ar, store_case *c, const store_reporter_in *rep,
                        const char *note) STORE_WUR;
err_t store_case_get(store_t *s, arena_t *ar, int64_t id, store_case *out) STORE_WUR;
err_t store_case_by_code(store_t *s, arena_t *ar, const char *code, store_case *out) STORE_WUR;
err_t store_case_events(store_t *s, arena_t *ar, int64_t case_id, store_event **out,
                        size_t *n) STORE_WUR;
err_t store_case_attachments(store_t *s, arena_t *ar, int64_t case_id, store_attachment **out,
                             size_t *n) STORE_WUR;

typedef struct {
    int64_t scope_user_id;                   /* only agencies this user has a role in; 0: all */
    int64_t agency_id, category_id, team_id; /* 0: any */
    const char *status;                      /* NULL: any */
    const char *q;                           /* FTS5-ready match expression, NULL: none */
    int64_t from, to;                        /* created_at in [from, to); 0: open */
    int64_t before_id;                       /* cursor: ids below this; 0: from the newest */
    unsigned limit;                          /* 1..STORE_LIST_MAX */
} store_case_filter;

#define STORE_LIST_MAX 200

/* Cases matching f, newest first (by id), at most f->limit. */
err_t store_case_list(store_t *s, arena_t *ar, const store_case_filter *f, store_case **out,
                      size_t *n) STORE_WUR;

typedef struct {
    int64_t case_id;
    const char *expect_status; /* the state the decision was made on */
    const char *new_status;
    const char *action;
    int64_t actor_id;
    const char *note;
    int64_t team_id;          /* set the case's team (0: keep) */
    int64_t target_agency_id; /* forward: the other agency */
    bool is_public;
    int64_t now;
    /* Forward only: the copy created in the target agency (its agency_id,
     * category_id, kind and status are used; the rest is copied). */
    const store_case *forward_copy;
    /* Out. */
    int64_t event_id, new_case_id;
} store_transition;

/* Moves the case from expect_status to new_status and appends the event,
 * in one transaction; for a forward also creates the linked case in the
 * target agency with its own first event. A public event of a case that
 * came over WhatsApp also queues a status update to the reporter (kind
 * "status_update" in wa_outbox), in the same transaction. ERR_CONFLICT, changing nothing,
 * when the case is no longer in expect_status. */
err_t store_case_transition(store_t *s, arena_t *ar, store_transition *t) STORE_WUR;

/* ---- the WhatsApp inbox -------------------------------------------------- */

/* Stores a signed webhook body (text without NUL, as received) in the
 * inbox, committed when this returns ERR_OK. With dead_reason the row is
 * kept as a dead letter at once (e.g. a body that is not UTF-8). */
err_t store_wa_inbox_add(store_t *s, const char *body, size_t len, const char *dead_reason,
                         int64_t now, int64_t *id) STORE_WUR;

typedef struct {
    int64_t id;
    const char *body;
    const char *state; /* new | done | dead */
    int attempts;
    const char *error;
    int64_t received_at;
} store_wa_inbox_row;

/* The inbox rows, newest first, at most limit; state NULL for any. */
err_t store_wa_inbox_list(store_t *s, arena_t *ar, const char *state, unsigned limit,
                          store_wa_inbox_row **out, size_t *n) STORE_WUR;

/* Claims up to max inbox rows waiting to be processed (state new, due),
 * leasing them for lease seconds so that no other worker or instance takes
 * them meanwhile (a crash lets the lease run out and the row comes back). */
err_t store_wa_inbox_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                           store_wa_inbox_row **out, size_t *n) STORE_WUR;
/* Ends processing of a row: state "done" or "dead" (with error). */
err_t store_wa_inbox_finish(store_t *s, int64_t id, const char *state, const char *error,
                            int64_t now) STORE_WUR;

/* The agency answering on a WhatsApp phone-number id. */
err_t store_agency_by_number(store_t *s, arena_t *ar, const char *phone_number_id,
                             store_agency *out) STORE_WUR;

typedef struct {
    const char *state; /* dialogue step, "idle" when none */
    const char *draft; /* JSON */
    const char *lang;
    int version;             /* -1 when there is no row yet */
    int64_t last_inbound_at; /* the citizen's last message (24-hour window) */
    int64_t updated_at;
} store_wa_conversation;

/* The conversation of wa_id with the agency; version -1 when none yet. */
err_t store_wa_conversation_get(store_t *s, arena_t *ar, int64_t agency_id, const char *wa_id,
                                store_wa_conversation *out) STORE_WUR;

/* The newest cases of a citizen (by WhatsApp id) with one agency. */
err_t store_case_list_for_wa(store_t *s, arena_t *ar, int64_t agency_id, const char *wa_id,
                             unsigned limit, store_case **out, size_t *n) STORE_WUR;

#define STORE_WA_OUT_MAX   4
#define STORE_WA_MEDIA_MAX 8

typedef struct {
    const char *kind;     /* reply, notice, ... */
    const char *payload;  /* Graph API message body (JSON) */
    const char *template; /* the body to send instead outside the 24-hour window */
    bool for_new_case;    /* link it to the case this apply creates */
} store_wa_out;

typedef struct {
    const char *media_id, *mime, *sha256, *filename;
} store_wa_media;

/* Everything one inbound message changes, applied in one transaction. */
typedef struct {
    const char *seen_key; /* "m:<wamid>": a key already seen makes it a no-op */
    int64_t agency_id;
    const char *wa_id, *phone_number_id, *profile_name;
    const char *wamid, *msg_type, *msg_body; /* the message log */
    const char *msg_media_id;                /* its photo, video or document */
    bool msg_has_location;                   /* a shared location: msg_lat/lon */
    double msg_lat, msg_lon;
    int64_t msg_time;
    int expect_version; /* the conversation version read (-1: none) */
    const char *state, *draft, *lang;
    store_case *new_case; /* tracking_code preset; may be NULL */
    size_t nmedia;
    store_wa_media media[STORE_WA_MEDIA_MAX]; /* attachments of the new case */
    size_t nout;
    store_wa_out out[STORE_WA_OUT_MAX];
    int64_t now;
    bool duplicate; /* out: the key was seen before; nothing was changed */
} store_wa_effects;

/* Applies fx in one transaction. ERR_CONFLICT, changing nothing, when the
 * conversation moved on since it was read or the preset tracking code is
 * taken (read again and retry). */
err_t store_wa_apply(store_t *s, arena_t *ar, store_wa_effects *fx) STORE_WUR;

/* Records a delivery status of a sent message, once per (wamid, status),
 * never moving backwards (sent < delivered < read; failed is final). */
err_t store_wa_status(store_t *s, const char *wamid, const char *status, const char *error,
                      int64_t now, bool *duplicate) STORE_WUR;

typedef struct {
    int64_t id, agency_id, case_id;
    int64_t event_id; /* status_update: the event to tell (payload is rendered at send time) */
    const char *phone_number_id, *to_wa_id, *kind, *payload, *template;
    int attempts;
    int64_t last_inbound_at; /* of the recipient with this agency */
    const char *lang;        /* of the recipient's conversation */
} store_wa_outbox_row;

/* Claims up to max due outbox messages with a lease (see inbox claim). */
err_t store_wa_outbox_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                            store_wa_outbox_row **out, size_t *n) STORE_WUR;
/* The message was accepted by the Graph API as wamid; payload (NULL:
 * unchanged) records what was actually sent, e.g. a rendered update. */
err_t store_wa_outbox_sent(store_t *s, int64_t id, const char *wamid, bool used_template,
                           const char *payload, int64_t now) STORE_WUR;
/* Try again at next_at (error says why); or give up for good when
 * next_at is 0, which also records an event on the message's case so that
 * operators see it. */
err_t store_wa_outbox_retry(store_t *s, int64_t id, int64_t next_at, const char *error,
                            int64_t now) STORE_WUR;

typedef struct {
    int64_t id, case_id;
    const char *phone_number_id; /* the agency number it goes out from */
    const char *to_wa_id, *kind, *payload, *state, *last_error, *wamid, *delivery;
    int attempts;
    bool used_template;
    int64_t created_at;
} store_wa_outbox_item;

/* Queues a message from an operator to the case's reporter (kind
 * "operator"), in one transaction with a public "message" event on the
 * case. ERR_NOT_FOUND when the case has no WhatsApp reporter or its agency
 * no number. *window_open says whether free text can go (else template). */
err_t store_wa_operator_message(store_t *s, int64_t case_id, int64_t actor_id, const char *payload,
                                const char *template, const char *note, int64_t now,
                                int64_t *outbox_id, bool *window_open) STORE_WUR;

/* The outbox, newest first; to_wa_id NULL for every recipient. */
err_t store_wa_outbox_list(store_t *s, arena_t *ar, const char *to_wa_id, unsigned limit,
                           store_wa_outbox_item **out, size_t *n) STORE_WUR;

typedef struct {
    int64_t id, case_id;
    const char *media_id, *mime, *sha256; /* sha256 as the webhook gave it */
    int attempts;
} store_wa_media_job;

/* Claims up to max attachments waiting for their download (lease). */
err_t store_wa_media_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                           store_wa_media_job **out, size_t *n) STORE_WUR;
/* The file is in the media directory as sha256_hex. */
err_t store_wa_media_stored(store_t *s, int64_t id, const char *sha256_hex, int64_t size,
                            const char *mime, int64_t now) STORE_WUR;
/* Try again at next_at, or (next_at 0) give up: state failed. */
err_t store_wa_media_retry(store_t *s, int64_t id, int64_t next_at, const char *error,
                           int64_t now) STORE_WUR;

typedef struct {
    const char *key, *lang, *text;
    int64_t updated_at;
} store_wa_text;

/* Sets (text non-NULL) or removes (NULL: back to the default) an admin's
 * version of a dialogue text. */
err_t store_wa_text_set(store_t *s, const char *key, const char *lang, const char *text,
                        int64_t user_id, int64_t now) STORE_WUR;
/* Every admin-changed text; *version changes whenever any of them does. */
err_t store_wa_text_list(store_t *s, arena_t *ar, store_wa_text **out, size_t *n,
                         int64_t *version) STORE_WUR;

/* ---- the dashboard (sqlite_dash.c, pg_dash.c) ---------------------------- */

typedef struct {
    bool inbound;         /* from the citizen (messages); else ours (wa_outbox) */
    int64_t id;           /* messages.id or wa_outbox.id */
    const char *type;     /* in: text, image, location, ...; out: the outbox kind */
    const char *body;     /* in: the text or caption; out: the Graph payload (JSON) */
    const char *state;    /* out: pending | sent | failed */
    const char *delivery; /* out: accepted, sent, delivered, read, failed (or NULL) */
    const char *error;    /* out: the last error */
    bool used_template;   /* out: sent as the approved template */
    bool has_location;    /* in: a shared location */
    double lat, lon;
    int64_t attachment_id; /* in: the case's attachment of its media, or 0 */
    int64_t created_at;
} store_thread_item;

/* The WhatsApp conversation of the case's reporter with the case's agency:
 * the citizen's messages and ours, oldest first, the newest `limit` of
 * them. Empty when the case has no WhatsApp reporter. */
err_t store_case_thread(store_t *s, arena_t *ar, int64_t case_id, unsigned limit,
                        store_thread_item **out, size_t *n) STORE_WUR;
/* One attachment. */
err_t store_attachment_get(store_t *s, arena_t *ar, int64_t id, store_attachment *out) STORE_WUR;
/* Records a file an officer added (already in the media directory as
 * sha256) on the case, with a non-public "attachment" event that keeps
 * the status, in one transaction. ERR_NOT_FOUND for an unknown case. */
err_t store_attachment_add(store_t *s, int64_t case_id, int64_t actor_id, const char *sha256,
                           const char *mime, int64_t size, const char *note, int64_t now,
                           int64_t *id) STORE_WUR;
/* The ids of the teams the user is a member of. */
err_t store_user_teams(store_t *s, arena_t *ar, int64_t user_id, int64_t **out,
                       size_t *n) STORE_WUR;

/* ---- moving a deployment ------------------------------------------------ */

/* Called as rows are copied: done of total rows, now in table. */
typedef void (*store_progress_fn)(void *ctx, const char *table, int64_t done, int64_t total);

/* Copies every row of the SQLite database at sqlite_path into the
 * PostgreSQL database at pg_url, whose schema must be migrated and empty,
 * in one transaction that commits only when every table then has as many
 * rows as in the source. report gets one line per table ("name source
 * destination ok|MISMATCH"). ERR_CONFLICT when the destination has data,
 * ERR_INTERNAL when a count differs; on any failure report says why and
 * the destination is unchanged. */
err_t store_copy_sqlite_to_pg(const char *sqlite_path, const char *pg_url,
                              store_progress_fn progress, void *ctx, char *report,
                              size_t cap) STORE_WUR;

#endif

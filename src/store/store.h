/* store: the only door to data. Only files under store/ speak SQL.
 *
 * The interface is the same for SQLite and PostgreSQL (src/store/README:
 * every query written once on q.h, two drivers). Functions are safe to
 * call from several threads: each call borrows a pooled connection for its
 * duration and does its work in one statement or one transaction. Times
 * are Unix seconds (UTC). Ids are positive; 0 means "none" both in
 * arguments and in results. Text results are owned by the arena passed
 * in. Every function returns ERR_OK or an err_t:
 * ERR_NOT_FOUND for unknown ids, ERR_CONFLICT for a uniqueness clash or a
 * state that changed underneath, ERR_UNAVAILABLE when the database cannot
 * be reached, ERR_DB for anything else (its text is logged). */
#ifndef ADUAN_STORE_H
#define ADUAN_STORE_H

#include "core/arena.h"
#include "core/embed.h"
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
/* The same with the given files instead of the embedded ones (tests): those
 * named "NNNN_name.sql" (both engines) or "NNNN_name.sqlite.sql" /
 * "NNNN_name.pg.sql" (one), dialect tokens expanded ({ID}, {BIGINT}, ...:
 * store/README). Every one whose number is not recorded yet is
 * applied, lowest number first, so a migration merged late under a lower
 * number than the newest applied still runs. ERR_INVALID when a number has
 * a shared file and an engine's, or two files of one engine. */
err_t store_migrate_files(store_t *s, const embed_file *files, size_t n, int *applied) STORE_WUR;
/* Number of the newest migration applied (0 for an empty database). */
err_t store_schema_version(store_t *s, int *version) STORE_WUR;
/* ERR_OK when the database answers a trivial query. */
err_t store_ping(store_t *s) STORE_WUR;
/* Housekeeping the background worker runs about once a second: on SQLite
 * the WAL checkpoint, kept off request threads. */
err_t store_maintain(store_t *s) STORE_WUR;
/* Claims the database for a serving process. SQLite: one process owns the
 * file (ERR_CONFLICT when another holds it; the claim lasts until
 * store_close). PostgreSQL: always ERR_OK, any number of instances. Both:
 * when no other aduan process uses the database, the inbox's and the
 * outbox's leases (claims of a process that died) end at once. */
err_t store_claim(store_t *s) STORE_WUR;

/* ---- durability (ADUAN_DURABILITY, docs/DEPLOY.md) ----------------------- */

typedef enum {
    /* A commit returns once it would survive a power cut: SQLite syncs its
     * WAL at each commit (synchronous=FULL), PostgreSQL waits for its WAL
     * flush (synchronous_commit on). The default. */
    STORE_DURABLE_FSYNC = 0,
    /* A commit survives a crash of the process, not of the machine: SQLite
     * synchronous=NORMAL, PostgreSQL synchronous_commit=off. */
    STORE_DURABLE_PROCESS = 1,
} store_durability;

/* Sets how every later commit of s reaches the disk (store_open starts
 * with STORE_DURABLE_FSYNC). Call before the store is shared. */
void store_set_durability(store_t *s, store_durability d);
store_durability store_get_durability(const store_t *s);

/* Marks the calling thread's later commits as redoable (on = true) or
 * back to acknowledging ones; returns the previous mark. A redoable
 * commit may be lost on a power cut even under STORE_DURABLE_FSYNC. Only
 * for work that is derived from rows already durable and is done again
 * when its commit is lost (the inbox processor: a lost commit leaves the
 * inbox row 'new'), and whose effects leave the machine only after a
 * later acknowledging commit: both engines write their log in order, so
 * syncing one commit makes every earlier one durable too. */
bool store_redo_commits(bool on);

/* ERR_OK when the database keeps what it acknowledged through a power cut.
 * SQLite: always (aduan syncs the file itself). PostgreSQL: ERR_CONFLICT,
 * with every reason in why ("fsync=off (...); synchronous_commit=off
 * (...)"), when the server runs with fsync=off or full_page_writes=off (a
 * power cut can corrupt it), or when d is STORE_DURABLE_FSYNC and commits
 * default to synchronous_commit=off; ERR_UNAVAILABLE when the settings
 * cannot be read. why: cap > 0 bytes, "" unless ERR_CONFLICT. Call it from
 * a thread whose commits acknowledge. */
err_t store_check_durable(store_t *s, store_durability d, char *why, size_t cap) STORE_WUR;

/* ---- agencies ---------------------------------------------------------- */

typedef struct {
    int64_t id;
    const char *code;     /* short slug, e.g. "satpolpp" */
    const char *name;     /* e.g. "Satpol PP Kabupaten Balangan" */
    const char *kind;     /* satpolpp | damkar | disdukcapil | other */
    const char *timezone; /* IANA name */
    /* Approved WhatsApp templates for outside the 24-hour window (read
     * only here; set with store_agency_set_templates). */
    const char *template_status, *template_reply, *template_lang;
    /* Open311 shows the photos of its reports (media_url; issue 17 §1). */
    bool publish_photos;
    /* The numbers to call in an emergency, as the agency writes them
     * ("113, (0526) 2090113"); NULL: none given (migration 0031). */
    const char *emergency_phones;
} store_agency;

/* Sets whether the agency publishes its reports' photos; *changed when it
 * was different. */
err_t store_agency_set_publish_photos(store_t *s, int64_t agency_id, bool on,
                                      bool *changed) STORE_WUR;

err_t store_agency_create(store_t *s, const store_agency *a, int64_t now, int64_t *id) STORE_WUR;
err_t store_agency_get(store_t *s, arena_t *ar, int64_t id, store_agency *out) STORE_WUR;
/* By id (decimal) or code. */
err_t store_agency_find(store_t *s, arena_t *ar, const char *id_or_code,
                        store_agency *out) STORE_WUR;
err_t store_agency_list(store_t *s, arena_t *ar, store_agency **out, size_t *n) STORE_WUR;
/* *yes when message_id (without <>) is a mail this desk sent about
 * case_id (outbox.provider_id). */
err_t store_case_sent_mail(store_t *s, int64_t case_id, const char *message_id,
                           bool *yes) STORE_WUR;
/* The Message-ID (messages.wamid) of the newest mail the reporter sent
 * about case case_id; ERR_NOT_FOUND when none (never another channel's
 * id: a WhatsApp wamid carries the sender's number). */
err_t store_case_last_inbound(store_t *s, arena_t *ar, int64_t case_id,
                              const char **provider_id) STORE_WUR;
/* How many cases of the agency whose updates go to (channel, address)
 * were opened since `since` (a channel's daily limit per sender). */
err_t store_case_count_for_contact(store_t *s, int64_t agency_id, const char *channel,
                                   const char *address, int64_t since, int64_t *n) STORE_WUR;
/* Registers a WhatsApp phone-number id for the agency. */
err_t store_agency_number_add(store_t *s, int64_t agency_id, const char *phone_number_id,
                              const char *display_phone, int64_t now) STORE_WUR;
/* Sets the names (and language) of the agency's approved templates. */
err_t store_agency_set_templates(store_t *s, int64_t agency_id, const char *status,
                                 const char *reply, const char *lang) STORE_WUR;
/* Sets (NULL or "": clears) the agency's emergency numbers; ERR_NOT_FOUND
 * for an unknown agency. */
err_t store_agency_set_emergency_phones(store_t *s, int64_t agency_id,
                                        const char *phones) STORE_WUR;
/* The shown number of the agency's first phone number that has one
 * (e.g. "+62 811-5000-1234"); ERR_NOT_FOUND when none has. */
err_t store_agency_number_display(store_t *s, arena_t *ar, int64_t agency_id,
                                  const char **out) STORE_WUR;
/* The agency's phone-number ids, comma-separated in *out ("" when none). */
err_t store_agency_numbers(store_t *s, arena_t *ar, int64_t agency_id, const char **out) STORE_WUR;

/* ---- regions (kecamatan) ---------------------------------------------- */

typedef struct {
    const char *code; /* Kemendagri code, e.g. "63.11.06" */
    const char *name;
    bool has_shape; /* a boundary was imported (store_region_shapes_put) */
} store_region;

err_t store_region_put(store_t *s, const char *code, const char *name) STORE_WUR;
err_t store_region_list(store_t *s, arena_t *ar, store_region **out, size_t *n) STORE_WUR;
/* ERR_OK when the code is known, ERR_NOT_FOUND otherwise. */
err_t store_region_exists(store_t *s, const char *code) STORE_WUR;

/* A kecamatan's boundary (domain/regions.c reads and checks it). */
typedef struct {
    const char *code;                          /* a known region */
    const char *geometry;                      /* GeoJSON Polygon or MultiPolygon, [lon, lat] */
    double lat_min, lat_max, lon_min, lon_max; /* its bounding box */
} store_region_shape;

/* Stores the n boundaries in one transaction, each replacing the code's
 * earlier one. ERR_NOT_FOUND, changing nothing, when a code is not a
 * region. */
err_t store_region_shapes_put(store_t *s, const store_region_shape *v, size_t n,
                              int64_t now) STORE_WUR;
/* The boundaries whose box holds (lat, lon), by code: the candidates of a
 * point-in-polygon test. */
err_t store_region_shapes_at(store_t *s, arena_t *ar, double lat, double lon,
                             store_region_shape **out, size_t *n) STORE_WUR;

/* ---- users, roles and sessions ----------------------------------------- */

typedef struct {
    int64_t id;
    const char *login;
    const char *name;
    const char *password_hash; /* argon2id encoded string */
    bool disabled;
    int failed_logins;
    int64_t locked_until; /* 0 when not locked */
    const char *mobile;   /* staff WhatsApp number (E.164 digits), or NULL */
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
err_t store_user_by_mobile(store_t *s, arena_t *ar, const char *mobile, store_user *out) STORE_WUR;
/* Sets (or with NULL clears) the staff WhatsApp number; ERR_CONFLICT when
 * another user has it, ERR_NOT_FOUND when no such user. */
err_t store_user_set_mobile(store_t *s, int64_t id, const char *mobile) STORE_WUR;
/* Sets a new password and ends the user's sessions and login locks. */
err_t store_user_set_password(store_t *s, int64_t id, const char *password_hash) STORE_WUR;
/* Disables (or enables) the user; disabling ends the user's sessions. */
err_t store_user_set_disabled(store_t *s, int64_t id, bool disabled) STORE_WUR;
/* ---- login throttling (issue #13) ----------------------------------------
 * Failed logins are counted per (login, client address) in the database,
 * the same for logins that exist and those that do not, so every instance
 * sees the same counts and the answers reveal no account. */
typedef struct {
    int max_failures;       /* failures of one (login, client) before the pair locks */
    int64_t lock_seconds;   /* how long a lock lasts */
    int64_t window;         /* failures this old (seconds) are forgotten */
    int attack_clients;     /* clients failing one login within the window that
                             * lock it for everyone: a distributed attack */
    int64_t notice_seconds; /* an account-wide lock is listed this long after it ended */
} store_login_policy;

/* Counts an attempt of (login, client) before its password is checked, in
 * one atomic statement, so at most max_failures checks of a pair ever run
 * between locks however many arrive at once. *locked_until > now means
 * refused, nothing checked: the pair is locked (this attempt may have
 * locked it), or with *global the login is locked for everyone. A success
 * must then call store_login_ok, a failure store_login_failed. */
err_t store_login_begin(store_t *s, const char *login, const char *client, int64_t now,
                        const store_login_policy *p, int64_t *locked_until, bool *global) STORE_WUR;
/* The password was right: the pair's failures are forgotten (and stale
 * rows of others, as in store_login_failed). */
err_t store_login_ok(store_t *s, const char *login, const char *client, int64_t now,
                     const store_login_policy *p) STORE_WUR;
/* The password was wrong (counted by store_login_begin). Forgets stale
 * rows; when attack_clients or more clients failed this login within the
 * window and it is not locked for everyone yet, locks it so (and shows it
 * in the user's locked_until when the login exists). *attack is then the
 * number of clients, else 0: exactly one call of all instances sees it. */
err_t store_login_failed(store_t *s, const char *login, int64_t now, const store_login_policy *p,
                         int *attack) STORE_WUR;

/* An account-wide lock, for the superadmin's notice. */
typedef struct {
    const char *login;
    const char *name; /* the user's name; NULL when no such user */
    int clients;      /* addresses that failed when it locked */
    int64_t locked_at, locked_until;
} store_login_attack;
#define STORE_LOGIN_ATTACKS_MAX 50
/* The latest STORE_LOGIN_ATTACKS_MAX account-wide locks that end at or
 * after since, newest first. */
err_t store_login_attacks(store_t *s, arena_t *ar, int64_t since, store_login_attack **out,
                          size_t *n) STORE_WUR;
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

/* A session (store_session_open, below, makes one). ERR_NOT_FOUND when
 * unknown, expired, or the user is disabled. */
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
    const char *name, *phone, *mobile, *community_group; /* all optional */
    int64_t consent_at;                                  /* 0: not given */
    const char *channel, *address; /* a contact of the reporter to record (NULL: none) */
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
    const char *reporter_name, *reporter_phone, *reporter_mobile;
    /* A walk-in or phone report: when the reporter agreed to get its
     * updates at their mobile number (0: not asked or refused; issue #13). */
    int64_t notify_consent_at;
    /* Where the case's updates go: a channel driver's name and the address
     * there (NULL: only the public page). */
    const char *notify_channel, *notify_address;
    /* The national classification (issue 17 §3): "pengaduan", "aspirasi"
     * or "permintaan_informasi"; when the case was marked to be forwarded
     * to LAPOR! (UTC seconds; 0: not marked). */
    const char *lapor_class;
    int64_t lapor_marked_at;
    /* The person the case is assigned to (issue 18; 0: nobody), and their
     * name, joined for display. */
    int64_t assignee_id;
    const char *assignee_name;
} store_case;

typedef struct {
    int64_t id, case_id, seq;
    const char *action;      /* "create" for the first event */
    const char *from_status; /* NULL for the first event */
    const char *to_status;
    int64_t actor_id; /* 0: the system or the citizen */
    const char *actor_name;
    const char *note;        /* internal: staff only */
    const char *public_note; /* what the reporter was told (and /t/ shows when public) */
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
 * c->tracking_code and c->reporter_id are set on success. With
 * c->notify_channel, the reporter also gets a status update of the new case
 * (its tracking code) there, queued in the same transaction. */
err_t store_case_create(store_t *s, arena_t *ar, store_case *c, const store_reporter_in *rep,
                        const char *note) STORE_WUR;
/* The same for a case a reporter or the desk opens: in the same
 * transaction, the new-case rules are queued (store_case_rules_claim), so
 * that a crash after the commit loses none of the notices that follow. */
err_t store_case_open(store_t *s, arena_t *ar, store_case *c, const store_reporter_in *rep,
                      const char *note) STORE_WUR;
/* A picture the reporter sent with the report, already in the media
 * directory under its sha256 (the web form, issue 16). */
typedef struct {
    const char *sha256, *mime;
    int64_t size; /* bytes */
} store_file_in;
/* store_case_open, and the n pictures recorded as the citizen's
 * attachments of the new case in the same transaction. */
err_t store_case_open_files(store_t *s, arena_t *ar, store_case *c, const store_reporter_in *rep,
                            const char *note, const store_file_in *files, size_t n) STORE_WUR;
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
    const char *q;                           /* free text: every word (or prefix); NULL: none */
    int64_t from, to;                        /* created_at in [from, to); 0: open */
    int64_t before_id;                       /* cursor: ids below this; 0: from the newest */
    unsigned limit;                          /* 0: 50; a page: up to STORE_LIST_MAX */
    const char *kecamatan_code;              /* NULL: any */
    /* Change feed: only ids above this, oldest first (before_id unused). */
    int64_t after_id;
    /* A field officer's view: in the agencies field_agencies[0..n), only
     * the cases of the teams field_teams[0..n) and the open emergencies
     * (not resolved, closed, rejected or forwarded). Borrowed; at most
     * STORE_FIELD_MAX of each. */
    const int64_t *field_agencies, *field_teams;
    size_t nfield_agencies, nfield_teams;
    int lapor;               /* 1: with a LAPOR! tracking id, -1: without one, 0: either;
                              * STORE_LAPOR_TODO: marked for LAPOR! and without one yet */
    const char *lapor_class; /* NULL: any */
    bool oldest_first;       /* ascending ids (after_id, if any, is the cursor) */
    const char *channel;     /* cases.channel (issue 16: the inbox by channel); NULL: any */
    /* Ownership (issue 18): > 0 the cases assigned to that user, -1 the
     * ones assigned to nobody, 0: either. */
    int64_t assignee_id;
} store_case_filter;

#define STORE_LAPOR_TODO 2

/* Most agencies or teams of a field officer's view in one list. */
#define STORE_FIELD_MAX 32

#define STORE_LIST_MAX 200

/* Cases matching f, newest first (by id), at most f->limit; with
 * f->after_id, the ones above it, oldest first. */
err_t store_case_list(store_t *s, arena_t *ar, const store_case_filter *f, store_case **out,
                      size_t *n) STORE_WUR;

typedef struct {
    int64_t case_id;
    const char *expect_status; /* the state the decision was made on */
    const char *new_status;
    const char *action;
    int64_t actor_id;
    const char *note;         /* internal, staff only */
    const char *public_note;  /* to the reporter (public events only; NULL: none) */
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
 * target agency with its own first event. A public event of a case whose
 * reporter is on WhatsApp (it came over WhatsApp, or a walk-in reporter
 * agreed: notify_consent_at) also queues a status update to the reporter (kind
 * "status_update" in the outbox), in the same transaction. ERR_CONFLICT, changing nothing,
 * when the case is no longer in expect_status. */
err_t store_case_transition(store_t *s, arena_t *ar, store_transition *t) STORE_WUR;

/* A case's location, for deriving its kecamatan (aduan region import). */
typedef struct {
    int64_t id;
    double lat, lon;
} store_case_point;

/* Up to max cases after after_id (by id) with a location and no
 * kecamatan. */
err_t store_case_unlocated(store_t *s, arena_t *ar, int64_t after_id, unsigned max,
                           store_case_point **out, size_t *n) STORE_WUR;
/* Sets the kecamatan of case id while it has none. ERR_NOT_FOUND when the
 * case is gone or has one by now. */
err_t store_case_set_kecamatan(store_t *s, int64_t id, const char *code, int64_t now) STORE_WUR;

/* ---- the WhatsApp inbox -------------------------------------------------- */

/* Stores a signed webhook body (text without NUL, as received) in the
 * inbox, committed when this returns ERR_OK. With dead_reason the row is
 * kept as a dead letter at once (e.g. a body that is not UTF-8). */
err_t store_inbound_add(store_t *s, const char *channel, const char *body, size_t len,
                        const char *dead_reason, int64_t now, int64_t *id) STORE_WUR;

/* As store_inbound_add, once per key (a channel's own id of the update,
 * e.g. "tg:<bot>:<update_id>", kept in inbound_seen): *duplicate, and
 * nothing stored, when the key was stored before. */
err_t store_inbound_add_once(store_t *s, const char *channel, const char *key, const char *body,
                             size_t len, int64_t now, int64_t *id, bool *duplicate) STORE_WUR;

typedef struct {
    const char *channel; /* the driver's name: whose process reads the body */
    const char *body;    /* as for store_inbound_add */
    size_t len;
    const char *dead_reason;
    int64_t id; /* set on success */
} store_inbound_new;

/* The calling thread's writes go before those of other threads waiting
 * for SQLite's write lock (the webhook committer calls this: an
 * acknowledgement waits for its commit, background work does not).
 * PostgreSQL has no such lock; there it changes nothing. */
void store_prefer_writes(void);

/* Stores n bodies in one transaction (group commit): all are committed
 * when this returns ERR_OK, none otherwise. */
err_t store_inbound_add_batch(store_t *s, store_inbound_new *rows, size_t n, int64_t now) STORE_WUR;

typedef struct {
    int64_t id;
    const char *channel; /* the driver that received it (inbound.channel) */
    const char *body;    /* as received; sealed ("v1:...") or "" per body_state */
    const char *state;   /* new | done | dead */
    int attempts;
    const char *error;
    int64_t received_at;
    int64_t processed_at;   /* 0: not processed */
    const char *summary;    /* JSON kept when the body goes (inbound.summary), or NULL */
    const char *body_state; /* raw | sealed | removed */
    int64_t removed_at;     /* when the body was removed; 0: it was not */
} store_inbound_row;

/* The inbox rows, newest first, at most limit; state NULL for any. */
err_t store_inbound_list(store_t *s, arena_t *ar, const char *state, unsigned limit,
                         store_inbound_row **out, size_t *n) STORE_WUR;

/* Claims up to max inbox rows waiting to be processed (state new, due),
 * leasing them for lease seconds so that no other worker or instance takes
 * them meanwhile (a crash lets the lease run out and the row comes back). */
err_t store_inbound_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                          store_inbound_row **out, size_t *n) STORE_WUR;
/* Ends processing of a row: state "done" or "dead" (with error), and the
 * summary (JSON, may be NULL) that stays when the body goes. */
err_t store_inbound_finish(store_t *s, int64_t id, const char *state, const char *error,
                           const char *summary, int64_t now) STORE_WUR;

/* Retention (UU PDP; jobs/retention.c). Removes the bodies of up to max
 * rows of state "done" processed before `before`, or of state "dead"
 * processed (or, never processed, received) before it: the body becomes
 * "" and body_state "removed" at now. *n gets how many. */
err_t store_inbound_purge(store_t *s, const char *state, int64_t before, unsigned max, int64_t now,
                          size_t *n) STORE_WUR;
/* Forgets up to max followers (case_watchers, issue 18: a contact's
 * number) of cases closed, rejected or forwarded before `before`; *n gets
 * how many (retention, UU PDP: jobs/retention.c). */
err_t store_watchers_purge(store_t *s, int64_t before, unsigned max, size_t *n) STORE_WUR;

/* Idempotency keys (issue 18, 0036): a request sent again under the same
 * Idempotency-Key by the same user gets the first answer (http/idem.c). */
typedef struct {
    char *request_hash; /* SHA-256 (hex) of the first request */
    int status;         /* its HTTP status; 0 while it is still running */
    char *body;         /* its JSON answer; NULL while running */
    int64_t created_at; /* unix seconds */
} store_idem;
/* Reserves (user_id, key) for the request of hash: ERR_OK when it is the
 * first (or the reservation of the same request older than stale_before
 * died with its instance); ERR_CONFLICT when the key is taken, with *out
 * the row (text in ar). */
err_t store_idem_begin(store_t *s, arena_t *ar, int64_t user_id, const char *key, const char *hash,
                       int64_t now, int64_t stale_before, store_idem *out) STORE_WUR;
/* Keeps the answer of a reserved request. */
err_t store_idem_finish(store_t *s, int64_t user_id, const char *key, int status,
                        const char *body) STORE_WUR;
/* Lets a reservation go (the request failed: it may be sent again). */
err_t store_idem_forget(store_t *s, int64_t user_id, const char *key) STORE_WUR;
/* Deletes up to max keys created before `before`; *n gets how many. */
err_t store_idem_purge(store_t *s, int64_t before, unsigned max, size_t *n) STORE_WUR;
/* Up to max dead letters whose body is still raw (id and body), to seal. */
err_t store_inbound_unsealed(store_t *s, arena_t *ar, unsigned max, store_inbound_row **out,
                             size_t *n) STORE_WUR;
/* Replaces the raw body of dead letter id by sealed (body_state "sealed").
 * ERR_NOT_FOUND when it is no longer a raw dead letter. */
err_t store_inbound_seal(store_t *s, int64_t id, const char *sealed) STORE_WUR;

/* The agency answering on a WhatsApp phone-number id. */
err_t store_agency_by_number(store_t *s, arena_t *ar, const char *phone_number_id,
                             store_agency *out) STORE_WUR;

/* Channels, contacts and conversations (issue 15). A contact is an
 * address on a channel (a driver's own form: a mobile number's E.164 digits);
 * a conversation is per agency endpoint and contact. */
typedef struct {
    const char *state; /* dialogue step, "idle" when none */
    const char *draft; /* JSON */
    const char *lang;
    int version;             /* -1 when there is no row yet */
    int64_t last_inbound_at; /* the contact's last message (the driver's re-engagement rule) */
    int64_t updated_at;
} store_conv;

/* The conversation of (channel, address) with the agency; version -1 when
 * none yet. */
err_t store_conv_get(store_t *s, arena_t *ar, int64_t agency_id, const char *channel,
                     const char *address, store_conv *out) STORE_WUR;

/* A conversation's draft, for retention (jobs/retention.c). */
typedef struct {
    int64_t agency_id;
    const char *channel, *address;
    const char *draft; /* JSON */
    int version;
} store_conv_draft;

/* Up to max conversations untouched since before whose draft holds a
 * report, a service request or the opening words ("report", "svc",
 * "said"): what an abandoned dialogue leaves behind. */
err_t store_conv_drafts_stale(store_t *s, arena_t *ar, int64_t before, unsigned max,
                              store_conv_draft **out, size_t *n) STORE_WUR;
/* Replaces the draft of a conversation still at version (compare-and-set;
 * its state and times stay). ERR_CONFLICT when it moved meanwhile. */
err_t store_conv_draft_clean(store_t *s, const store_conv_draft *d, const char *draft) STORE_WUR;

/* The search box's exact matches (issue 18), newest first, at most limit,
 * of every agency (the caller keeps those the user may see): the cases of
 * the reporter with this mobile number (E.164 digits), or those carrying
 * this LAPOR! tracking id. */
err_t store_case_find_mobile(store_t *s, arena_t *ar, const char *mobile, unsigned limit,
                             store_case **out, size_t *n) STORE_WUR;
err_t store_case_find_lapor(store_t *s, arena_t *ar, const char *lapor_id, unsigned limit,
                            store_case **out, size_t *n) STORE_WUR;
/* The newest cases with one agency of the reporter behind a contact (an
 * address on a channel: a Telegram chat). */
err_t store_case_list_for_contact(store_t *s, arena_t *ar, int64_t agency_id, const char *channel,
                                  const char *address, unsigned limit, store_case **out,
                                  size_t *n) STORE_WUR;
/* The newest cases of a citizen (by WhatsApp id) with one agency. */
err_t store_case_list_for_mobile(store_t *s, arena_t *ar, int64_t agency_id, const char *mobile,
                                 unsigned limit, store_case **out, size_t *n) STORE_WUR;

#define STORE_WA_OUT_MAX   4
#define STORE_WA_MEDIA_MAX 8

/* A message of the dialogue: neutral (channels/channel.h), rendered by the
 * channel's driver when the outbox sends it. */
typedef struct {
    const char *kind;     /* reply, notice, ... */
    const char *message;  /* the neutral message (JSON) */
    const char *template; /* its template intent (JSON) for when free text cannot go, or NULL */
    bool for_new_case;    /* link it to the case this apply creates */
} store_dialog_out;

typedef struct {
    const char *media_id, *mime, *sha256, *filename;
} store_media;

/* Everything one inbound message changes, applied in one transaction. */
typedef struct {
    const char *seen_key; /* "m:<wamid>": a key already seen makes it a no-op */
    int64_t agency_id;
    const char *channel; /* the driver's name (conversations.channel) */
    const char *address, *phone_number_id, *profile_name;
    const char *mobile; /* the contact's mobile number when the channel knows it */
    const char *wamid, *msg_type, *msg_body; /* the message log */
    const char *msg_media_id;                /* its photo, video or document */
    bool msg_has_location;                   /* a shared location: msg_lat/lon */
    double msg_lat, msg_lon;
    int64_t msg_time;
    bool msg_draft; /* sent while composing a report (a cancelled one belongs nowhere) */
    /* new_case: the wamid of the first message of the dialogue that made
     * it (from the menu on): those since, not yet a case's, join it. */
    const char *flow_from;
    int expect_version; /* the conversation version read (-1: none) */
    const char *state, *draft, *lang;
    store_case *new_case; /* tracking_code preset; may be NULL */
    /* Without new_case: the tracking code of an earlier case of this
     * reporter with this agency that the message and its media belong to
     * (a follow-up). Ignored when it is not the reporter's. */
    const char *case_code;
    /* With case_code: words the citizen added (after an emergency report),
     * appended to that case's description (kept within 4000 characters). */
    const char *case_text;
    size_t nmedia;
    store_media media[STORE_WA_MEDIA_MAX]; /* attachments of the (new) case */
    size_t nout;
    store_dialog_out out[STORE_WA_OUT_MAX];
    int64_t now;
    bool duplicate; /* out: the key was seen before; nothing was changed */
    /* A civil-registry request's part (channels/svc_dialog.c); NULL: none. */
    struct store_svc_effects *svc;
    /* Following a case (issue 18): watch 1 sends case watch_case_id's
     * public updates to this contact from now on, -1 stops them, 0 leaves
     * them as they are. */
    int64_t watch_case_id;
    int watch;
    /* The reporter withdraws case withdraw_case_id (issue 16), still in
     * withdraw_status (else ERR_CONFLICT: read again and retry). 0: none. */
    int64_t withdraw_case_id;
    const char *withdraw_status;
} store_dialog_effects;

/* Applies fx in one transaction. ERR_CONFLICT, changing nothing, when the
 * conversation moved on since it was read or the preset tracking code is
 * taken (read again and retry). */
err_t store_dialog_apply(store_t *s, arena_t *ar, store_dialog_effects *fx) STORE_WUR;

/* Records a delivery status of a message sent on channel as provider_id
 * (WhatsApp: the wamid), once per (provider_id, status), never moving
 * backwards (sent < delivered < read; failed is final). */
err_t store_outbox_delivery(store_t *s, const char *channel, const char *provider_id,
                            const char *status, const char *error, int64_t now,
                            bool *duplicate) STORE_WUR;

/* A message to send. The outbox is the channels': each row names its
 * channel, carries the neutral message (JSON, or NULL: rows queued before
 * issue 15 and status updates, rendered when sent) and the payload the
 * channel's driver rendered (or renders at send time). */
typedef struct {
    int64_t id, agency_id, case_id;
    int64_t event_id;     /* status_update: the event to tell (payload is rendered at send time) */
    const char *channel;  /* the driver's name */
    const char *endpoint; /* the agency's endpoint it goes out from (WhatsApp: phone_number_id) */
    const char *address;  /* the contact's address on the channel */
    const char *kind, *message, *payload, *template;
    int attempts;
    int64_t last_inbound_at; /* of the recipient with this agency */
    const char *lang;        /* of the recipient's conversation */
} store_outbox_row;

/* Claims up to max due outbox messages with a lease (see inbox claim). */
err_t store_outbox_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                         store_outbox_row **out, size_t *n) STORE_WUR;
/* The message was accepted by the channel as provider_id; payload (NULL:
 * unchanged) records what was actually sent, e.g. a rendered update. */
err_t store_outbox_sent(store_t *s, int64_t id, const char *provider_id, bool used_template,
                        const char *payload, int64_t now) STORE_WUR;
/* Try again at next_at (error says why); or give up for good when
 * next_at is 0, which also records an event on the message's case so that
 * operators see it. */
err_t store_outbox_retry(store_t *s, int64_t id, int64_t next_at, const char *error,
                         int64_t now) STORE_WUR;

typedef struct {
    int64_t id, case_id;
    const char *channel, *endpoint, *address;
    const char *kind, *message, *payload, *state, *last_error, *provider_id, *delivery;
    int attempts;
    bool used_template;
    int64_t created_at;
} store_outbox_item;

/* Queues a message from an operator to the case's reporter (kind
 * "operator"), in one transaction with a "message" event on the case
 * whose public_note is note (told to the reporter; not on /t/).
 * ERR_NOT_FOUND when the case has no WhatsApp reporter or its agency no
 * number. *last_inbound_at: the reporter's last message (0: never), for
 * the driver's "can free text go now?" (else the template goes). */
err_t store_outbox_operator_message(store_t *s, int64_t case_id, int64_t actor_id,
                                    const char *payload, const char *template, const char *note,
                                    int64_t now, int64_t *outbox_id,
                                    int64_t *last_inbound_at) STORE_WUR;

/* The outbox, newest first; address NULL for every recipient of every
 * channel, else that contact's on channel. */
err_t store_outbox_list(store_t *s, arena_t *ar, const char *channel, const char *address,
                        unsigned limit, store_outbox_item **out, size_t *n) STORE_WUR;

typedef struct {
    int64_t id, case_id;
    const char *channel;                  /* whose fetch_media downloads it; NULL: before 0027 */
    const char *media_id, *mime, *sha256; /* sha256 as the webhook gave it */
    int attempts;
} store_media_job;

/* Claims up to max attachments waiting for their download (lease). */
err_t store_media_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                        store_media_job **out, size_t *n) STORE_WUR;
/* The file is in the media directory as sha256_hex. */
err_t store_media_stored(store_t *s, int64_t id, const char *sha256_hex, int64_t size,
                         const char *mime, int64_t now) STORE_WUR;
/* Try again at next_at, or (next_at 0) give up: state failed. */
err_t store_media_retry(store_t *s, int64_t id, int64_t next_at, const char *error,
                        int64_t now) STORE_WUR;

typedef struct {
    const char *key, *lang, *text;
    int64_t updated_at;
} store_bot_text;

/* Sets (text non-NULL) or removes (NULL: back to the default) an admin's
 * version of a dialogue text. */
err_t store_bot_text_set(store_t *s, const char *key, const char *lang, const char *text,
                         int64_t user_id, int64_t now) STORE_WUR;
/* Every admin-changed text; *version changes whenever any of them does. */
err_t store_bot_text_list(store_t *s, arena_t *ar, store_bot_text **out, size_t *n,
                          int64_t *version) STORE_WUR;

/* ---- SLA: calendars, policies, deadlines, escalation (issue #6) -------- */

typedef struct {
    int64_t agency_id;
    bool always_open;
    const char *hours[7]; /* by weekday, 0 = Sunday: "HH:MM-HH:MM", NULL closed */
    int64_t updated_at;
} store_calendar;

/* The agency's own office hours; ERR_NOT_FOUND when it has none (the
 * defaults apply). */
err_t store_calendar_get(store_t *s, arena_t *ar, int64_t agency_id, store_calendar *out) STORE_WUR;
/* Sets (replaces) the agency's office hours. */
err_t store_calendar_put(store_t *s, const store_calendar *c, int64_t now) STORE_WUR;

typedef struct {
    int64_t id, agency_id; /* agency 0: every agency */
    const char *day;       /* "YYYY-MM-DD", local */
    const char *name;
    const char *kind; /* national | cuti_bersama | local */
} store_holiday;

/* The holidays that apply to agency_id (its own and agency 0's) with day
 * in [from, to] ("YYYY-MM-DD"; NULL: open), by day. With agency_id 0,
 * only the national ones. */
err_t store_holiday_list(store_t *s, arena_t *ar, int64_t agency_id, const char *from,
                         const char *to, store_holiday **out, size_t *n) STORE_WUR;
/* Adds the holiday, or renames the one on that day of that agency. */
err_t store_holiday_put(store_t *s, const store_holiday *h, int64_t now) STORE_WUR;
/* Removes one; ERR_NOT_FOUND when there is none on that day. */
err_t store_holiday_delete(store_t *s, int64_t agency_id, const char *day) STORE_WUR;

#define STORE_SLA_STEPS 5 /* verify, dispatch, action, resolve, autoclose */

typedef struct {
    int64_t category_id;
    int32_t amount[STORE_SLA_STEPS];
    const char *unit[STORE_SLA_STEPS]; /* sla_unit_name() */
    int cap_days, soon_pct;
    int64_t updated_at;
} store_sla_policy;

/* The category's own policy; ERR_NOT_FOUND when it has none (defaults). */
err_t store_sla_policy_get(store_t *s, arena_t *ar, int64_t category_id,
                           store_sla_policy *out) STORE_WUR;
err_t store_sla_policy_put(store_t *s, const store_sla_policy *p, int64_t now) STORE_WUR;

/* A case as the deadline computation needs it. */
typedef struct {
    int64_t id, agency_id, category_id;
    const char *kind, *status, *tracking_code;
    int64_t created_at;
    int64_t entered_at;   /* the event that brought it to its status */
    int64_t resolve_from; /* the last verification or reopening, 0: none */
    int64_t reply_at;     /* the reporter's last WhatsApp message to the agency */
    /* The stored deadline. */
    const char *sla_status, *sla_stage; /* NULL until computed */
    int64_t sla_start_at, sla_soon_at, sla_due_at, sla_resolve_due_at;
    int sla_level; /* 0 none, 1 due soon told, 2 breach recorded */
} store_sla_case;

err_t store_sla_case_get(store_t *s, arena_t *ar, int64_t case_id, store_sla_case *out) STORE_WUR;
/* The stored deadlines of the cases ids[0..n) (any order; unknown ids are
 * left out), without the timing facts. */
err_t store_sla_for_cases(store_t *s, arena_t *ar, const int64_t *ids, size_t n,
                          store_sla_case **out, size_t *nout) STORE_WUR;
/* Up to max ids above after_id, in order, of cases whose deadline was
 * computed for another status than their current one, or never. */
err_t store_sla_stale(store_t *s, arena_t *ar, int64_t after_id, unsigned max, int64_t **ids,
                      size_t *n) STORE_WUR;
/* Up to max cases with something due at now: a due-soon notice not yet
 * given, a breach not yet recorded, or an auto-close. */
err_t store_sla_due(store_t *s, arena_t *ar, int64_t now, unsigned max, store_sla_case **out,
                    size_t *n) STORE_WUR;
/* Up to max open cases of the agency whose current step is due soon or
 * overdue at now (a staff step: not the auto-close wait), the earliest
 * deadline first. */
err_t store_sla_attention(store_t *s, arena_t *ar, int64_t agency_id, int64_t now, unsigned max,
                          store_sla_case **out, size_t *n) STORE_WUR;

typedef struct {
    const char *status;                                /* the status they were computed for */
    const char *stage;                                 /* NULL: nothing is due */
    int64_t start_at, soon_at, due_at, resolve_due_at; /* 0: none */
} store_sla_times;

/* Stores the deadline computed for status; the escalation level starts
 * again when the stage or the due time changed. ERR_CONFLICT, changing
 * nothing, when the case is no longer in that status. */
err_t store_sla_set(store_t *s, int64_t case_id, const store_sla_times *t) STORE_WUR;
/* store_sla_set for n cases in one transaction (the scheduler's catch-up:
 * one commit per batch, not per case); a case no longer in t[i].status is
 * left as it is. *changed (may be NULL): how many were stored. */
err_t store_sla_set_many(store_t *s, const int64_t *ids, const store_sla_times *t, size_t n,
                         size_t *changed) STORE_WUR;

typedef struct {
    /* a notice to a supervisor: the neutral message and its template
     * intent (JSON, channels/channel.h) */
    const char *to_address, *message, *template;
    const char *channel; /* the channel of to_address */
} store_sla_notice;

typedef struct {
    int64_t case_id;
    const char *stage;         /* the step it is about */
    int64_t due_at;            /* its due time, as read */
    int level;                 /* 1 due soon, 2 breach */
    const char *action, *note; /* of the internal event recorded */
    const store_sla_notice *notices;
    size_t nnotice;
    int64_t now;
    bool done; /* out: this call escalated; false when already done */
} store_sla_escalation;

/* Raises the case's escalation level to x->level, if it is still in that
 * stage with that due time and below that level, together with an event
 * and the staff alerts in the outbox (from the agency's first number), in
 * one transaction. Several instances may try; one succeeds (x->done). */
err_t store_sla_escalate(store_t *s, store_sla_escalation *x) STORE_WUR;

typedef struct {
    int64_t user_id;
    const char *name, *mobile; /* mobile may be NULL */
} store_staff;

/* The enabled supervisors of an agency. */
err_t store_sla_supervisors(store_t *s, arena_t *ar, int64_t agency_id, store_staff **out,
                            size_t *n) STORE_WUR;

/* One case event, for the activity report. */
typedef struct {
    int64_t case_id, case_created_at, team_id, actor_id, created_at;
    const char *team_name, *actor_name, *action, *from_status, *to_status;
} store_activity_row;

#define STORE_ACTIVITY_MAX 200000

/* Every event, before `to`, of the agency's cases that have an event in
 * [from, to), ordered by case and sequence; at most max rows
 * (*truncated set when there were more). */
err_t store_activity_events(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                            unsigned max, store_activity_row **out, size_t *n,
                            bool *truncated) STORE_WUR;
/* ---- administration (agency admins' pages) ------------------------------ */

/* Changes a category's names, service level and whether it is offered
 * (code, agency and kind stay). ERR_NOT_FOUND when no such category. */
err_t store_category_update(store_t *s, const store_category *c) STORE_WUR;

typedef struct {
    int64_t id, agency_id;
    const char *title, *body, *lang; /* lang: id | en */
    int64_t updated_at;
} store_canned_reply;

/* An agency's canned replies, by title. */
err_t store_canned_list(store_t *s, arena_t *ar, int64_t agency_id, store_canned_reply **out,
                        size_t *n) STORE_WUR;
err_t store_canned_get(store_t *s, arena_t *ar, int64_t id, store_canned_reply *out) STORE_WUR;
/* Adds (r->id 0; sets r->id) or changes (title, body, lang) a canned reply.
 * ERR_CONFLICT when the agency has another with the title, ERR_NOT_FOUND
 * when changing an unknown id. */
err_t store_canned_put(store_t *s, store_canned_reply *r, int64_t user_id, int64_t now) STORE_WUR;
err_t store_canned_delete(store_t *s, int64_t id) STORE_WUR;

/* Renames a team and sets (has_base) or clears its base location.
 * ERR_CONFLICT when the agency has another team of that name. */
err_t store_team_update(store_t *s, const store_team *t) STORE_WUR;
/* The team's members (id, login, name, disabled, mobile of each), by name. */
err_t store_team_members(store_t *s, arena_t *ar, int64_t team_id, store_user **out,
                         size_t *n) STORE_WUR;
/* ERR_NOT_FOUND when the user was no member. */
err_t store_team_remove_member(store_t *s, int64_t team_id, int64_t user_id) STORE_WUR;
/* ---- the dashboard (dash.c, cases.c) ------------------------------------- */

typedef struct {
    bool inbound;         /* from the citizen (messages); else ours (outbox) */
    int64_t id;           /* messages.id or outbox.id */
    const char *type;     /* in: text, image, location, ...; out: the outbox kind */
    const char *body;     /* in: the text or caption; out: the channel's payload once sent, else
                           * the neutral message (JSON, channels/channel.h) */
    const char *state;    /* out: pending | sent | failed */
    const char *delivery; /* out: accepted, sent, delivered, read, failed (or NULL) */
    const char *error;    /* out: the last error */
    bool used_template;   /* out: sent as the approved template */
    bool has_location;    /* in: a shared location */
    double lat, lon;
    int64_t attachment_id; /* in: the case's attachment of its media, or 0 */
    int64_t event_id;      /* out: a status update's event (its case may be a master) */
    int64_t created_at;
    const char *channel; /* the channel it came or went on (whatsapp, telegram, email, ...) */
} store_thread_item;

/* The WhatsApp conversation of this case (issue #13) between its reporter
 * and the case's agency: the citizen's messages and ours, oldest first, the
 * newest `limit` of them. That is what was tagged with the case (the
 * report's draft, follow-ups, its updates and replies, and the updates of
 * a master case it follows), and what belongs to
 * no case (no report being composed) from the report's first message (a
 * walk-in: its creation) until the case was closed, rejected or forwarded.
 * Drafts that were cancelled, and other cases' messages, are left out.
 * Empty when the case has no WhatsApp reporter. */
err_t store_case_thread(store_t *s, arena_t *ar, int64_t case_id, unsigned limit,
                        store_thread_item **out, size_t *n) STORE_WUR;
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

/* ---- duty roster and field dispatch (issue #6) ------------------------- */

typedef struct {
    int64_t id, team_id, user_id;
    /* Weekly: weekday 0 (Sunday) to 6, minutes after local midnight; an end
     * at or before the start runs past midnight. Dated: weekday -1 and
     * [starts_at, ends_at) in UTC seconds. */
    int weekday;
    int start_minute, end_minute;
    int64_t starts_at, ends_at;
    /* Read-only, joined. */
    int64_t agency_id;
    const char *team_name, *user_login, *user_name, *user_mobile;
} store_duty;

/* The shifts of the teams of an agency (0: every agency), by team, user. */
err_t store_duty_list(store_t *s, arena_t *ar, int64_t agency_id, store_duty **out,
                      size_t *n) STORE_WUR;
/* Adds a shift (checked by the caller); *id is its id. */
err_t store_duty_add(store_t *s, const store_duty *d, int64_t now, int64_t *id) STORE_WUR;
/* Deletes a shift of a team of agency_id; ERR_NOT_FOUND when there is none. */
err_t store_duty_delete(store_t *s, int64_t agency_id, int64_t id) STORE_WUR;

/* The dispatch state of a case. */
typedef struct {
    int alert_round;           /* teams alerted so far */
    int64_t alert_at;          /* the current team's alert, 0: none pending */
    int64_t accepted_by;       /* user, 0: nobody yet */
    int64_t accepted_at;       /* 0: not accepted */
    int64_t on_site_at;        /* the first start (field work began), 0: not yet */
    int64_t duplicate_of;      /* a likely duplicate of this open case, 0: none */
    int64_t follows_id;        /* follows this master case, 0: none */
    int followers;             /* cases following this one */
    const char *accepted_name; /* the accepting user's name */
    int64_t group_id;          /* the reporter's community group, 0: none */
    const char *group_name;
} store_dispatch_info;

err_t store_dispatch_get(store_t *s, arena_t *ar, int64_t case_id,
                         store_dispatch_info *out) STORE_WUR;

/* Emergency cases whose alert has waited accept_seconds without anyone
 * accepting, oldest first, at most max (ids in the arena). */
err_t store_dispatch_due(store_t *s, arena_t *ar, int64_t now, int64_t accept_seconds, unsigned max,
                         int64_t **ids, size_t *n) STORE_WUR;

/* Emergencies created between since and until that the new-case rules
 * never ran for (still received, never alerted, not a duplicate, not a
 * forwarded copy): left by a crash between the commit and the rules. */
/* The rules that follow a new case (channels/staff.c: forward,
 * duplicate, community group, emergency alert), queued in the case's
 * transaction (store_case_open, WhatsApp reports). Claims up to max due
 * ones with a lease; their case ids. */
typedef struct {
    int64_t case_id;
    int attempts; /* this one included */
} store_case_rule;
err_t store_case_rules_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                             store_case_rule **out, size_t *n) STORE_WUR;
/* Claims the rules of one case if they are due (the desk's answer shows
 * their outcome at once): *claimed false when none are waiting or another
 * worker holds them. */
err_t store_case_rules_claim_one(store_t *s, int64_t case_id, int64_t now, int64_t lease,
                                 bool *claimed, int *attempts) STORE_WUR;
/* The rules of case_id ran: done. */
err_t store_case_rules_done(store_t *s, int64_t case_id, int64_t now) STORE_WUR;
/* They failed: again at next_at, or for good (state failed, an event on
 * the case for the desk) when next_at is 0. */
err_t store_case_rules_retry(store_t *s, int64_t case_id, int64_t next_at, const char *error,
                             int64_t now) STORE_WUR;

#define STORE_ALERT_OUT_MAX 24

/* A message to staff: the neutral message and its template intent (JSON,
 * channels/channel.h), rendered by the channel's driver when sent. */
typedef struct {
    const char *to_address, *kind, *message, *template;
    const char *channel; /* the channel of to_address */
} store_alert_msg;

/* One alert round of an emergency. */
typedef struct {
    int64_t case_id;
    const char *expect_status; /* received (first round) or dispatched */
    int expect_round;          /* alert_round read; the round becomes this + 1 */
    int64_t team_id;           /* the team alerted now; 0: none left, alerting ends */
    const char *note;          /* of the event */
    bool no_event;             /* the team was set by a transition: no event */
    int64_t now;
    size_t nout; /* messages to staff, from the agency's first number */
    store_alert_msg out[STORE_ALERT_OUT_MAX];
    int64_t event_id; /* out */
} store_alert;

/* In one transaction: moves the case to the team (status dispatched,
 * event "dispatch" by the system, public, the reporter and followers told)
 * or, without a team, records "alert_exhausted"; starts the round and
 * queues the messages. ERR_CONFLICT, changing nothing, when the case is
 * no longer in expect_status and round or someone accepted meanwhile (so
 * several instances never alert twice). */
err_t store_dispatch_alert(store_t *s, arena_t *ar, store_alert *a) STORE_WUR;

/* The first member to accept owns the case: ERR_CONFLICT when someone
 * already did or the case is no longer dispatched or in progress. Appends
 * an "accept" event and queues tell[0..ntell) (to the others alerted), in
 * one transaction. */
err_t store_dispatch_accept(store_t *s, int64_t case_id, int64_t user_id, int64_t now,
                            const store_alert_msg *tell, size_t ntell) STORE_WUR;

/* Queues m[0..n) (messages to staff about the case, from its agency's
 * first number) in one transaction: all or none. */
err_t store_staff_notify(store_t *s, int64_t case_id, const store_alert_msg *m, size_t n,
                         int64_t now) STORE_WUR;

/* The case the officer works on now: one they accepted, else the newest of
 * their teams, dispatched or in progress. ERR_NOT_FOUND when none. */
err_t store_dispatch_active(store_t *s, int64_t user_id, int64_t *case_id) STORE_WUR;

/* An officer's photo or video sent on channel, waiting for its download. */
err_t store_dispatch_attach(store_t *s, int64_t case_id, const char *channel, const char *media_id,
                            const char *mime, const char *sha256, const char *filename,
                            int64_t now) STORE_WUR;

/* Appends an internal (not public) event that keeps the status: a
 * decline, a duplicate flag, a merge or split. */
err_t store_case_note_event(store_t *s, int64_t case_id, const char *action, int64_t actor_id,
                            const char *note, int64_t now) STORE_WUR;

/* Sets the duplicate links of a case (0: none) with an internal event.
 * ERR_NOT_FOUND for an unknown case. */
err_t store_case_link(store_t *s, int64_t case_id, int64_t duplicate_of, int64_t follows_id,
                      const char *action, int64_t actor_id, const char *note,
                      int64_t now) STORE_WUR;

typedef struct {
    int64_t id, created_at, follows_id;
    double lat, lon;
    const char *status;
} store_nearby;

/* Open cases (not resolved, closed, rejected or forwarded) of a category
 * created at or after since, with a location inside the box, other than
 * exclude_id, newest first. */
err_t store_case_nearby(store_t *s, arena_t *ar, int64_t category_id, int64_t since,
                        int64_t exclude_id, double lat_min, double lat_max, double lon_min,
                        double lon_max, store_nearby **out, size_t *n) STORE_WUR;

/* Community reporter groups (LACAK BENTOR). */
typedef struct {
    int64_t id, agency_id;
    const char *name;
    bool skip_verification; /* their complaints start verified */
    /* Read-only, counted (store_group_list only). */
    int members, cases, open_cases, resolved_cases;
} store_group;

/* ERR_CONFLICT when the agency has a group of that name. */
err_t store_group_create(store_t *s, const store_group *g, int64_t now, int64_t *id) STORE_WUR;
/* The groups of an agency with their counts of members and cases (open:
 * not resolved, closed, rejected or forwarded; resolved: or closed). */
err_t store_group_list(store_t *s, arena_t *ar, int64_t agency_id, store_group **out,
                       size_t *n) STORE_WUR;
err_t store_group_get(store_t *s, arena_t *ar, int64_t id, store_group *out) STORE_WUR;
/* Registers (or renames) a member by WhatsApp id. */
err_t store_group_member_add(store_t *s, int64_t group_id, const char *mobile, const char *name,
                             int64_t now) STORE_WUR;
/* ERR_NOT_FOUND when not a member. */
err_t store_group_member_remove(store_t *s, int64_t group_id, const char *mobile) STORE_WUR;
/* The agency's group mobile is a member of (the oldest if several). */
err_t store_group_of(store_t *s, arena_t *ar, int64_t agency_id, const char *mobile,
                     store_group *out) STORE_WUR;
/* Marks the case as reported by a member of the group. */
err_t store_case_set_group(store_t *s, int64_t case_id, int64_t group_id) STORE_WUR;
/* One registered member of a community group (the admin page lists them). */
typedef struct {
    const char *mobile, *name; /* name may be NULL */
    int64_t created_at;
} store_group_member;
/* The members of a group, oldest first (at most STORE_GROUP_MEMBERS_MAX). */
#define STORE_GROUP_MEMBERS_MAX 1000
err_t store_group_members(store_t *s, arena_t *ar, int64_t group_id, store_group_member **out,
                          size_t *n) STORE_WUR;

/* The category a new case of category_id is forwarded to, 0 when none. */
err_t store_category_forward(store_t *s, int64_t category_id, int64_t *to) STORE_WUR;
/* Sets it (0: none). */
err_t store_category_set_forward(store_t *s, int64_t category_id, int64_t to) STORE_WUR;
/* ---- satisfaction survey and statistics (issue #8) ---------------------- */

#define STORE_SURVEY_UNSUR 9

/* Claims the survey invitation of a case, in one transaction. The first
 * call for a case records it (with event_id, the closing event whose status
 * update carries the invitation, or 0 for a standalone invitation) and, when
 * message is given and the case came over WhatsApp, queues message (and
 * its template intent for outside the re-engagement window; both neutral
 * JSON, channels/channel.h) to the reporter as kind
 * "survey_invite". *mine (may be NULL) is true when this call owns the
 * invitation: it was the first, or event_id is non-zero and the same as
 * the first's (a retried send); false when the case was answered already.
 * ERR_NOT_FOUND for an unknown case. */
err_t store_survey_invite(store_t *s, int64_t case_id, int64_t event_id, const char *message,
                          const char *template, int64_t now, bool *mine) STORE_WUR;
/* Whether the case's reporter was invited and has answered. */
err_t store_survey_status(store_t *s, int64_t case_id, bool *invited, bool *answered) STORE_WUR;
/* Records the answer set for a case (answers[i] 1..4, or 0 for no answer;
 * comment optional) as an anonymous response of the case's agency and
 * category on the local day day, and marks the case answered, in one
 * transaction. ERR_CONFLICT, changing nothing, when the case was answered
 * already; ERR_NOT_FOUND for an unknown case; ERR_INVALID for a value out of
 * range. */
err_t store_survey_submit(store_t *s, int64_t case_id, const int answers[STORE_SURVEY_UNSUR],
                          const char *comment, int64_t day, int64_t now) STORE_WUR;

typedef struct {
    int64_t sum[STORE_SURVEY_UNSUR], count[STORE_SURVEY_UNSUR];
    int64_t respondents;
} store_survey_tally;

/* Sums of the answers per unsur of the responses given in [from, to)
 * (answered_on), of one agency and category (0: any). */
err_t store_survey_tally_get(store_t *s, int64_t agency_id, int64_t category_id, int64_t from,
                             int64_t to, store_survey_tally *out) STORE_WUR;

typedef struct {
    int64_t id, agency_id, category_id, team_id;
    const char *status, *tracking_code, *kind;
    const char *category_name_id, *category_name_en, *kecamatan_code, *kecamatan_name, *team_name;
    bool has_location, rahasia;
    double lat, lon;
    int64_t created_at;
    int64_t first_response_at; /* first event by a staff member after the report; 0: none */
    int64_t resolved_at;       /* first event to resolved (or issued); 0: none */
    int64_t closed_at;         /* last event to closed; 0: none */
    /* The SLA: the resolve deadline in force (cases.sla_resolve_due_at; 0:
     * none) and the last event to resolved or issued (0: none; a reopened
     * case is judged by its last resolution against its new deadline). */
    int64_t resolve_due_at, last_resolved_at;
    const char *agency_code, *agency_name;
    /* SP4N-LAPOR! (issue 17 §3): the national class, the tracking id
     * (NULL: none) and when it was marked for LAPOR! (0: not marked). */
    const char *lapor_class, *lapor_tracking_id;
    int64_t lapor_marked_at;
    const char *channel; /* where the case came from: whatsapp, web, walk_in, ... */
} store_stats_case;

/* The cases of one agency (0: all) received in [from, to), without those
 * forwarded to another agency (they count there), oldest first. For
 * statistics: the callers aggregate. */
err_t store_stats_cases(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                        store_stats_case **out, size_t *n) STORE_WUR;
/* ---- civil-registry service requests (issue #7) ------------------------- */

/* A service is a category of kind "service"; these are its required
 * documents, in the order they are asked. */
typedef struct {
    int64_t id, category_id;
    int seq;
    const char *name_id, *name_en;
    const char *accepts; /* photo | pdf | both */
    bool mandatory;
    const char *help_id, *help_en;
    bool active; /* false: retired, kept for earlier requests */
} store_svc_doc;

/* The documents of a service, by seq; retired ones too when all. */
err_t store_svc_docs(store_t *s, arena_t *ar, int64_t category_id, bool all, store_svc_doc **out,
                     size_t *n) STORE_WUR;
/* Creates (c->id 0; c->id set) or updates the service category c and its
 * documents in one transaction: a doc with an id is updated (ERR_NOT_FOUND
 * when it is not this service's), one without is added (its id set), and
 * the service's documents left out are retired. ERR_CONFLICT when the code
 * is taken in the agency. */
err_t store_svc_save(store_t *s, store_category *c, store_svc_doc *docs, size_t n) STORE_WUR;

#define STORE_SVC_FILES_MAX 12

/* What one WhatsApp message adds to a service request, applied inside
 * store_dialog_apply's transaction. */
typedef struct store_svc_effects {
    /* A new request: fx->new_case is the case; these are its own data. */
    const char *nik, *applicant_name;
    int64_t consent_at;
    /* Files already sent again: case_id is the request (in state
     * "incomplete", of this citizen, else ERR_CONFLICT). */
    int64_t case_id;
    size_t nfiles;
    struct {
        int64_t document_id;
        store_media m;
    } files[STORE_SVC_FILES_MAX];
    size_t nskipped; /* optional documents the citizen skipped (new request) */
    int64_t skipped[STORE_SVC_FILES_MAX];
    bool resubmitted; /* every file asked again is in: a "resubmitted" event */
} store_svc_effects;

typedef struct {
    int64_t case_id;
    const char *nik, *applicant_name;
    int64_t consent_at, submitted_at;
    int resubmissions; /* times sent back as incomplete */
    int64_t issued_at, issued_by, issued_attachment_id, issued_outbox_id, files_deleted_at;
    /* Read-only: the issued document's message (NULL when none). */
    const char *issued_state, *issued_delivery, *issued_error, *issued_wamid;
} store_svc_request;

err_t store_svc_request_get(store_t *s, arena_t *ar, int64_t case_id,
                            store_svc_request *out) STORE_WUR;

typedef struct {
    int64_t document_id;
    const char *verdict; /* pending | accepted | rejected | skipped */
    const char *reason;
    int64_t actor_id, updated_at;
} store_svc_check;

err_t store_svc_checks(store_t *s, arena_t *ar, int64_t case_id, store_svc_check **out,
                       size_t *n) STORE_WUR;

typedef struct {
    store_attachment a;
    int64_t document_id; /* 0: not a required document (e.g. the issued PDF) */
} store_svc_file;

/* The case's attachments with the document each answers. */
err_t store_svc_files(store_t *s, arena_t *ar, int64_t case_id, store_svc_file **out,
                      size_t *n) STORE_WUR;
/* One attachment of the case (ERR_NOT_FOUND when not this case's). */
err_t store_svc_file_get(store_t *s, arena_t *ar, int64_t case_id, int64_t attachment_id,
                         store_svc_file *out) STORE_WUR;

/* Appends a staff-only event to the case (e.g. "document_view") whatever
 * its state; when expect_status is given, ERR_CONFLICT unless the case is
 * in it. */
err_t store_svc_event(store_t *s, int64_t case_id, const char *expect_status, const char *action,
                      int64_t actor_id, const char *note, int64_t now) STORE_WUR;

/* The operator's verdict on one required document of the case (which must
 * be in expect_status), with a staff-only event, in one transaction. */
err_t store_svc_verdict(store_t *s, int64_t case_id, const char *expect_status, int64_t document_id,
                        const char *verdict, const char *reason, int64_t actor_id,
                        int64_t now) STORE_WUR;

/* Sends the request back to the citizen, in one transaction: the case from
 * expect_status to "incomplete" with a public event (note: what to send
 * again; it is told to the citizen by the status update this queues), the
 * missing documents marked rejected with missing_reason, the resubmission
 * counted, and the citizen's conversation put into conv_state. */
err_t store_svc_request_more(store_t *s, int64_t case_id, const char *expect_status,
                             int64_t actor_id, const char *note, const int64_t *missing,
                             size_t nmissing, const char *missing_reason, const char *conv_state,
                             int64_t now, int64_t *event_id) STORE_WUR;

/* Issues the document, in one transaction: the PDF (in the media directory
 * as sha256) becomes an officer attachment, the case moves from
 * "processing" to "issued" with a public event, and the document message
 * (kind "document": the neutral message and its template intent carry the
 * media id placeholder
 * that the outbox fills after uploading the file) is queued to the
 * citizen. ERR_CONFLICT when the case is not in "processing"; ERR_NOT_FOUND
 * when it has no WhatsApp reporter. */
err_t store_svc_issue(store_t *s, int64_t case_id, int64_t actor_id, const char *sha256,
                      int64_t size, const char *filename, const char *message, const char *template,
                      const char *note, int64_t now, int64_t *attachment_id,
                      int64_t *outbox_id) STORE_WUR;

/* The file an outbox message of kind "document" carries. */
err_t store_svc_outbox_file(store_t *s, arena_t *ar, int64_t outbox_id, const char **sha256,
                            const char **filename) STORE_WUR;

/* Retention: the files of service requests closed, rejected or issued
 * before `before` are marked deleted (the rows stay), in one transaction;
 * *sha gets the digests no stored attachment uses any more, for the caller
 * to remove from the media directory. */
err_t store_svc_expire(store_t *s, arena_t *ar, int64_t before, int64_t now, const char ***sha,
                       size_t *n, size_t *files) STORE_WUR;

typedef struct {
    int64_t case_id, category_id, agency_id, issued_by;
    const char *code, *name_id, *name_en, *operator_name;
    int target_hours;
    int64_t submitted_at, issued_at; /* issued_at 0: not issued */
    int resubmissions;
} store_svc_row;

/* Service requests submitted in [from, to) (0: open) of the agency (0:
 * every agency), for measures. At most STORE_SVC_ROWS_MAX. */
#define STORE_SVC_ROWS_MAX 100000
err_t store_svc_rows(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                     store_svc_row **out, size_t *n) STORE_WUR;

/* ---- the LAPOR! tracking number and the field view (issue 13) --------- */

/* Sets (lapor_id) or clears (NULL) the case's LAPOR! tracking number with
 * an internal event that keeps the status ("lapor_set" with the number as
 * note, or "lapor_clear"), in one transaction. *changed is false, and
 * nothing is written, when the case has that value already. ERR_NOT_FOUND
 * for an unknown case. */
/* Sets the case's LAPOR! classification (cls, already checked) and, when
 * mark is 1 or -1, marks it for LAPOR! (now) or clears the mark, with an
 * internal event per change ("lapor_class" with the class as note,
 * "lapor_mark", "lapor_unmark"), in one transaction; cls NULL keeps the
 * class, mark 0 the mark. *changed says whether anything changed. */
err_t store_case_set_lapor_fields(store_t *s, int64_t case_id, const char *cls, int mark,
                                  int64_t actor_id, int64_t now, bool *changed) STORE_WUR;

err_t store_case_set_lapor(store_t *s, int64_t case_id, const char *lapor_id, int64_t actor_id,
                           int64_t now, bool *changed) STORE_WUR;

typedef struct {
    int64_t case_id;
    int64_t resolved_at; /* the last "resolve" event in the period */
    const char *tracking_code, *status, *kind;
    const char *category_name_id, *category_name_en; /* NULL: no category */
} store_resolved;

/* The cases of the team with a "resolve" event in [from, to), the latest
 * resolution first, each once, at most limit. */
err_t store_team_resolved(store_t *s, arena_t *ar, int64_t team_id, int64_t from, int64_t to,
                          unsigned limit, store_resolved **out, size_t *n) STORE_WUR;

/* ---- the audit log (issue 19 §2; audit.c) ------------------------------
 * Append-only: the database refuses UPDATE always and DELETE of an entry
 * younger than the retention (0019). Never personal data in the entries:
 * which case, not whose. */
typedef struct {
    int64_t id, at;
    int64_t user_id; /* 0: the command line or the system */
    const char *login, *client;
    const char *action; /* login, logout, reporter_read, ... (docs/API.md) */
    int64_t case_id;    /* 0: none */
    const char *target, *detail;
} store_audit_entry;

err_t store_audit_add(store_t *s, const store_audit_entry *e) STORE_WUR;

typedef struct {
    int64_t from, to;   /* at in [from, to); 0: open */
    const char *login;  /* NULL: everyone */
    const char *action; /* NULL: every action */
    int64_t case_id;    /* 0: every case */
    int64_t before_id;  /* 0: from the newest; else entries with a smaller id */
    unsigned limit;     /* 1..STORE_AUDIT_PAGE_MAX */
    /* Only what showed a reporter's identity document: its views
     * (identity_document_view) and a request file's download
     * (identity_document_read). */
    bool identity_access;
} store_audit_filter;
#define STORE_AUDIT_PAGE_MAX 1000

/* Entries matching f, newest first. */
err_t store_audit_list(store_t *s, arena_t *ar, const store_audit_filter *f,
                       store_audit_entry **out, size_t *n) STORE_WUR;
/* The retention the database enforces (audit_policy), in days (>= 30);
 * a change is written to the log by the database itself. *changed. */
err_t store_audit_set_retention(store_t *s, unsigned days, int64_t now, bool *changed) STORE_WUR;
/* Deletes up to max entries older than cutoff (the retention job). */
err_t store_audit_prune(store_t *s, int64_t cutoff, unsigned max, int64_t *deleted) STORE_WUR;

/* ---- two-factor sign-in (issue 19 §3; twofa.c) ------------------------- */
typedef struct {
    const char *secret; /* base32 */
    int64_t created_at;
    int64_t confirmed_at; /* 0: enrolling, the key not proven yet */
    int64_t last_step;    /* the step of the last code accepted */
} store_totp;

/* ERR_NOT_FOUND when the user has no key (neither enrolled nor enrolling). */
err_t store_totp_get(store_t *s, arena_t *ar, int64_t user_id, store_totp *out) STORE_WUR;
/* Starts (or restarts) an enrolment with a new key; ERR_CONFLICT when the
 * user has a confirmed key already. */
err_t store_totp_begin(store_t *s, int64_t user_id, const char *secret, int64_t now) STORE_WUR;
/* Confirms the enrolling key with the step of a code just checked and
 * replaces the recovery codes by these (SHA-256 hex), in one transaction.
 * ERR_NOT_FOUND when there is no enrolment (or it is confirmed already). */
err_t store_totp_confirm(store_t *s, int64_t user_id, int64_t step, const char *const *code_hashes,
                         size_t ncodes, int64_t now) STORE_WUR;
/* Spends a code's step: ERR_NOT_FOUND when a code of that step or a later
 * one was used already (a replay). */
err_t store_totp_use_step(store_t *s, int64_t user_id, int64_t step) STORE_WUR;
/* Spends a recovery code (SHA-256 hex): ERR_NOT_FOUND when unknown or used. */
err_t store_totp_use_recovery(store_t *s, int64_t user_id, const char *code_hash,
                              int64_t now) STORE_WUR;
/* Recovery codes not used yet. */
err_t store_totp_recovery_left(store_t *s, int64_t user_id, int64_t *n) STORE_WUR;
/* Removes the key and the recovery codes (aduan user 2fa-reset, or the user
 * turning an optional second factor off); with end_sessions the user's
 * sessions end too. *had: whether there was a key. */
err_t store_totp_reset(store_t *s, int64_t user_id, bool end_sessions, bool *had) STORE_WUR;

/* ---- sessions: where from, the list, ending them (issue 19 §3; sessions.c) */
typedef struct {
    const char *token_hash;
    int64_t created_at, expires_at;
    const char *client, *user_agent;
    const char *factor; /* password, totp, recovery */
} store_session_info;
#define STORE_SESSIONS_MAX 100

/* A new session, with where (client: the address) and how (factor) the
 * user signed in; client and user_agent may be NULL. Sweeps the sessions
 * expired at now. */
err_t store_session_open(store_t *s, const char *token_hash, int64_t user_id, const char *csrf,
                         int64_t now, int64_t expires_at, const char *client,
                         const char *user_agent, const char *factor) STORE_WUR;
/* The user's unexpired sessions, newest first (at most STORE_SESSIONS_MAX). */
err_t store_session_list(store_t *s, arena_t *ar, int64_t user_id, int64_t now,
                         store_session_info **out, size_t *n) STORE_WUR;
/* Ends the user's sessions but keep_hash (NULL: every one); *ended. */
err_t store_session_end_all(store_t *s, int64_t user_id, const char *keep_hash,
                            int64_t *ended) STORE_WUR;
/* Ends the user's session whose token hash starts with prefix (12 hex
 * digits); ERR_NOT_FOUND when the user has none such. */
err_t store_session_end_one(store_t *s, int64_t user_id, const char *prefix) STORE_WUR;
/* Sets a new password hash and ends every other session of the user (the
 * one of keep_hash stays), in one transaction. */
err_t store_user_change_password(store_t *s, int64_t user_id, const char *password_hash,
                                 const char *keep_hash) STORE_WUR;

/* ---- operations (issue 19 §6) ------------------------------------------ */

/* What GET /metrics reads from the database at a scrape, in one statement
 * (one snapshot); every count uses a partial index of its queue. */
typedef struct {
    int64_t inbox_pending;   /* webhook bodies not processed yet */
    int64_t inbox_dead;      /* dead letters kept for the superadmin */
    int64_t inbox_oldest_at; /* received_at of the oldest pending, 0: none */
    int64_t outbox_pending;  /* messages not sent yet (waiting or due) */
    int64_t outbox_due;      /* ...of which due at now */
    int64_t numbers_paused;  /* numbers whose sends wait on a refused token (190) */
    int64_t sessions_active; /* staff sessions not expired at now */
} store_ops_gauges;

err_t store_ops_gauges_read(store_t *s, int64_t now, store_ops_gauges *out) STORE_WUR;

/* ---- Open311 GeoReport v2 (issue 17 §1; open311.c) ---------------------- */
typedef struct {
    const char *client;
    int64_t created_at, revoked_at; /* revoked_at 0: active */
} store_open311_key;

/* Records a client's key (SHA-256 hex); ERR_CONFLICT when the client has
 * an active key already (or the hash is known). */
err_t store_open311_key_add(store_t *s, const char *client, const char *key_hash,
                            int64_t now) STORE_WUR;
/* The client of an active key; ERR_NOT_FOUND for an unknown or revoked one. */
err_t store_open311_key_client(store_t *s, arena_t *ar, const char *key_hash,
                               const char **client) STORE_WUR;
/* Every key ever issued, by client. */
err_t store_open311_key_list(store_t *s, arena_t *ar, store_open311_key **out, size_t *n) STORE_WUR;
/* Revokes the client's active key; ERR_NOT_FOUND when it has none. */
err_t store_open311_key_revoke(store_t *s, const char *client, int64_t now) STORE_WUR;
/* notes[i]: the latest public note (the message to the reporter) of case
 * ids[i], NULL when none; notes has room for n. */
err_t store_open311_notes(store_t *s, arena_t *ar, const int64_t *ids, size_t n,
                          const char **notes) STORE_WUR;
/* photos[i]: the id of the reporter's first stored picture of case ids[i]
 * (0: none); photos has room for n. */
err_t store_open311_photos(store_t *s, const int64_t *ids, size_t n, int64_t *photos) STORE_WUR;
/* Records a picture a client posted with its request (already re-encoded
 * and written to the media directory as sha256) as the reporter's. */
err_t store_open311_photo_add(store_t *s, int64_t case_id, const char *sha256, const char *mime,
                              int64_t size, int64_t now, int64_t *id) STORE_WUR;

/* ---- outbound webhooks (issue 17 §2; webhooks.c) ------------------------ */
/* The event types a subscription may ask for, comma separated. */
#define STORE_WEBHOOK_TYPES                                                                        \
    "case.created,case.status_changed,case.assigned,case.note_public,message.received,"            \
    "survey.submitted,sla.breached,case.lapor_updated"
#define STORE_WEBHOOK_DELIVERIES_MAX 200

typedef struct {
    int64_t id, agency_id;
    const char *url, *secret, *events, *description; /* events: a comma list */
    bool active, trusted;
    int64_t paused_at; /* 0: not paused */
    int consecutive_failures;
    int64_t created_at, updated_at;
    int64_t pending, failed; /* deliveries (list and get only) */
} store_webhook;

err_t store_webhook_list(store_t *s, arena_t *ar, int64_t agency_id, store_webhook **out,
                         size_t *n) STORE_WUR;
err_t store_webhook_get(store_t *s, arena_t *ar, int64_t id, store_webhook *out) STORE_WUR;
err_t store_webhook_add(store_t *s, const store_webhook *w, int64_t now, int64_t *id) STORE_WUR;
/* Sets url, secret, events, description, active and trusted of w->id. */
err_t store_webhook_update(store_t *s, const store_webhook *w, int64_t now) STORE_WUR;
/* Deletes the subscription and its deliveries. */
err_t store_webhook_delete(store_t *s, int64_t id) STORE_WUR;
/* Unpauses: the failure count starts again, its pending deliveries are due. */
err_t store_webhook_resume(store_t *s, int64_t id, int64_t now) STORE_WUR;

typedef struct {
    int64_t id, subscription_id;
    const char *event_type;
    int64_t case_id, event_id; /* 0: none */
    const char *body;          /* NULL until the first attempt rendered it */
    const char *state;         /* pending, delivered, failed */
    int attempts;
    int64_t next_attempt_at;
    int last_status; /* the receiver's HTTP status, 0: none (no answer) */
    const char *last_error;
    int64_t created_at, expires_at, delivered_at;
    /* Claim and get: the subscription's. */
    int64_t agency_id;
    const char *url, *secret;
    bool trusted, held; /* held: the subscription is paused or inactive */
} store_webhook_delivery;

/* The newest deliveries of a subscription first. */
err_t store_webhook_deliveries(store_t *s, arena_t *ar, int64_t subscription_id, unsigned limit,
                               store_webhook_delivery **out, size_t *n) STORE_WUR;
err_t store_webhook_delivery_get(store_t *s, arena_t *ar, int64_t id,
                                 store_webhook_delivery *out) STORE_WUR;
/* "Kirim ulang": due now again, retried for another 24 h. */
err_t store_webhook_redeliver(store_t *s, int64_t id, int64_t now) STORE_WUR;
/* Claims up to max due deliveries for lease seconds (attempts + 1). */
err_t store_webhook_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                          store_webhook_delivery **out, size_t *n) STORE_WUR;
/* Freezes a delivery's body (only where none is kept yet); *body the kept one. */
err_t store_webhook_set_body(store_t *s, arena_t *ar, int64_t id, const char **body) STORE_WUR;

typedef struct {
    int64_t id;
    bool delivered;
    int status;        /* 0: no answer */
    const char *error; /* NULL when delivered */
    int64_t next_at;   /* not delivered: the next try, 0: failed for good */
    bool count;        /* a failure that counts toward the pause */
    int pause_after;   /* consecutive failures that pause the subscription */
    int64_t now;
} store_webhook_outcome;
/* Records an attempt; *paused_sub: the subscription it paused (0: none). */
err_t store_webhook_record(store_t *s, const store_webhook_outcome *o,
                           int64_t *paused_sub) STORE_WUR;
/* A delivery claimed while its subscription is held: due again at at,
 * the attempt not counted. */
err_t store_webhook_hold(store_t *s, int64_t id, int64_t at) STORE_WUR;
/* Deletes up to max delivered or failed deliveries made before cutoff
 * (their bodies may hold a trusted subscriber's personal data). */
err_t store_webhook_prune(store_t *s, int64_t cutoff, unsigned max, int64_t *deleted) STORE_WUR;

/* ---- the operators' live workspace (issue 18; live.c) ---------------------------- */

/* Assigns the case to user_id (0: to nobody) with an "assign" event (a
 * case.assigned webhook) and a live event, in one transaction. *changed
 * is false, and nothing is written, when it is so already. ERR_NOT_FOUND:
 * no case; ERR_INVALID: user_id is no enabled admin, supervisor or
 * superadmin of the case's agency. */
err_t store_case_assign(store_t *s, int64_t case_id, int64_t user_id, int64_t actor_id, int64_t now,
                        bool *changed) STORE_WUR;
/* Records that user_id has seen the case now, up to its newest inbound
 * message. */
err_t store_case_read(store_t *s, int64_t user_id, int64_t case_id, int64_t now) STORE_WUR;
/* The unread cases (a citizen's message newer than the user last saw,
 * on a case not closed, rejected or forwarded) of the filter f (its
 * scope and field view; not its text, paging or assignee) for user_id:
 * assigned to them, to nobody, and all. */
typedef struct {
    int64_t mine, none, all;
} store_unread;
err_t store_unread_counts(store_t *s, arena_t *ar, const store_case_filter *f, int64_t user_id,
                          store_unread *out) STORE_WUR;
/* Of the cases ids[0..n) (at most STORE_LIST_MAX), sets unread[i] when
 * case ids[i] is unread for user_id. */
err_t store_unread_of(store_t *s, int64_t user_id, const int64_t *ids, size_t n,
                      bool *unread) STORE_WUR;

/* The enabled admins, supervisors and superadmins who may own a case of
 * the agency, by name. */
err_t store_assignees(store_t *s, arena_t *ar, int64_t agency_id, store_user **out,
                      size_t *n) STORE_WUR;

/* Who is looking at a case (case_presence). */
typedef struct {
    int64_t user_id;
    const char *name;
    int64_t since; /* when they opened it */
} store_presence;
/* A heartbeat of user_id on the case (leaving: they closed it). *changed
 * when the people there changed: they were not there (no beat at or after
 * fresh_after) or left. Older rows of the case are removed. */
err_t store_presence_beat(store_t *s, int64_t case_id, int64_t user_id, bool leaving, int64_t now,
                          int64_t fresh_after, bool *changed) STORE_WUR;
/* The people with a beat at or after fresh_after, longest there first. */
err_t store_presence_list(store_t *s, arena_t *ar, int64_t case_id, int64_t fresh_after,
                          unsigned max, store_presence **out, size_t *n) STORE_WUR;

/* A row of live_events: what a dashboard's event stream tells. */
typedef struct {
    int64_t id, agency_id, case_id; /* case_id 0: none */
    const char *kind;               /* case | message | attachment | emergency | presence */
    int64_t created_at;
} store_live_event;
/* Appends a live event outside any other transaction (presence). */
err_t store_live_add(store_t *s, int64_t agency_id, int64_t case_id, const char *kind,
                     int64_t now) STORE_WUR;
/* The events above after_id, oldest first, at most max, of the agencies
 * user_id has a role in (0: every agency). */
err_t store_live_since(store_t *s, arena_t *ar, int64_t user_id, int64_t after_id, unsigned max,
                       store_live_event **out, size_t *n) STORE_WUR;
/* The newest event's id (0: none). */
err_t store_live_last(store_t *s, int64_t *id) STORE_WUR;
/* PostgreSQL: each transaction that adds live events notifies this
 * channel (NOTIFY, delivered at its commit, to every instance). */
#define STORE_LIVE_CHANNEL "aduan_live"
/* Waits up to timeout_ms for that notification (*notified; also after
 * the listening connection was made again), on SQLite for a commit of
 * this process that wrote live events. One thread only (the event
 * streams' hub). ERR_UNAVAILABLE while the database cannot be reached:
 * poll store_live_last then. */
err_t store_live_wait(store_t *s, int timeout_ms, bool *notified) STORE_WUR;
/* Deletes up to max events made before cutoff (*deleted: how many), and
 * the presence heartbeats older than it. */
err_t store_live_prune(store_t *s, int64_t cutoff, unsigned max, int64_t *deleted) STORE_WUR;
/* ---- channel endpoints (issue 16: Telegram bots, mailboxes) ------------- */

/* An agency's own address on a channel that is not a mobile number
 * (channel_endpoints): a Telegram bot (endpoint: the bot's id; secret: its
 * token; settings: the driver's JSON, e.g. the webhook secret). */
typedef struct {
    int64_t id, agency_id;
    const char *agency_code;
    const char *channel, *endpoint;
    const char *secret;   /* the credential; never logged, never shown */
    const char *settings; /* JSON */
    bool active;
    int64_t updated_at;
} store_endpoint;

/* Makes endpoint the agency's one endpoint on channel (replacing its
 * earlier one, and taking endpoint from any other agency). */
err_t store_endpoint_put(store_t *s, int64_t agency_id, const char *channel, const char *endpoint,
                         const char *secret, const char *settings, int64_t now) STORE_WUR;
/* The agency's active endpoint on channel; ERR_NOT_FOUND when none. */
err_t store_endpoint_of_agency(store_t *s, arena_t *ar, int64_t agency_id, const char *channel,
                               store_endpoint *out) STORE_WUR;
/* The active endpoint named endpoint on channel; ERR_NOT_FOUND when none. */
err_t store_endpoint_get(store_t *s, arena_t *ar, const char *channel, const char *endpoint,
                         store_endpoint *out) STORE_WUR;
/* Every endpoint on channel, by agency code. */
err_t store_endpoint_list(store_t *s, arena_t *ar, const char *channel, store_endpoint **out,
                          size_t *n) STORE_WUR;
/* Removes the agency's endpoint on channel; ERR_NOT_FOUND when none. */
err_t store_endpoint_remove(store_t *s, int64_t agency_id, const char *channel) STORE_WUR;

/* ---- evidence (evidence.c, issue 18) ---- */

/* Whether attachment id is a reporter's identity document: a file that
 * answers a service request's required document (KTP, KK, ...), any file
 * of a service request (what the citizen sent and what was issued), or a
 * file staff marked so.
 * ERR_NOT_FOUND when there is no such attachment. */
err_t store_attachment_identity(store_t *s, int64_t id, bool *out) STORE_WUR;
/* Marks (or unmarks) attachment id as an identity document by staff's
 * word (a KTP photo in a complaint's chat). ERR_NOT_FOUND: no such file. */
err_t store_attachment_mark_identity(store_t *s, int64_t id, bool identity) STORE_WUR;
/* The ids of the case's identity documents, ascending (into ar). */
err_t store_case_identity_files(store_t *s, arena_t *ar, int64_t case_id, int64_t **ids,
                                size_t *n) STORE_WUR;
/* ---- evidence named by a URL (issue 17 §1, media; fetch.c) -------------- */

/* store_case_open, and in the same transaction a pending attachment of the
 * reporter's to be fetched from url (http or https, checked by the
 * caller) by the fetch worker; its id in *attachment_id. */
err_t store_case_open_fetch(store_t *s, arena_t *ar, store_case *c, const store_reporter_in *rep,
                            const char *note, const char *url, int64_t *attachment_id) STORE_WUR;

typedef struct {
    int64_t id, case_id;
    const char *url;
    int attempts; /* counting this one */
} store_fetch_job;

/* Claims up to max fetches that are due (lease seconds); stored with
 * store_media_stored, retried with store_media_retry (next_at > 0). */
err_t store_fetch_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                        store_fetch_job **out, size_t *n) STORE_WUR;
/* Gives up on the fetch for good: state failed with error, and an
 * internal "media_failed" event on the case carrying it. */
err_t store_fetch_failed(store_t *s, int64_t id, const char *error, int64_t now) STORE_WUR;
/* ---- the hotspot map (issue 18, store/hotspots.c) ------------------------ */

/* One group of cases: a category, a kecamatan (NULL: none) and a grid cell
 * (the case's latitude and longitude times per_degree, rounded; 0 and
 * located false for cases without a location), and how many. */
typedef struct {
    int64_t category_id;
    const char *kecamatan_code;
    bool located;
    int64_t cell_lat, cell_lon;
    int64_t count;
} store_hotspot_row;

/* The cases of agency_id (and category_id; 0: any) received in [from, to),
 * without those forwarded away, grouped as above, ordered by cell. */
err_t store_hotspots(store_t *s, arena_t *ar, int64_t agency_id, int64_t category_id, int64_t from,
                     int64_t to, double per_degree, store_hotspot_row **out, size_t *n) STORE_WUR;

/* ---- following a case by email (issue 18, store/follows.c, 0039) -------- */

/* A request to follow case_id at address (lower case): the hashes of the
 * confirmation and unsubscribe tokens, the unsubscribe token itself as it
 * is kept (sealed with ADUAN_DATA_KEY when set), and the confirmation
 * mail (the email driver's payload) for the agency's mailbox endpoint. */
typedef struct {
    int64_t case_id, agency_id;
    const char *endpoint, *address, *lang;
    const char *confirm_hash;
    int64_t confirm_until; /* unix seconds: the link works until then */
    const char *unsub_hash, *unsub_token;
    const char *payload;
    int64_t now;
} store_email_follow_req;

/* Records the request and queues its confirmation mail in one
 * transaction (*queued). An address that follows the case already
 * changes nothing (*queued false); one waiting for its confirmation gets
 * a new link (the old one stops working) and keeps its unsubscribe token. */
err_t store_email_follow_request(store_t *s, const store_email_follow_req *x,
                                 bool *queued) STORE_WUR;

typedef struct {
    int64_t case_id;
    const char *address;
    const char *tracking_code; /* canonical */
} store_email_follow;

/* Confirms the request whose link's token hashes to confirm_hash, if it
 * still waits and its link has not run out: the address joins the case's
 * watchers (case_watchers, channel "email"). ERR_NOT_FOUND otherwise (an
 * unknown, used or expired link). */
err_t store_email_follow_confirm(store_t *s, arena_t *ar, const char *confirm_hash, int64_t now,
                                 store_email_follow *out) STORE_WUR;
/* Ends the follow whose unsubscribe token hashes to unsub_hash: its row
 * and its watcher go. ERR_NOT_FOUND when there is none (used already). */
err_t store_email_follow_stop(store_t *s, arena_t *ar, const char *unsub_hash,
                              store_email_follow *out) STORE_WUR;
/* The unsubscribe token (as kept) of address's confirmed follow of
 * case_id; ERR_NOT_FOUND when it does not follow the case by email. */
err_t store_email_follow_unsub_token(store_t *s, arena_t *ar, int64_t case_id, const char *address,
                                     const char **out) STORE_WUR;
/* Retention (UU PDP): forgets up to max addresses of cases finished
 * before finished_before and unconfirmed requests whose link ran out by
 * now; *n gets how many follows went. */
err_t store_email_follows_purge(store_t *s, int64_t now, int64_t finished_before, unsigned max,
                                size_t *n) STORE_WUR;
/* ---- saved inbox filters (issue 18, filters.c) ---- */

/* A user's saved filter of the inbox: query is a JSON object of the
 * inbox's filter keys (checked by the API, stored as given). */
typedef struct {
    int64_t id, user_id;
    const char *name;
    const char *query; /* JSON text */
    int64_t created_at;
} store_saved_filter;

/* The user's saved filters, by name. */
err_t store_filter_list(store_t *s, arena_t *ar, int64_t user_id, store_saved_filter **out,
                        size_t *n) STORE_WUR;
/* Adds f (user_id, name, query, created_at; sets f->id) unless the user
 * has max already: ERR_TOO_LARGE; ERR_CONFLICT when the name is taken. */
err_t store_filter_add(store_t *s, store_saved_filter *f, unsigned max) STORE_WUR;
/* Removes the user's filter id; ERR_NOT_FOUND when it is not theirs. */
err_t store_filter_delete(store_t *s, int64_t id, int64_t user_id) STORE_WUR;
/* ---- issue 16's last items (chan): IMAP dedupe, cancel links, keys ------ */

/* Whether key is in inbound_seen (a channel's id of an update stored
 * before, e.g. an IMAP message's "imap:<mailbox>:<uidvalidity>:<uid>"). */
err_t store_inbound_seen(store_t *s, const char *key, bool *seen) STORE_WUR;

/* The shared key name (server_keys): the one stored, or fresh (made by the
 * caller, e.g. random hex) when none was; every instance gets the same.
 * *secret is ar's. */
typedef struct {
    const char *secret;
} store_server_key_row;
err_t store_server_key(store_t *s, arena_t *ar, const char *name, const char *fresh, int64_t now,
                       const char **secret) STORE_WUR;

/* Records key as used (inbound_seen); *fresh when it was not before. The
 * one-use check of something every instance may be shown (a web form
 * challenge: "wf:<its MAC>"). */
err_t store_once(store_t *s, const char *key, int64_t now, bool *fresh) STORE_WUR;

/* ---- issue 16: the reporter withdraws a filed case (chan) ---------------- */

/* Closes case_id from expect_status by its reporter's withdrawal, in one
 * transaction (store/withdraw.c): a public "withdraw" event with reason as
 * its internal note, the followers' notices. ERR_CONFLICT, changing
 * nothing, when the case is no longer in expect_status; ERR_NOT_FOUND when
 * there is no such case. The caller checks who asks (domain/withdraw.c). */
err_t store_case_withdraw(store_t *s, int64_t case_id, const char *expect_status,
                          const char *reason, int64_t now, int64_t *event_id) STORE_WUR;

/* The web form's private cancel link (migration 0040): the SHA-256 (hex)
 * of its token for case_id; with message (a neutral message, and its
 * template intent or NULL), also queued to where the case's updates go
 * (kind "withdraw_link"), in the same transaction. */
err_t store_withdraw_link_add(store_t *s, int64_t case_id, const char *token_hash,
                              const char *message, const char *template, int64_t now) STORE_WUR;
/* The link's case, and whether it was used; ERR_NOT_FOUND for no such link. */
err_t store_withdraw_link_get(store_t *s, int64_t *case_id, bool *used,
                              const char *token_hash) STORE_WUR;
/* Uses the link and withdraws its case from expect_status, in one
 * transaction: ERR_NOT_FOUND for no such link (or another case's),
 * ERR_CONFLICT when it was used before or the case moved meanwhile;
 * nothing changes on any error. */
err_t store_withdraw_link_use(store_t *s, const char *token_hash, int64_t case_id,
                              const char *expect_status, int64_t now) STORE_WUR;

/* ---- the officer's "after" photos on the tracking page (issue 18, after.c) ---- */

/* At most this many photos of a case on its public page: the result, not
 * the officer's whole camera roll. */
#define STORE_PUBLIC_PHOTOS_MAX 6

/* An officer's photo the public may see (the rules in after.c). */
typedef struct {
    int64_t id, case_id;
    const char *sha256, *mime;
    int64_t size_bytes, created_at;
} store_public_photo;

/* The case's public "after" photos, oldest first (none unless every rule
 * holds: the agency publishes photos, a complaint that is not rahasia,
 * resolved, officer photos taken for the result). */
err_t store_public_photos(store_t *s, arena_t *ar, int64_t case_id, store_public_photo **out,
                          size_t *n) STORE_WUR;
/* The photo id when it is public by the same rules; ERR_NOT_FOUND for an
 * unknown id and for one that exists but is not public, alike. */
err_t store_public_photo_get(store_t *s, arena_t *ar, int64_t id,
                             store_public_photo *out) STORE_WUR;

#endif

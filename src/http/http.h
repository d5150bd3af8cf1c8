/* http: the HTTP server (libmicrohttpd) and the JSON API on top of it.
 *
 * http_server_* is the public face; the rest of this header is shared by
 * the files of the http layer (server.c, auth.c, api.c, json.c). */
#ifndef ADUAN_HTTP_H
#define ADUAN_HTTP_H

#include "core/arena.h"
#include "core/bucket.h"
#include "core/config.h"
#include "core/secret.h"
#include "domain/cases.h"
#include "jobs/jobs.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>

/* Largest API request body: a case with a long description fits many
 * times over; anything larger is refused with 413 before it is read. */
#define HTTP_BODY_MAX (64 * 1024)
/* An oversized body up to this size is read and thrown away before the
 * 413, so a proxy in front (nginx buffers and forwards whole bodies, up to
 * its client_max_body_size of 4m in docs/DEPLOY.md) gets a clean answer
 * instead of a reset. Beyond it, or when the client asked "Expect:
 * 100-continue", the 413 goes out at once without reading the body. */
#define HTTP_DRAIN_MAX (4 * 1024 * 1024)
/* Wrong passwords from one client address before that address is locked
 * out of the login (issue #2, per address since issue #13); the lock's
 * length is the setting ADUAN_LOGIN_LOCK_MINUTES. */
#define AUTH_MAX_FAILURES 10
#define SESSION_COOKIE    "aduan_session"

typedef struct http_server http_server_t;

/* Binds and listens on cfg's address; for listen port 0 the system picks a
 * free port, recorded in cfg (config_set_port). *fd is the socket for
 * http_server_start. Returns ERR_IO when the address cannot be bound. */
err_t http_listen(config_t *cfg, int *fd) __attribute__((warn_unused_result));
/* Starts serving on listen_fd (from http_listen; taken, closed on failure)
 * with the given store; jobs (may be NULL) is woken when work arrives. */
err_t http_server_start(const config_t *cfg, store_t *store, jobs_t *jobs, int listen_fd,
                        http_server_t **out) __attribute__((warn_unused_result));
/* Prints the route table, one route a line: method, pattern, scope, the
 * roles that may use it, the body limit (and "sim" for the simulator's):
 * `aduan routes`, read by tests/e2e/test_role_matrix.py. */
void http_routes_print(FILE *out);
/* Stops accepting, finishes running requests, frees. Accepts NULL. */
void http_server_stop(http_server_t *srv);

/* ---- internal to the http layer ------------------------------------------ */

/* Group commit of webhook bodies (ingest.c). */
typedef struct ingest ingest_t;
typedef struct ingest_item {
    struct MHD_Connection *conn; /* suspended until the batch is committed */
    const char *channel;         /* the driver whose webhook received it */
    const char *body;
    size_t len;
    const char *dead_reason;
    err_t result; /* set by the committer before it resumes conn */
    int64_t id;
    struct ingest_item *next;
} ingest_item;
err_t ingest_start(store_t *store, jobs_t *jobs, ingest_t **out)
    __attribute__((warn_unused_result));
/* Queues it and suspends its connection; false (nothing done) when the
 * committer is stopping or g is NULL: then the caller commits by itself. */
bool ingest_submit(ingest_t *g, ingest_item *it);
/* Commits and answers everything queued and stops the committer; later
 * submissions return false. ingest_free then frees. Both accept NULL. */
void ingest_stop(ingest_t *g);
void ingest_free(ingest_t *g);

/* Slow work (password checks) off the HTTP threads (offload.c). */
typedef struct offload offload_t;
struct app;
struct req;
typedef struct offload_job {
    struct MHD_Connection *conn; /* suspended until fn has run */
    struct app *app;
    struct req *r;
    err_t (*fn)(struct app *app, struct req *r); /* runs on a checker thread */
    err_t result;                                /* fn's, before the resume */
    struct offload_job *next;
} offload_job;
/* threads checker threads; at most waiting_max jobs wait for one. */
err_t offload_start(unsigned threads, unsigned waiting_max, offload_t **out)
    __attribute__((warn_unused_result));
/* Suspends j->conn and queues j; false (nothing done) when waiting_max
 * jobs wait already, or the checkers are stopping, or o is NULL. */
bool offload_submit(offload_t *o, offload_job *j);
/* Runs what is queued and stops the threads; later submissions return
 * false. offload_free then frees. Both accept NULL. */
void offload_stop(offload_t *o);
void offload_free(offload_t *o);

/* The event streams' hub (live_api.c): resumes waiting streams when the
 * store has a newer live event. */
typedef struct live_hub live_hub_t;
err_t live_start(store_t *store, live_hub_t **out) __attribute__((warn_unused_result));
/* Ends every stream and the hub's thread; live_free then frees. Both
 * accept NULL. */
void live_stop(live_hub_t *h);
void live_free(live_hub_t *h);

typedef struct app {
    const config_t *cfg;
    store_t *store;
    jobs_t *jobs;                     /* background work; may be NULL */
    ingest_t *ingest;                 /* webhook group commit; NULL: commit inline */
    char dummy_hash[SECRET_HASH_BUF]; /* verified against for unknown logins */
    bucket_table_t *buckets;          /* every per-client token bucket */
    offload_t *checks;                /* password checks, off the HTTP threads */
    live_hub_t *live;                 /* the event streams (GET /api/v1/events) */
} app_t;

/* What a route's {id} names, loaded and checked by the router (server.c)
 * before the handler runs: the thing, its agency and the user's role there. */
typedef struct {
    int64_t agency_id;
    int role;                    /* role_t of the user in agency_id */
    store_case kase;             /* a case's route, or an attachment's case */
    store_attachment attachment; /* an attachment's route */
    store_agency agency;         /* an agency's route */
    store_category category;     /* a category's route */
    store_group group;           /* a community group's route */
    store_team team;             /* a team's route */
    store_canned_reply canned;   /* a canned reply's route */
} req_scope;

typedef struct req {
    struct MHD_Connection *conn;
    arena_t *ar;
    const char *method, *path;
    char *body; /* NUL-terminated, in the arena */
    size_t body_len, body_cap;
    size_t body_max; /* this route's limit */
    bool too_large;
    const char *lang; /* "id" (default) or "en" */
    int64_t path_id;  /* the {id} of the route, if any */
    req_scope scope;  /* what path_id names, for a scoped route */
    /* Set by authentication. */
    bool authed;
    store_user user;
    store_role *roles;
    size_t nroles;
    actor_t actor;
    store_session session;
    const char *token_hash;
    /* The answer. */
    unsigned status;
    json_t *json;     /* owned; sent as the body when set */
    const char *text; /* or this, with content_type */
    const char *content_type;
    const char *set_cookie;
    const char *csp;         /* Content-Security-Policy when not the default */
    size_t text_len;         /* length of text when it is binary (0: strlen) */
    const char *disposition; /* Content-Disposition when set (downloads) */
    bool frame_self;         /* may be framed by our own pages (PDF, image preview) */
    const char *detail;      /* extra explanation for an error */
    /* Set by a handler that suspended the connection: MHD calls back when it
     * is resumed, and this finishes the answer. */
    err_t (*resume)(struct app *app, struct req *r);
    ingest_item ingest;
    const char *retry_after;   /* Retry-After header (seconds) when set */
    const char *cache_control; /* Cache-Control when not no-store (public files) */
    const char *client;        /* req_client's answer, once asked */
    void *job;                 /* a suspended handler's state (auth.c) */
    /* A streamed answer (struct MHD_Response *) sent instead of json/text;
     * the server adds the common headers and releases it. */
    void *stream;
    /* The user's teams, read on first use (field.c). */
    int64_t *teams;
    size_t nteams;
    bool teams_loaded;
    uint64_t started_ns;  /* a webhook's handler started (metrics_now_ns) */
    const char *idem_key; /* the Idempotency-Key this request reserved (idem.c) */
    bool idem_replayed;   /* the answer is the first request's, replayed */
} req_t;

typedef err_t (*handler_fn)(app_t *app, req_t *r);

/* Who may use a route, and on what (issue 15, item 5). Each row names the
 * roles that may use it and its scope, the thing its {id} names: before the
 * handler runs, the router loads that thing, finds its agency, and checks the
 * user's role there (for a case also what a field officer may see,
 * case_access). A handler of a scoped route finds the thing in r->scope and
 * never checks the role again; a new route cannot forget, and
 * tests/e2e/role_matrix.tsv says what every route answers to every role. */
typedef enum {
    SCOPE_PUBLIC,        /* no session */
    SCOPE_NONE,          /* a session with one of the roles somewhere; the handler
                          * shows only what is the user's own (their agencies) */
    SCOPE_CASE_ID,       /* {id} is a case */
    SCOPE_AGENCY_ID,     /* {id} is an agency */
    SCOPE_CATEGORY_ID,   /* {id} is a category: its agency */
    SCOPE_GROUP_ID,      /* {id} is a community reporter group: its agency */
    SCOPE_ATTACHMENT_ID, /* {id} is an attachment: its case, as SCOPE_CASE_ID */
    SCOPE_TEAM_ID,       /* {id} is a team: its agency */
    SCOPE_CANNED_ID,     /* {id} is a canned reply: its agency */
    SCOPE_AGENCY_QUERY,  /* ?agency=ID, else the user's only agency */
} route_scope;

/* Route flags. */
#define R_SIM      1u /* a channel's simulator: 404 when its driver is live */
#define R_TEAM     2u /* a field officer only on a case of a team of theirs */
#define R_PERSONAL 4u /* shows the reporter's personal data: case_personal() */
#define R_IDEM     8u /* honours Idempotency-Key (idem.c; issue 18) */

typedef struct http_route {
    const char *method;
    const char *pattern; /* "{id}" matches a positive integer segment */
    handler_fn fn;
    route_scope scope;
    unsigned roles;   /* bit per role_t: in the scope's agency, or for SCOPE_NONE anywhere */
    const char *deny; /* the refusal of another role; NULL: "your role may not use...";
                       * for an R_SIM route why it is off */
    size_t body_max;  /* the largest body; 0: HTTP_BODY_MAX */
    unsigned flags;
} route_t;

/* A channel driver's routes (channels/channel.h: routes) are served after
 * those of server.c, with the same scopes and limits; a route flagged R_SIM
 * answers 404 while its driver is live (channel_driver.live). */

/* Writes s to f HTML-escaped, safe in text and in quoted attributes
 * (< > & " '); NULL writes nothing. */
void html_put(FILE *f, const char *s);

/* Ends a page written to f, an open_memstream over *buf: closes f, and
 * the text becomes r's HTML answer with status. *buf is freed either
 * way; ERR_NOMEM when the stream or the copy failed. */
err_t reply_html_stream(req_t *r, unsigned status, FILE *f, char **buf);

/* Sets an OK JSON answer; takes the reference. Returns ERR_NOMEM if NULL. */
err_t reply_json(req_t *r, unsigned status, json_t *body);

/* Parses the body as a JSON object (ERR_UNSUPPORTED without a JSON
 * content type, ERR_BAD_JSON / ERR_BAD_UTF8 on bad text). The object is
 * owned by the request's arena. */
err_t req_json_body(req_t *r, json_t **out);
/* A query argument, checked to be valid UTF-8 (ERR_BAD_UTF8 otherwise);
 * NULL when absent or empty. */
err_t req_query(req_t *r, const char *key, const char **out);
const char *req_header(req_t *r, const char *name);

/* Idempotency-Key (issue 18) on an R_IDEM route, after the scope check:
 * without the header nothing happens; a bad key is ERR_INVALID, a key used
 * by the user for another request ERR_IDEM_REUSED, one whose first request
 * is still running ERR_CONFLICT (Retry-After). A key seen before with its
 * answer kept: *replayed, and r holds that answer. Otherwise the key is
 * reserved, and idem_end(e) keeps the handler's answer (or lets the key
 * go when it failed). */
err_t idem_begin(app_t *app, req_t *r, bool *replayed);
void idem_end(app_t *app, req_t *r, err_t e);

/* A positive id from a query argument (left as is when absent);
 * ERR_INVALID naming the key on anything else. */
err_t query_id(req_t *r, const char *key, int64_t *out);
/* A row id as a path or a form carries it: 1 to 18 decimal digits, no
 * sign, no leading zero. False for anything else. */
bool parse_row_id(const char *s, int64_t *id);
/* Sets the explanation and returns the error: one line at each check. */
err_t refuse(req_t *r, err_t e, const char *why);
/* The id, or JSON null for 0. */
json_t *id_or_null(int64_t id);

/* Typed fields of a JSON object; on a wrong type they return ERR_INVALID
 * and set r->detail naming the field. A missing field leaves *out as is. */
err_t jfield_str(req_t *r, json_t *obj, const char *key, const char **out);
err_t jfield_id(req_t *r, json_t *obj, const char *key, int64_t *out);
err_t jfield_bool(req_t *r, json_t *obj, const char *key, bool *out);
err_t jfield_num(req_t *r, json_t *obj, const char *key, double *out, bool *present);

/* The operators' live workspace (live_api.c, issue 18). */
err_t h_events(app_t *app, req_t *r);
err_t h_case_assignee(app_t *app, req_t *r);
err_t h_assignees(app_t *app, req_t *r);
err_t h_inbox_counts(app_t *app, req_t *r);
err_t h_case_presence(app_t *app, req_t *r);
err_t h_case_presence_get(app_t *app, req_t *r);

/* The messages with reporters (messages.c). */
err_t h_inbound_list(app_t *app, req_t *r);
err_t h_case_message(app_t *app, req_t *r);
err_t h_case_outbox(app_t *app, req_t *r);

/* Embedded web assets (static.c): true when r's path is one, answered. */
bool static_serve(req_t *r);
err_t h_bot_texts(app_t *app, req_t *r);
err_t h_bot_text_set(app_t *app, req_t *r);

/* Authentication (auth.c). */
err_t auth_resolve(app_t *app, req_t *r);
err_t auth_check_csrf(req_t *r);
err_t h_login(app_t *app, req_t *r);
err_t h_logout(app_t *app, req_t *r);
err_t h_me(app_t *app, req_t *r);
/* The account-wide login locks of the last day (superadmin). */
err_t h_login_attacks(app_t *app, req_t *r);
/* Starts the password checkers of logins (threads: the HTTP threads;
 * auth.c knows the share). auth_stop finishes the queued checks; call it
 * before MHD_stop_daemon (suspended connections must be resumed first). */
err_t auth_start(app_t *app, unsigned threads) __attribute__((warn_unused_result));
void auth_stop(app_t *app);

/* API handlers (api.c). */
err_t h_cases_list(app_t *app, req_t *r);
err_t h_cases_create(app_t *app, req_t *r);
err_t h_case_get(app_t *app, req_t *r);
err_t h_case_transition(app_t *app, req_t *r);
err_t h_agencies(app_t *app, req_t *r);
err_t h_categories(app_t *app, req_t *r);
err_t h_teams(app_t *app, req_t *r);
err_t h_regions(app_t *app, req_t *r);

/* Public tracking and statistics (public.c, stats_api.c; issue #8). */
err_t h_public_page(app_t *app, req_t *r);
err_t h_public_case(app_t *app, req_t *r);
err_t h_stats(app_t *app, req_t *r);
err_t h_stats_page(app_t *app, req_t *r);
err_t h_public_agencies(app_t *app, req_t *r);
/* GET /t/foto/{id}: an officer's "after" photo the tracking page shows
 * (public.c, issue 18); 404 for any other id. */
err_t h_public_photo(app_t *app, req_t *r);
/* The public list and map of reports (public_list.c, issue 18). */
err_t h_public_reports(app_t *app, req_t *r);
err_t h_public_reports_page(app_t *app, req_t *r);
err_t h_report_monthly(app_t *app, req_t *r);
/* The hotspot map for leadership (hotspots.c, issue 18). */
err_t h_hotspots(app_t *app, req_t *r);
/* Following a case by email (follow_email.c, issue 18). A form of an
 * address, a code and a consent, or a token: a few hundred bytes. */
#define FOLLOW_BODY_MAX 2048
err_t h_follow_email(app_t *app, req_t *r);
err_t h_follow_confirm(app_t *app, req_t *r);
err_t h_follow_stop(app_t *app, req_t *r);
/* Whether /t/ offers c's follow-by-email form (not rahasia, not a
 * request, and the agency has a mailbox). */
bool follow_email_offered(app_t *app, req_t *r, const store_case *c);
/* The client's address key for per-client limits (client.c): the peer,
 * or from a trusted proxy (ADUAN_TRUSTED_PROXIES) the address it forwarded
 * in X-Forwarded-For; an IPv6 client as its /64. Never NULL. */
const char *req_client(app_t *app, req_t *r);
/* The same client as an address (not reduced to its /64); false when the
 * peer's address is unknown. */
bool req_client_addr(app_t *app, req_t *r, netaddr_t *out);
/* GET /metrics (metrics.c, issue 19): loopback and ADUAN_METRICS_ALLOW. */
err_t h_metrics(app_t *app, req_t *r);
/* Service requests (svc_api.c, issue #7). The issued-PDF upload has its
 * own body limit: the PDF limit and the multipart envelope. */
#define SVC_UPLOAD_BODY_MAX (3 * 1024 * 1024 + 64 * 1024)
err_t h_services_list(app_t *app, req_t *r);
err_t h_services_create(app_t *app, req_t *r);
err_t h_services_update(app_t *app, req_t *r);
err_t h_services_measures(app_t *app, req_t *r);
err_t h_svc_get(app_t *app, req_t *r);
err_t h_svc_check(app_t *app, req_t *r);
err_t h_svc_more(app_t *app, req_t *r);
err_t h_svc_issue(app_t *app, req_t *r);
err_t h_svc_file(app_t *app, req_t *r);
/* The filters of a case list from the query (status, agency, category,
 * team, kecamatan, q, from, to, cursor, since_id, limit), checked (api.c). */
err_t list_filter(app_t *app, req_t *r, store_case_filter *f);
/* Whether the user may see the reporter's personal data in this agency. */
bool sees_reporter(const req_t *r, int64_t agency_id);

/* CSV export of the case list, streamed (export.c). */
err_t h_cases_export(app_t *app, req_t *r);

/* The admin API (admin_api.c). */
err_t h_canned_list(app_t *app, req_t *r);
err_t h_canned_create(app_t *app, req_t *r);
err_t h_admin_logo(app_t *app, req_t *r);
err_t h_canned_update(app_t *app, req_t *r);
err_t h_canned_delete(app_t *app, req_t *r);
/* Outbound webhook subscriptions (webhooks_api.c, issue 17 §2). */
err_t h_webhooks_list(app_t *app, req_t *r);
err_t h_webhook_create(app_t *app, req_t *r);
err_t h_webhook_update(app_t *app, req_t *r);
err_t h_webhook_delete(app_t *app, req_t *r);
err_t h_webhook_resume(app_t *app, req_t *r);
err_t h_webhook_deliveries(app_t *app, req_t *r);
err_t h_webhook_redeliver(app_t *app, req_t *r);
err_t h_admin_users(app_t *app, req_t *r);
err_t h_admin_user_create(app_t *app, req_t *r);
err_t h_admin_user_update(app_t *app, req_t *r);
err_t h_admin_category_create(app_t *app, req_t *r);
err_t h_admin_category_update(app_t *app, req_t *r);
err_t h_admin_team_create(app_t *app, req_t *r);
err_t h_admin_team_update(app_t *app, req_t *r);
err_t h_admin_team_members(app_t *app, req_t *r);
err_t h_admin_team_member_set(app_t *app, req_t *r);
err_t h_admin_numbers(app_t *app, req_t *r);
err_t h_admin_number_add(app_t *app, req_t *r);

/* JSON renderings shared by handlers (api.c). */
json_t *json_time(int64_t t);

/* SLA: calendars, policies, case deadlines (sla_api.c), activity report
 * (activity.c). */
err_t h_calendar_get(app_t *app, req_t *r);
err_t h_calendar_set(app_t *app, req_t *r);
err_t h_holiday_add(app_t *app, req_t *r);
err_t h_holiday_delete(app_t *app, req_t *r);
err_t h_policy_get(app_t *app, req_t *r);
err_t h_policy_set(app_t *app, req_t *r);
err_t h_activity_report(app_t *app, req_t *r);
err_t h_sla_attention(app_t *app, req_t *r);
/* Adds "sla_state" and "sla" (the deadline) to a case object, or to each
 * case of an array, from the cases' "id". */
void sla_decorate(app_t *app, req_t *r, json_t *cases);
/* Field dispatch (dispatch_api.c, issue #6). */
err_t h_dispatch_suggestions(app_t *app, req_t *r);
err_t h_duty_list(app_t *app, req_t *r);
err_t h_duty_add(app_t *app, req_t *r);
err_t h_duty_delete(app_t *app, req_t *r);
err_t h_case_merge(app_t *app, req_t *r);
err_t h_case_split(app_t *app, req_t *r);
err_t h_category_forward(app_t *app, req_t *r);
err_t h_groups_list(app_t *app, req_t *r);
err_t h_group_create(app_t *app, req_t *r);
err_t h_group_member_add(app_t *app, req_t *r);
err_t h_group_member_remove(app_t *app, req_t *r);
err_t h_group_members(app_t *app, req_t *r); /* groups_api.c */
/* The "dispatch" object of a case: alerts, acceptance, response times,
 * duplicates. */
json_t *dispatch_case_json(app_t *app, req_t *r, const store_case *c);
/* Runs the new-case rules (forward, duplicate, emergency alert) and
 * reloads *c when they changed it. */
err_t dispatch_after_create(app_t *app, req_t *r, store_case *c);
/* After a transition: a dispatch of an emergency by hand alerts the team. */
void dispatch_after_transition(app_t *app, req_t *r, const store_transition *t);
/* What a field officer sees (field.c, issue 13). */
/* The Indonesian or the English text, by the request's language. */
const char *tr(const req_t *r, const char *id, const char *en);
/* ERR_OK when the user may see the case: a role in its agency, and for a
 * field officer the case is their team's or an open emergency. Else
 * ERR_FORBIDDEN with r->detail (or a store error). */
err_t case_access(app_t *app, req_t *r, const store_case *c);
/* Whether the user sees the reporter's personal data of the case: the
 * desk always, a field officer while their team holds it (not closed),
 * a viewer never. */
bool case_personal(app_t *app, req_t *r, const store_case *c);
/* True when the user's role in the agency is field. */
bool field_role_in(const req_t *r, int64_t agency_id);
/* Narrows a case list to what a field officer may see (no-op for other
 * roles); ERR_FORBIDDEN for a team filter naming another team. */
err_t field_filter(app_t *app, req_t *r, store_case_filter *f);
err_t h_my_tasks(app_t *app, req_t *r);
/* The case as staff see it (api.c); the reporter only with_reporter. */
json_t *case_json(const store_case *c, bool with_reporter, const char *lang);
/* PUT /api/v1/cases/{id}/lapor (lapor_api.c). */
err_t h_case_lapor(app_t *app, req_t *r);
/* Answers the stored file of attachment a (dash.c): 404 when it is not
 * stored (yet) or is missing from the media directory. */
err_t media_send(app_t *app, req_t *r, const store_attachment *a);
/* GET /open311/v2/media/{id} (open311.c; issue 17 §1). */
err_t h_o311_media(app_t *app, req_t *r);
/* PUT /api/v1/agencies/{id}/settings (open311.c): publish_photos. */
err_t h_agency_settings(app_t *app, req_t *r);
/* GET /api/v1/lapor/worklist (lapor_api.c; issue 17 §3). */
err_t h_lapor_worklist(app_t *app, req_t *r);
err_t h_bot_text_reset(app_t *app, req_t *r);
/* The operator dashboard (dash.c). */
/* Largest officer photo upload (POST /api/v1/cases/{id}/attachments). */
#define ATTACH_BODY_MAX (10 * 1024 * 1024)
/* The transitions the user may perform on the case now, for its page. */
json_t *case_actions_json(app_t *app, req_t *r, const store_case *c);
err_t h_case_conversation(app_t *app, req_t *r);
err_t h_attachment_get(app_t *app, req_t *r);
err_t h_case_attach(app_t *app, req_t *r);
err_t h_my_teams(app_t *app, req_t *r);
err_t h_dash_settings(app_t *app, req_t *r);
/* The Content-Security-Policy of the dashboard's pages (tiles allowed). */
const char *dash_csp(const config_t *cfg, req_t *r);

/* The audit log (audit_api.c, issue 19 §2). An entry for the request's
 * user and client address; the error is logged and returned (a read of
 * personal data is then withheld). */
err_t audit_note(app_t *app, req_t *r, const char *action, int64_t case_id, const char *target,
                 const char *detail);
/* The same for a user not signed in yet (sign-in, its failures). */
err_t audit_note_user(app_t *app, req_t *r, int64_t user_id, const char *login, const char *action,
                      const char *detail);
/* After a route's handler answered: the entry of a change or of a read of
 * personal data, when the route or the answer calls for one. ERR_UNAVAILABLE
 * (the answer withheld) when it cannot be written. */
err_t audit_route(app_t *app, req_t *r, const char *method, const char *pattern);
err_t h_audit_list(app_t *app, req_t *r);
err_t h_audit_export(app_t *app, req_t *r);

/* The account page (account.c, issue 19 §3): two-factor sign-in, one's
 * sessions, one's password. */
err_t h_2fa_status(app_t *app, req_t *r);
err_t h_2fa_setup(app_t *app, req_t *r);
err_t h_2fa_confirm(app_t *app, req_t *r);
err_t h_2fa_disable(app_t *app, req_t *r);
err_t h_sessions_list(app_t *app, req_t *r);
err_t h_sessions_end(app_t *app, req_t *r);
err_t h_sessions_end_one(app_t *app, req_t *r);
err_t h_password_change(app_t *app, req_t *r);
/* Whether the user must sign in with a second factor (a role in
 * ADUAN_2FA_REQUIRED_ROLES). */
bool twofa_required(const app_t *app, const req_t *r);
/* For a signed-in user who must have a second factor and has none yet:
 * ERR_FORBIDDEN (with the reason) for every route but those of the
 * enrolment (the account page's). */
err_t twofa_gate(app_t *app, req_t *r, const char *pattern);
/* The user's second factor as /api/v1/me shows it. */
json_t *twofa_json(app_t *app, req_t *r);

/* Open311 GeoReport v2 (open311.c, issue 17 §1; docs/OPEN311.md). */
err_t h_o311_discovery(app_t *app, req_t *r);
err_t h_o311_services(app_t *app, req_t *r);
err_t h_o311_service(app_t *app, req_t *r);
err_t h_o311_requests(app_t *app, req_t *r);
err_t h_o311_request(app_t *app, req_t *r);
err_t h_o311_post(app_t *app, req_t *r);
err_t h_o311_token(app_t *app, req_t *r);
err_t h_o311_unknown(app_t *app, req_t *r);

/* The public web form /lapor (webform.c, issue 16 §1). Its body: five
 * phone photos of about 2 MB sent as they are by a phone without
 * JavaScript (the page's script shrinks them to a few hundred kB), and the
 * text; within the server's memory budget for a couple at once. */
#define WEBFORM_BODY_MAX (12 * 1024 * 1024)
err_t h_webform_page(app_t *app, req_t *r);
err_t h_webform_post(app_t *app, req_t *r);
/* The web form's cancel link (withdraw_page.c, issue 16). */
err_t h_withdraw_page(app_t *app, req_t *r);
err_t h_withdraw_post(app_t *app, req_t *r);
/* The form again with a 413 and the reason, for a body over the limit. */
err_t webform_too_large(app_t *app, req_t *r);

/* Evidence (evidence.c, issue 18): how a case's file is sent (inline for
 * pictures and PDF, a download otherwise), the access-log entry of each
 * view of a reporter's identity document, and the case's access log. */
err_t evidence_send(app_t *app, req_t *r, const store_attachment *a);
err_t h_case_access_log(app_t *app, req_t *r);
err_t h_attachment_identity(app_t *app, req_t *r);
/* Issue 18 (ops2): saved inbox filters and bulk actions (ops_api.c). */
err_t h_filters_list(app_t *app, req_t *r);
err_t h_filter_create(app_t *app, req_t *r);
err_t h_filter_delete(app_t *app, req_t *r);
err_t h_cases_bulk(app_t *app, req_t *r);
/* Makes case c (the desk's, checked by the caller) a follower of master_id
 * with a "merge" event, as POST /api/v1/cases/{id}/merge: ERR_INVALID or
 * ERR_CONFLICT with r->detail when it may not (dispatch_api.c). */
err_t case_merge_into(app_t *app, req_t *r, const store_case *c, int64_t master_id,
                      const char *note);

#endif

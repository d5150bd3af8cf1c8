/* http: the HTTP server (libmicrohttpd) and the JSON API on top of it.
 *
 * http_server_* is the public face; the rest of this header is shared by
 * the files of the http layer (server.c, auth.c, api.c, json.c). */
#ifndef ADUAN_HTTP_H
#define ADUAN_HTTP_H

#include "core/arena.h"
#include "core/config.h"
#include "core/secret.h"
#include "domain/cases.h"
#include "jobs/jobs.h"
#include "store/store.h"

#include <jansson.h>

/* Largest API request body: a case with a long description fits many
 * times over; anything larger is refused with 413 before it is read. */
#define HTTP_BODY_MAX (64 * 1024)
/* An oversized body up to this size is read and thrown away before the
 * 413, so a proxy in front (nginx buffers and forwards whole bodies, up to
 * its client_max_body_size of 4m in docs/DEPLOY.md) gets a clean answer
 * instead of a reset. Beyond it, or when the client asked "Expect:
 * 100-continue", the 413 goes out at once without reading the body. */
#define HTTP_DRAIN_MAX (4 * 1024 * 1024)
/* Login attempts before the account locks, and for how long (issue #2). */
#define AUTH_MAX_FAILURES 10
#define AUTH_LOCK_SECONDS (15 * 60)
#define SESSION_COOKIE    "aduan_session"

typedef struct http_server http_server_t;

/* Starts serving on cfg's address with the given store; jobs (may be NULL)
 * is woken when work arrives. Returns ERR_IO when the address cannot be
 * bound. */
err_t http_server_start(const config_t *cfg, store_t *store, jobs_t *jobs, http_server_t **out)
    __attribute__((warn_unused_result));
/* Stops accepting, finishes running requests, frees. Accepts NULL. */
void http_server_stop(http_server_t *srv);

/* ---- internal to the http layer ------------------------------------------ */

typedef struct {
    const config_t *cfg;
    store_t *store;
    jobs_t *jobs;                     /* background work; may be NULL */
    char dummy_hash[SECRET_HASH_BUF]; /* verified against for unknown logins */
} app_t;

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
    const char *csp;    /* Content-Security-Policy when not the default */
    size_t text_len;    /* length of text when it is binary (0: strlen) */
    const char *detail; /* extra explanation for an error */
} req_t;

typedef err_t (*handler_fn)(app_t *app, req_t *r);

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

/* Typed fields of a JSON object; on a wrong type they return ERR_INVALID
 * and set r->detail naming the field. A missing field leaves *out as is. */
err_t jfield_str(req_t *r, json_t *obj, const char *key, const char **out);
err_t jfield_id(req_t *r, json_t *obj, const char *key, int64_t *out);
err_t jfield_bool(req_t *r, json_t *obj, const char *key, bool *out);
err_t jfield_num(req_t *r, json_t *obj, const char *key, double *out, bool *present);

/* The WhatsApp webhook (webhook.c). */
err_t h_wa_verify(app_t *app, req_t *r);
err_t h_wa_receive(app_t *app, req_t *r);
err_t h_wa_inbox(app_t *app, req_t *r);
err_t h_case_message(app_t *app, req_t *r);

/* Embedded web assets and the WhatsApp simulator (sim.c). */
bool static_serve(req_t *r);
err_t h_sim_numbers(app_t *app, req_t *r);
err_t h_sim_send(app_t *app, req_t *r);
err_t h_sim_messages(app_t *app, req_t *r);
/* Largest simulator upload: a 2 MB photo in base64 with its envelope. */
#define SIM_BODY_MAX (3 * 1024 * 1024)
err_t h_case_outbox(app_t *app, req_t *r);
err_t h_wa_texts(app_t *app, req_t *r);
err_t h_wa_text_set(app_t *app, req_t *r);

/* Authentication (auth.c). */
err_t auth_resolve(app_t *app, req_t *r);
err_t auth_check_csrf(req_t *r);
err_t h_login(app_t *app, req_t *r);
err_t h_logout(app_t *app, req_t *r);
err_t h_me(app_t *app, req_t *r);

/* API handlers (api.c). */
err_t h_cases_list(app_t *app, req_t *r);
err_t h_cases_create(app_t *app, req_t *r);
err_t h_case_get(app_t *app, req_t *r);
err_t h_case_transition(app_t *app, req_t *r);
err_t h_agencies(app_t *app, req_t *r);
err_t h_categories(app_t *app, req_t *r);
err_t h_teams(app_t *app, req_t *r);
err_t h_regions(app_t *app, req_t *r);

/* JSON renderings shared by handlers (api.c). */
json_t *json_time(int64_t t);

/* The operator dashboard (dash.c). */
/* Largest officer photo upload (POST /api/v1/cases/{id}/attachments). */
#define ATTACH_BODY_MAX (10 * 1024 * 1024)
/* True for the path of a photo upload (it gets ATTACH_BODY_MAX). */
bool dash_is_upload(const char *method, const char *path);
/* The transitions the user may perform on the case now, for its page. */
json_t *case_actions_json(app_t *app, req_t *r, const store_case *c);
err_t h_case_conversation(app_t *app, req_t *r);
err_t h_attachment_get(app_t *app, req_t *r);
err_t h_case_attach(app_t *app, req_t *r);
err_t h_my_teams(app_t *app, req_t *r);
err_t h_dash_settings(app_t *app, req_t *r);
/* The Content-Security-Policy of the dashboard's pages (tiles allowed). */
const char *dash_csp(const config_t *cfg, req_t *r);

#endif

/* The HTTP server: libmicrohttpd glue, body limits, routing, answers. */
#include "http/http.h"

#include "channels/whatsapp/wa.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/text.h"

#include <microhttpd.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

/* Once a request's headers are in, a connection idle this long (seconds)
 * is dropped: phones on slow links still finish a request, a stuck client
 * does not hold a slot, and nginx's idle upstream connections (closed by
 * nginx after 20 s, deploy/) are never cut under it. Until the headers are
 * in, the shorter ADUAN_HEADER_TIMEOUT applies (issue #13). */
#define CONN_TIMEOUT_S 30
/* Concurrent connections; above this MHD refuses new ones. */
#define CONN_LIMIT 1024
/* Concurrent connections from one address (issue #13): one client cannot
 * hold every slot (1,100 idle connections made /healthz answer 1 time in
 * 10). A browser opens 6 per site; 64 leaves room for an office of staff
 * behind one NAT address, and sixteen such addresses still fit under
 * CONN_LIMIT. MHD counts by the socket's peer, so behind a proxy, where
 * every connection comes from the proxy, the limit is off (the proxy
 * limits per client: limit_conn in deploy/nginx-*.conf). */
#define CONN_PER_ADDRESS 64
/* Sets of the token-bucket table (4 slots each): per-client limits of the
 * tracking page and of logins share it, keys prefixed by their use. */
#define BUCKET_SETS 2048

struct http_server {
    struct MHD_Daemon *mhd;
    app_t app;
};

/* Route flags. */
#define R_PUBLIC 1u /* no session needed */
#define ANY_ROLE 0x1fu

typedef struct {
    const char *method;
    const char *pattern; /* "{id}" matches a positive integer segment */
    handler_fn fn;
    unsigned roles; /* bit per role_t; the user needs one of them somewhere */
    unsigned flags;
} route_t;

static err_t h_healthz(app_t *app, req_t *r);
static err_t h_readyz(app_t *app, req_t *r);
static err_t h_root(app_t *app, req_t *r);

#define RB(x) (1u << ROLE_##x)
static const route_t routes[] = {
    {"GET", "/", h_root, 0, R_PUBLIC},
    {"GET", "/healthz", h_healthz, 0, R_PUBLIC},
    {"GET", "/readyz", h_readyz, 0, R_PUBLIC},
    {"POST", "/api/v1/auth/login", h_login, 0, R_PUBLIC},
    {"POST", "/api/v1/auth/logout", h_logout, ANY_ROLE, 0},
    {"GET", "/api/v1/admin/login-attacks", h_login_attacks, RB(SUPERADMIN), 0},
    {"GET", "/api/v1/me", h_me, ANY_ROLE, 0},
    {"GET", "/api/v1/me/2fa", h_2fa_status, ANY_ROLE, 0},
    {"POST", "/api/v1/me/2fa/setup", h_2fa_setup, ANY_ROLE, 0},
    {"POST", "/api/v1/me/2fa/confirm", h_2fa_confirm, ANY_ROLE, 0},
    {"POST", "/api/v1/me/2fa/disable", h_2fa_disable, ANY_ROLE, 0},
    {"GET", "/api/v1/me/sessions", h_sessions_list, ANY_ROLE, 0},
    {"POST", "/api/v1/me/sessions/end-all", h_sessions_end, ANY_ROLE, 0},
    {"POST", "/api/v1/me/sessions/end", h_sessions_end_one, ANY_ROLE, 0},
    {"POST", "/api/v1/me/password", h_password_change, ANY_ROLE, 0},
    {"GET", "/api/v1/admin/audit", h_audit_list, RB(SUPERADMIN), 0},
    {"GET", "/api/v1/admin/audit.csv", h_audit_export, RB(SUPERADMIN), 0},
    {"GET", "/api/v1/cases", h_cases_list, ANY_ROLE, 0},
    {"POST", "/api/v1/cases", h_cases_create, RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"GET", "/api/v1/cases/export.csv", h_cases_export, ANY_ROLE, 0},
    {"GET", "/api/v1/cases/{id}", h_case_get, ANY_ROLE, 0},
    {"POST", "/api/v1/cases/{id}/transitions", h_case_transition,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR) | RB(FIELD), 0},
    {"GET", "/api/v1/agencies", h_agencies, ANY_ROLE, 0},
    {"GET", "/api/v1/categories", h_categories, ANY_ROLE, 0},
    {"GET", "/api/v1/teams", h_teams, ANY_ROLE, 0},
    {"GET", "/api/v1/regions", h_regions, ANY_ROLE, 0},
    {"GET", "/api/v1/whatsapp/inbox", h_wa_inbox, RB(SUPERADMIN), 0},
    {"GET", "/api/v1/whatsapp/texts", h_wa_texts, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"POST", "/api/v1/whatsapp/texts", h_wa_text_set, RB(SUPERADMIN), 0},
    {"POST", "/api/v1/cases/{id}/messages", h_case_message,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"GET", "/api/v1/cases/{id}/messages", h_case_outbox, ANY_ROLE, 0},
    {"GET", "/api/v1/canned-replies", h_canned_list, ANY_ROLE, 0},
    {"POST", "/api/v1/canned-replies", h_canned_create, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"POST", "/api/v1/canned-replies/{id}", h_canned_update, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"DELETE", "/api/v1/canned-replies/{id}", h_canned_delete, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"GET", "/api/v1/admin/users", h_admin_users, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"POST", "/api/v1/admin/users", h_admin_user_create, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"POST", "/api/v1/admin/users/{id}", h_admin_user_update, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"POST", "/api/v1/admin/categories", h_admin_category_create, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"POST", "/api/v1/admin/categories/{id}", h_admin_category_update, RB(SUPERADMIN) | RB(ADMIN),
     0},
    {"POST", "/api/v1/admin/teams", h_admin_team_create, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"POST", "/api/v1/admin/teams/{id}", h_admin_team_update, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"GET", "/api/v1/admin/teams/{id}/members", h_admin_team_members, RB(SUPERADMIN) | RB(ADMIN),
     0},
    {"POST", "/api/v1/admin/teams/{id}/members", h_admin_team_member_set,
     RB(SUPERADMIN) | RB(ADMIN), 0},
    {"GET", "/api/v1/admin/numbers", h_admin_numbers, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"POST", "/api/v1/admin/numbers", h_admin_number_add, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"GET", "/api/v1/cases/{id}/conversation", h_case_conversation, ANY_ROLE, 0},
    {"POST", "/api/v1/cases/{id}/attachments", h_case_attach,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR) | RB(FIELD), 0},
    {"GET", "/api/v1/attachments/{id}", h_attachment_get, ANY_ROLE, 0},
    {"GET", "/api/v1/me/teams", h_my_teams, ANY_ROLE, 0},
    {"GET", "/api/v1/me/tasks", h_my_tasks, ANY_ROLE, 0},
    {"PUT", "/api/v1/cases/{id}/lapor", h_case_lapor, RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR),
     0},
    {"DELETE", "/api/v1/whatsapp/texts", h_wa_text_reset, RB(SUPERADMIN), 0},
    {"GET", "/api/v1/dashboard/settings", h_dash_settings, ANY_ROLE, 0},
    {"GET", "/webhooks/whatsapp", h_wa_verify, 0, R_PUBLIC},
    {"POST", "/webhooks/whatsapp", h_wa_receive, 0, R_PUBLIC},
    {"GET", "/sim/api/numbers", h_sim_numbers, 0, R_PUBLIC},
    {"POST", "/sim/api/send", h_sim_send, 0, R_PUBLIC},
    {"GET", "/sim/api/messages", h_sim_messages, 0, R_PUBLIC},
    {"GET", "/api/v1/agencies/{id}/calendar", h_calendar_get, ANY_ROLE, 0},
    {"POST", "/api/v1/agencies/{id}/calendar", h_calendar_set, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"POST", "/api/v1/agencies/{id}/holidays", h_holiday_add, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"DELETE", "/api/v1/agencies/{id}/holidays", h_holiday_delete, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"GET", "/api/v1/categories/{id}/sla", h_policy_get, ANY_ROLE, 0},
    {"POST", "/api/v1/categories/{id}/sla", h_policy_set, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"GET", "/api/v1/sla/attention", h_sla_attention, ANY_ROLE, 0},
    {"GET", "/api/v1/reports/activity", h_activity_report,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR) | RB(VIEWER), 0},
    {"GET", "/api/v1/cases/{id}/dispatch-suggestions", h_dispatch_suggestions,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"POST", "/api/v1/cases/{id}/merge", h_case_merge, RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR),
     0},
    {"POST", "/api/v1/cases/{id}/split", h_case_split, RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR),
     0},
    {"GET", "/api/v1/duty", h_duty_list, ANY_ROLE, 0},
    {"POST", "/api/v1/duty", h_duty_add, RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"DELETE", "/api/v1/duty/{id}", h_duty_delete, RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"POST", "/api/v1/categories/{id}/forward", h_category_forward, RB(SUPERADMIN), 0},
    {"GET", "/api/v1/community-groups", h_groups_list, ANY_ROLE, 0},
    {"POST", "/api/v1/community-groups", h_group_create,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"POST", "/api/v1/community-groups/{id}/members", h_group_member_add,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"POST", "/api/v1/community-groups/{id}/members/remove", h_group_member_remove,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"GET", "/api/v1/community-groups/{id}/members", h_group_members,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"GET", "/t/{code}", h_public_page, 0, R_PUBLIC},
    {"GET", "/api/v1/public/cases/{code}", h_public_case, 0, R_PUBLIC},
    {"GET", "/api/v1/stats", h_stats, 0, R_PUBLIC},
    {"GET", "/statistik", h_stats_page, 0, R_PUBLIC},
    {"GET", "/api/v1/public/agencies", h_public_agencies, 0, R_PUBLIC},
    {"GET", "/api/v1/reports/monthly.pdf", h_report_monthly, ANY_ROLE, 0},
    {"GET", "/api/v1/services", h_services_list, ANY_ROLE, 0},
    {"POST", "/api/v1/services", h_services_create, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"PUT", "/api/v1/services/{id}", h_services_update, RB(SUPERADMIN) | RB(ADMIN), 0},
    {"GET", "/api/v1/services/measures", h_services_measures, ANY_ROLE, 0},
    {"GET", "/api/v1/cases/{id}/service", h_svc_get, RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR),
     0},
    {"POST", "/api/v1/cases/{id}/service/checks", h_svc_check,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"POST", "/api/v1/cases/{id}/service/request-more", h_svc_more,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"POST", "/api/v1/cases/{id}/service/issue", h_svc_issue,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    {"GET", "/api/v1/cases/{id}/service/file", h_svc_file,
     RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR), 0},
    /* Loopback and ADUAN_METRICS_ALLOW only, checked by the handler. */
    {"GET", "/metrics", h_metrics, 0, R_PUBLIC},
};

/* ---- helpers shared by the handlers --------------------------------------- */

static void decref(void *p) { json_decref(p); }

err_t reply_json(req_t *r, unsigned status, json_t *body)
{
    if (!body)
        return ERR_NOMEM;
    json_decref(r->json);
    r->json = body;
    r->status = status;
    return ERR_OK;
}

const char *req_header(req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

err_t req_query(req_t *r, const char *key, const char **out)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
    *out = NULL;
    if (!v || !*v)
        return ERR_OK;
    if (!text_utf8_valid(v, strlen(v))) {
        r->detail = arena_printf(r->ar, msg_lang(r->lang, "%s: not valid UTF-8"), key);
        return ERR_BAD_UTF8;
    }
    *out = v;
    return ERR_OK;
}

err_t req_json_body(req_t *r, json_t **out)
{
    const char *ct = req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
        r->detail = "Content-Type must be application/json";
        return ERR_UNSUPPORTED;
    }
    json_error_t je;
    json_t *j = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        /* jansson's own words are English: kept for English readers only. */
        bool utf8 = json_error_code(&je) == json_error_invalid_utf8;
        if (strcmp(r->lang, "en") == 0)
            r->detail = arena_printf(r->ar, "%s (at byte %d)", je.text, je.position);
        else if (utf8)
            r->detail = arena_printf(
                r->ar, msg_lang(r->lang, "the body is not valid UTF-8 (at byte %d)"), je.position);
        else
            r->detail = arena_printf(
                r->ar, msg_lang(r->lang, "the body is not valid JSON (at byte %d)"), je.position);
        return utf8 ? ERR_BAD_UTF8 : ERR_BAD_JSON;
    }
    if (arena_on_destroy(r->ar, decref, j) != 0)
        return ERR_NOMEM;
    if (!json_is_object(j)) {
        r->detail = "the body must be a JSON object";
        return ERR_BAD_JSON;
    }
    *out = j;
    return ERR_OK;
}

static err_t field_err(req_t *r, const char *key, const char *want)
{
    r->detail =
        arena_printf(r->ar, msg_lang(r->lang, "%s: expected %s"), key, msg_lang(r->lang, want));
    return ERR_INVALID;
}

err_t jfield_str(req_t *r, json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return ERR_OK;
    if (!json_is_string(v))
        return field_err(r, key, "a string");
    *out = json_string_value(v);
    return ERR_OK;
}

err_t jfield_id(req_t *r, json_t *obj, const char *key, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return ERR_OK;
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return field_err(r, key, "a positive integer id");
    *out = (int64_t)json_integer_value(v);
    return ERR_OK;
}

err_t jfield_bool(req_t *r, json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return ERR_OK;
    if (!json_is_boolean(v))
        return field_err(r, key, "true or false");
    *out = json_is_true(v);
    return ERR_OK;
}

err_t jfield_num(req_t *r, json_t *obj, const char *key, double *out, bool *present)
{
    json_t *v = json_object_get(obj, key);
    *present = false;
    if (!v || json_is_null(v))
        return ERR_OK;
    if (!json_is_number(v))
        return field_err(r, key, "a number");
    *out = json_number_value(v);
    *present = true;
    return ERR_OK;
}

/* ---- small handlers ------------------------------------------------------- */

static err_t h_healthz(app_t *app, req_t *r)
{
    (void)app;
    return reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

static err_t h_readyz(app_t *app, req_t *r)
{
    err_t e = store_ping(app->store);
    if (e != ERR_OK) {
        r->detail = "the database does not answer";
        return ERR_UNAVAILABLE;
    }
    return reply_json(r, 200, json_pack("{s:s, s:s}", "status", "ready", "database", "ok"));
}

static err_t h_root(app_t *app, req_t *r)
{
    /* Staff land on the dashboard (web/app), which asks them to log in. */
    r->path = "/app/index.html";
    if (!static_serve(r))
        return ERR_NOT_FOUND;
    r->csp = dash_csp(app->cfg, r);
    return ERR_OK;
}

/* ---- routing --------------------------------------------------------------- */

/* Matches path against pattern; fills *id for a "{id}" segment. */
static bool match(const char *pattern, const char *path, int64_t *id)
{
    while (*pattern && *path) {
        if (strncmp(pattern, "{code}", 6) == 0) {
            /* A public code (issue #8): 1 to 32 letters, digits or hyphens;
             * the handler reads it from the path. */
            int n = 0;
            while (n <= 32 && ((*path >= '0' && *path <= '9') || (*path >= 'A' && *path <= 'Z') ||
                               (*path >= 'a' && *path <= 'z') || *path == '-')) {
                path++;
                n++;
            }
            if (n == 0 || n > 32 || (*path && *path != '/'))
                return false;
            pattern += 6;
            continue;
        }
        if (strncmp(pattern, "{id}", 4) == 0) {
            int64_t v = 0;
            int n = 0;
            while (*path >= '0' && *path <= '9' && n < 18) {
                v = v * 10 + (*path - '0');
                path++;
                n++;
            }
            if (n == 0 || v == 0 || (*path && *path != '/'))
                return false;
            *id = v;
            pattern += 4;
            continue;
        }
        if (*pattern != *path)
            return false;
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

static const char *pick_lang(req_t *r)
{
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "lang");
    if (q)
        return strcmp(q, "en") == 0 ? "en" : "id";
    const char *al = req_header(r, "Accept-Language");
    return (al && strncasecmp(al, "en", 2) == 0) ? "en" : "id";
}

static bool has_any_role(const req_t *r, unsigned mask)
{
    for (size_t i = 0; i < r->nroles; i++) {
        int role = role_parse(r->roles[i].role);
        if (role >= 0 && (mask & (1u << role)))
            return true;
    }
    return false;
}

static void reply_error(req_t *r, err_t e)
{
    json_t *err = json_pack("{s:s, s:s}", "code", err_code(e), "message", err_str_lang(e, r->lang));
    /* Details are written in English, the catalogue's key (core/msg.h). */
    if (err && r->detail)
        json_object_set_new(err, "detail", json_string(msg_lang(r->lang, r->detail)));
    json_decref(r->json);
    r->json = err ? json_pack("{s:o}", "error", err) : NULL;
    r->status = err_http_status(e);
    r->text = NULL;
}

static void dispatch(app_t *app, req_t *r)
{
    err_t e = ERR_OK;
    const route_t *rt = NULL;
    bool path_known = false;
    r->lang = pick_lang(r);
    if (r->too_large) {
        r->detail =
            arena_printf(r->ar, msg_lang(r->lang, "the body is limited to %zu bytes"), r->body_max);
        e = ERR_TOO_LARGE;
        goto out;
    }
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int64_t id = 0;
        if (!match(routes[i].pattern, r->path, &id))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, r->method) == 0 ||
            (strcmp(r->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            rt = &routes[i];
            r->path_id = id;
            break;
        }
    }
    if (!rt && !path_known && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) &&
        static_serve(r)) {
        if (strncmp(r->path, "/app", 4) == 0)
            r->csp = dash_csp(app->cfg, r);
        return;
    }
    if (!rt) {
        e = path_known ? ERR_METHOD : ERR_NOT_FOUND;
        goto out;
    }
    if (!(rt->flags & R_PUBLIC)) {
        e = auth_resolve(app, r);
        if (e != ERR_OK)
            goto out;
        if (!has_any_role(r, rt->roles)) {
            r->detail = "your role may not use this endpoint";
            e = ERR_FORBIDDEN;
            goto out;
        }
        if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
            e = auth_check_csrf(r);
            if (e != ERR_OK)
                goto out;
        }
        e = twofa_gate(app, r, rt->pattern);
        if (e != ERR_OK)
            goto out;
    }
    e = rt->fn(app, r);
    if (e == ERR_OK && !r->resume)
        e = audit_route(app, r, rt->method, rt->pattern);
out:
    if (e != ERR_OK)
        reply_error(r, e);
}

/* ---- libmicrohttpd callbacks ---------------------------------------------- */

static void add_common_headers(struct MHD_Response *resp, const req_t *r)
{
    MHD_add_response_header(resp, "Content-Type",
                            r->json ? "application/json; charset=utf-8" : r->content_type);
    /* Answers carry personal data: never cached, never framed, never sniffed. */
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(
        resp, "Content-Security-Policy",
        r->csp ? r->csp : "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    if (r->set_cookie)
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r->retry_after)
        MHD_add_response_header(resp, "Retry-After", r->retry_after);
    if (r->disposition)
        MHD_add_response_header(resp, "Content-Disposition", r->disposition);
}

static enum MHD_Result send_reply(req_t *r)
{
    struct MHD_Response *resp;
    if (r->stream && !r->json) {
        resp = r->stream;
        r->stream = NULL;
        add_common_headers(resp, r);
        enum MHD_Result ret = MHD_queue_response(r->conn, r->status, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (r->json) {
        char *s = json_dumps(r->json, JSON_COMPACT | JSON_REAL_PRECISION(10));
        if (!s)
            return MHD_NO;
        resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(s);
            return MHD_NO;
        }
    } else {
        const char *t = r->text ? r->text : "";
        size_t len = r->text_len ? r->text_len : strlen(t);
        resp = MHD_create_response_from_buffer(len, (void *)t, MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
    }
    add_common_headers(resp, r);
    enum MHD_Result ret = MHD_queue_response(r->conn, r->status ? r->status : 500, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void body_append(req_t *r, const char *data, size_t n)
{
    if (r->too_large || n > r->body_max - r->body_len) {
        r->too_large = true;
        return;
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap * 2 : 1024;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *b = arena_alloc(r->ar, cap);
        if (!b) {
            r->too_large = true;
            return;
        }
        if (r->body)
            memcpy(b, r->body, r->body_len);
        r->body = b;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
}

static void json_cleanup(void *p)
{
    req_t *r = p;
    json_decref(r->json);
    if (r->stream)
        MHD_destroy_response(r->stream);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    app_t *app = cls;
    req_t *r = *con_cls;
    if (!r) {
        arena_t *ar = arena_new();
        if (!ar)
            return MHD_NO;
        r = arena_alloc(ar, sizeof *r);
        if (!r || arena_on_destroy(ar, json_cleanup, r) != 0) {
            arena_destroy(ar);
            return MHD_NO;
        }
        r->ar = ar;
        r->conn = conn;
        /* The headers are in: from now on the connection gets the longer
         * idle timeout (a body may come slowly; keep-alive waits). Once per
         * connection, not per request. */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_TIMEOUT);
        if (!ci || ci->connection_timeout != CONN_TIMEOUT_S)
            MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
                                      (unsigned)CONN_TIMEOUT_S);
        r->method = arena_strdup(ar, method);
        r->path = arena_strdup(ar, url);
        r->body_max = strcmp(url, "/webhooks/whatsapp") == 0 ? WA_BODY_MAX
                      : strcmp(url, "/sim/api/send") == 0    ? SIM_BODY_MAX
                      : svc_upload_path(url)                 ? SVC_UPLOAD_BODY_MAX
                      : dash_is_upload(method, url)          ? ATTACH_BODY_MAX
                                                             : HTTP_BODY_MAX;
        *con_cls = r;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
        unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
        if (len > r->body_max) {
            r->too_large = true; /* the body, if read, is thrown away */
            /* Routes with a large limit (photo uploads) drain up to twice it. */
            size_t drain = r->body_max > HTTP_DRAIN_MAX ? 2 * r->body_max : HTTP_DRAIN_MAX;
            if (len > drain || (expect && strcasecmp(expect, "100-continue") == 0)) {
                dispatch(app, r);
                return send_reply(r);
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        body_append(r, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->resume) { /* called again after a resume */
        err_t (*fn)(app_t *, req_t *) = r->resume;
        r->resume = NULL;
        err_t e = fn(app, r);
        if (e != ERR_OK)
            reply_error(r, e);
        return send_reply(r);
    }
    dispatch(app, r);
    if (r->resume)
        return MHD_YES; /* suspended: the answer comes on the resume */
    return send_reply(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    req_t *r = *con_cls;
    if (!r)
        return;
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        log_info("http", "method=%s path=%s status=%u", r->method, r->path, r->status);
    else
        log_warn("http", "method=%s path=%s status=%u event=terminated code=%d", r->method, r->path,
                 r->status, (int)toe);
    arena_destroy(r->ar);
    *con_cls = NULL;
}

err_t http_server_start(const config_t *cfg, store_t *store, jobs_t *jobs, http_server_t **out)
{
    *out = NULL;
    http_server_t *srv = calloc(1, sizeof *srv);
    if (!srv)
        return ERR_NOMEM;
    srv->app.cfg = cfg;
    srv->app.store = store;
    srv->app.jobs = jobs;
    struct addrinfo hints = {0}, *ai = NULL;
    srv->app.buckets = bucket_table_new(BUCKET_SETS);
    err_t e = srv->app.buckets
                  ? secret_password_hash("not-a-password-of-anyone", srv->app.dummy_hash)
                  : ERR_NOMEM;
    if (e == ERR_OK)
        e = auth_start(&srv->app, cfg->threads);
    if (e == ERR_OK)
        e = ingest_start(store, jobs, &srv->app.ingest);
    if (e != ERR_OK)
        goto fail;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    char port[8];
    snprintf(port, sizeof port, "%u", cfg->listen_port);
    int gai = getaddrinfo(cfg->listen_host, port, &hints, &ai);
    if (gai != 0) {
        log_error("http", "event=bad_listen_address host=%s msg=\"%s\"", cfg->listen_host,
                  gai_strerror(gai));
        e = ERR_IO;
        goto fail;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* MHD 0.9.75 has no deadline for a whole request, only an inactivity
     * timeout: a new connection gets the short header timeout (on_request
     * raises it once the headers are in), so a client dripping its headers
     * must send something every few seconds, and CONN_PER_ADDRESS bounds
     * how many such connections one address holds. */
    unsigned per_address = cfg->ntrusted_proxies ? 0 : CONN_PER_ADDRESS;
    srv->mhd = MHD_start_daemon(
        flags, (uint16_t)cfg->listen_port, NULL, NULL, on_request, &srv->app, MHD_OPTION_SOCK_ADDR,
        ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->header_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONN_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv->app, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!srv->mhd) {
        log_error("http", "event=listen_failed host=%s port=%u", cfg->listen_host,
                  cfg->listen_port);
        e = ERR_IO;
        goto fail;
    }
    log_info("http",
             "event=limits connections=%u per_address=%u header_timeout=%u idle_timeout=%u "
             "trusted_proxies=%u",
             (unsigned)CONN_LIMIT, per_address, cfg->header_timeout_s, (unsigned)CONN_TIMEOUT_S,
             cfg->ntrusted_proxies);
    *out = srv;
    return ERR_OK;
fail:
    ingest_stop(srv->app.ingest);
    ingest_free(srv->app.ingest);
    auth_stop(&srv->app);
    bucket_table_free(srv->app.buckets);
    free(srv);
    return e;
}

void http_server_stop(http_server_t *srv)
{
    if (!srv)
        return;
    /* Webhooks waiting for their commit are committed and answered first;
     * any arriving meanwhile commit inline. */
    ingest_stop(srv->app.ingest);
    auth_stop(&srv->app); /* logins being checked are answered */
    MHD_stop_daemon(srv->mhd);
    ingest_free(srv->app.ingest);
    bucket_table_free(srv->app.buckets);
    free(srv);
}

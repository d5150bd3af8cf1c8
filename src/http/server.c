/* The HTTP server: libmicrohttpd glue, body limits, routing, answers. */
#include "http/http.h"

#include "channels/channel.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/text.h"
#include "domain/report.h"

#include <microhttpd.h>

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

static err_t h_healthz(app_t *app, req_t *r);
static err_t h_readyz(app_t *app, req_t *r);
static err_t h_root(app_t *app, req_t *r);

#define RB(x)   (1u << ROLE_##x)
#define ANY     (RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR) | RB(FIELD) | RB(VIEWER))
#define SA      RB(SUPERADMIN)
#define ADMINS  (RB(SUPERADMIN) | RB(ADMIN))
#define DESK    (RB(SUPERADMIN) | RB(ADMIN) | RB(SUPERVISOR))
#define WORKERS (DESK | RB(FIELD))  /* everyone who works cases */
#define READERS (DESK | RB(VIEWER)) /* the desk and leadership */
/* A public route; a route with a session, any role somewhere; with a scope. */
/* clang-format off */
#define PUB(m, p, fn)                    {m, p, fn, SCOPE_PUBLIC, 0, NULL, 0, 0}
#define ME(m, p, fn, roles)              {m, p, fn, SCOPE_NONE, roles, NULL, 0, 0}
#define ON(m, p, fn, scope, roles, deny) {m, p, fn, scope, roles, deny, 0, 0}
/* clang-format on */

static const char DENY_CAT_ADMIN[] = "only the agency's admin or a superadmin may change this";
static const char DENY_GROUP_DESK[] = "only the agency's desk may change its groups";
static const char DENY_CANNED[] = "this canned reply belongs to another agency";
static const char DENY_TEAM[] = "this team belongs to another agency";

static const route_t routes[] = {
    PUB("GET", "/", h_root),
    PUB("GET", "/healthz", h_healthz),
    PUB("GET", "/readyz", h_readyz),
    PUB("POST", "/api/v1/auth/login", h_login),
    ME("POST", "/api/v1/auth/logout", h_logout, ANY),
    ME("GET", "/api/v1/admin/login-attacks", h_login_attacks, SA),
    ME("GET", "/api/v1/me", h_me, ANY),
    ME("GET", "/api/v1/me/2fa", h_2fa_status, ANY),
    ME("POST", "/api/v1/me/2fa/setup", h_2fa_setup, ANY),
    ME("POST", "/api/v1/me/2fa/confirm", h_2fa_confirm, ANY),
    ME("POST", "/api/v1/me/2fa/disable", h_2fa_disable, ANY),
    ME("GET", "/api/v1/me/sessions", h_sessions_list, ANY),
    ME("POST", "/api/v1/me/sessions/end-all", h_sessions_end, ANY),
    ME("POST", "/api/v1/me/sessions/end", h_sessions_end_one, ANY),
    ME("POST", "/api/v1/me/password", h_password_change, ANY),
    ME("GET", "/api/v1/admin/audit", h_audit_list, SA),
    ME("GET", "/api/v1/admin/audit.csv", h_audit_export, SA),
    ME("GET", "/api/v1/cases", h_cases_list, ANY),
    ME("POST", "/api/v1/cases", h_cases_create, DESK),
    ME("GET", "/api/v1/cases/export.csv", h_cases_export, ANY),
    ON("GET", "/api/v1/cases/{id}", h_case_get, SCOPE_CASE_ID, ANY, NULL),
    {"POST", "/api/v1/cases/{id}/transitions", h_case_transition, SCOPE_CASE_ID, WORKERS, NULL, 0,
     R_IDEM},
    ME("GET", "/api/v1/agencies", h_agencies, ANY),
    ME("GET", "/api/v1/categories", h_categories, ANY),
    ME("GET", "/api/v1/teams", h_teams, ANY),
    ME("GET", "/api/v1/regions", h_regions, ANY),
    ME("GET", "/api/v1/inbound", h_inbound_list, SA),
    ME("GET", "/api/v1/bot/texts", h_bot_texts, ADMINS),
    ME("POST", "/api/v1/bot/texts", h_bot_text_set, SA),
    ME("DELETE", "/api/v1/bot/texts", h_bot_text_reset, SA),
    ON("POST", "/api/v1/cases/{id}/messages", h_case_message, SCOPE_CASE_ID, DESK,
       "only the agency's desk may write to the reporter"),
    ON("GET", "/api/v1/cases/{id}/messages", h_case_outbox, SCOPE_CASE_ID, WORKERS,
       "the messages to the reporter are personal data"),
    ON("GET", "/api/v1/canned-replies", h_canned_list, SCOPE_AGENCY_QUERY, ANY, NULL),
    ME("POST", "/api/v1/canned-replies", h_canned_create, ADMINS),
    ON("POST", "/api/v1/canned-replies/{id}", h_canned_update, SCOPE_CANNED_ID, ADMINS,
       DENY_CANNED),
    ON("DELETE", "/api/v1/canned-replies/{id}", h_canned_delete, SCOPE_CANNED_ID, ADMINS,
       DENY_CANNED),
    ME("GET", "/api/v1/admin/users", h_admin_users, ADMINS),
    ME("POST", "/api/v1/admin/users", h_admin_user_create, ADMINS),
    ME("POST", "/api/v1/admin/users/{id}", h_admin_user_update, ADMINS),
    ME("POST", "/api/v1/admin/categories", h_admin_category_create, ADMINS),
    ON("POST", "/api/v1/admin/categories/{id}", h_admin_category_update, SCOPE_CATEGORY_ID, ADMINS,
       "this category belongs to another agency"),
    ME("POST", "/api/v1/admin/teams", h_admin_team_create, ADMINS),
    ON("POST", "/api/v1/admin/teams/{id}", h_admin_team_update, SCOPE_TEAM_ID, ADMINS, DENY_TEAM),
    ON("GET", "/api/v1/admin/teams/{id}/members", h_admin_team_members, SCOPE_TEAM_ID, ADMINS,
       DENY_TEAM),
    ON("POST", "/api/v1/admin/teams/{id}/members", h_admin_team_member_set, SCOPE_TEAM_ID, ADMINS,
       DENY_TEAM),
    ME("GET", "/api/v1/admin/numbers", h_admin_numbers, ADMINS),
    ME("POST", "/api/v1/admin/numbers", h_admin_number_add, ADMINS),
    {"GET", "/api/v1/cases/{id}/conversation", h_case_conversation, SCOPE_CASE_ID, ANY,
     "the conversation with the reporter is personal data", 0, R_PERSONAL},
    {"POST", "/api/v1/cases/{id}/attachments", h_case_attach, SCOPE_CASE_ID, WORKERS,
     "your role may not add files", ATTACH_BODY_MAX, R_TEAM | R_IDEM},
    ON("GET", "/api/v1/attachments/{id}", h_attachment_get, SCOPE_ATTACHMENT_ID, ANY, NULL),
    ME("GET", "/api/v1/me/teams", h_my_teams, ANY),
    ME("GET", "/api/v1/me/tasks", h_my_tasks, ANY),
    ON("PUT", "/api/v1/cases/{id}/lapor", h_case_lapor, SCOPE_CASE_ID, DESK, NULL),
    ME("GET", "/api/v1/dashboard/settings", h_dash_settings, ANY),
    ON("GET", "/api/v1/agencies/{id}/calendar", h_calendar_get, SCOPE_AGENCY_ID, ANY, NULL),
    ON("POST", "/api/v1/agencies/{id}/calendar", h_calendar_set, SCOPE_AGENCY_ID, ADMINS,
       DENY_CAT_ADMIN),
    ON("POST", "/api/v1/agencies/{id}/holidays", h_holiday_add, SCOPE_AGENCY_ID, ADMINS,
       DENY_CAT_ADMIN),
    ON("DELETE", "/api/v1/agencies/{id}/holidays", h_holiday_delete, SCOPE_AGENCY_ID, ADMINS,
       DENY_CAT_ADMIN),
    ON("GET", "/api/v1/categories/{id}/sla", h_policy_get, SCOPE_CATEGORY_ID, ANY, NULL),
    ON("POST", "/api/v1/categories/{id}/sla", h_policy_set, SCOPE_CATEGORY_ID, ADMINS,
       DENY_CAT_ADMIN),
    ON("GET", "/api/v1/sla/attention", h_sla_attention, SCOPE_AGENCY_QUERY, READERS,
       "this list is for the agency's desk and leadership"),
    ON("GET", "/api/v1/reports/activity", h_activity_report, SCOPE_AGENCY_QUERY, READERS,
       "the activity report is for the agency's desk and leadership"),
    ON("GET", "/api/v1/cases/{id}/dispatch-suggestions", h_dispatch_suggestions, SCOPE_CASE_ID,
       DESK, "only the agency's desk sees dispatch suggestions"),
    ON("POST", "/api/v1/cases/{id}/merge", h_case_merge, SCOPE_CASE_ID, DESK,
       "only the agency's desk may merge cases"),
    ON("POST", "/api/v1/cases/{id}/split", h_case_split, SCOPE_CASE_ID, DESK,
       "only the agency's desk may split cases"),
    ON("GET", "/api/v1/duty", h_duty_list, SCOPE_AGENCY_QUERY, ANY, NULL),
    ME("POST", "/api/v1/duty", h_duty_add, DESK),
    ME("DELETE", "/api/v1/duty/{id}", h_duty_delete, DESK),
    ME("POST", "/api/v1/categories/{id}/forward", h_category_forward, SA),
    ON("GET", "/api/v1/community-groups", h_groups_list, SCOPE_AGENCY_QUERY, ANY, NULL),
    ME("POST", "/api/v1/community-groups", h_group_create, DESK),
    ON("POST", "/api/v1/community-groups/{id}/members", h_group_member_add, SCOPE_GROUP_ID, DESK,
       DENY_GROUP_DESK),
    ON("POST", "/api/v1/community-groups/{id}/members/remove", h_group_member_remove,
       SCOPE_GROUP_ID, DESK, DENY_GROUP_DESK),
    ON("GET", "/api/v1/community-groups/{id}/members", h_group_members, SCOPE_GROUP_ID, DESK,
       "only the agency's desk may see a group's members"),
    PUB("GET", "/t/{code}", h_public_page),
    PUB("GET", "/t/foto/{id}", h_public_photo), /* issue 18: the officer's "after" photo */
    PUB("GET", "/api/v1/public/cases/{code}", h_public_case),
    PUB("GET", "/api/v1/stats", h_stats),
    PUB("GET", "/statistik", h_stats_page),
    PUB("GET", "/api/v1/public/agencies", h_public_agencies),
    PUB("GET", "/laporan", h_public_reports_page),
    PUB("GET", "/api/v1/public/reports", h_public_reports),
    ME("GET", "/api/v1/reports/monthly.pdf", h_report_monthly, ANY),
    ME("GET", "/api/v1/services", h_services_list, ANY),
    ME("POST", "/api/v1/services", h_services_create, ADMINS),
    ME("PUT", "/api/v1/services/{id}", h_services_update, ADMINS),
    ME("GET", "/api/v1/services/measures", h_services_measures, ANY),
    ON("GET", "/api/v1/cases/{id}/service", h_svc_get, SCOPE_CASE_ID, DESK, NULL),
    ON("POST", "/api/v1/cases/{id}/service/checks", h_svc_check, SCOPE_CASE_ID, DESK, NULL),
    ON("POST", "/api/v1/cases/{id}/service/request-more", h_svc_more, SCOPE_CASE_ID, DESK, NULL),
    {"POST", "/api/v1/cases/{id}/service/issue", h_svc_issue, SCOPE_CASE_ID, DESK, NULL,
     SVC_UPLOAD_BODY_MAX, 0},
    ON("GET", "/api/v1/cases/{id}/service/file", h_svc_file, SCOPE_CASE_ID, DESK, NULL),
    /* Open311 GeoReport v2 (open311.c): public, an api_key for POST. The
     * {file} rows after the named ones answer the spec's 404 for any other
     * resource or format. */
    PUB("GET", "/open311/discovery.json", h_o311_discovery),
    PUB("GET", "/open311/discovery.xml", h_o311_discovery),
    PUB("GET", "/open311/v2/services.json", h_o311_services),
    PUB("GET", "/open311/v2/services.xml", h_o311_services),
    PUB("GET", "/open311/v2/services/{file}", h_o311_service),
    PUB("GET", "/open311/v2/requests.json", h_o311_requests),
    PUB("GET", "/open311/v2/requests.xml", h_o311_requests),
    /* A posted request may carry a photo (multipart, as FixMyStreet sends). */
    {"POST", "/open311/v2/requests.json", h_o311_post, SCOPE_PUBLIC, 0, NULL, ATTACH_BODY_MAX, 0},
    {"POST", "/open311/v2/requests.xml", h_o311_post, SCOPE_PUBLIC, 0, NULL, ATTACH_BODY_MAX, 0},
    PUB("GET", "/open311/v2/requests/{file}", h_o311_request),
    PUB("GET", "/open311/v2/tokens/{file}", h_o311_token),
    PUB("GET", "/open311/v2/media/{file}", h_o311_media),
    PUB("GET", "/open311/v2/{file}", h_o311_unknown),
    PUB("GET", "/open311/{file}", h_o311_unknown),
    /* Loopback and ADUAN_METRICS_ALLOW only, checked by the handler. */
    PUB("GET", "/metrics", h_metrics),
    /* Outbound webhooks (webhooks_api.c): the handlers check that the user
     * is an admin of the subscription's agency. */
    ME("GET", "/api/v1/webhooks", h_webhooks_list, ADMINS),
    ME("POST", "/api/v1/webhooks", h_webhook_create, ADMINS),
    ME("POST", "/api/v1/webhooks/{id}", h_webhook_update, ADMINS),
    ME("DELETE", "/api/v1/webhooks/{id}", h_webhook_delete, ADMINS),
    ME("POST", "/api/v1/webhooks/{id}/resume", h_webhook_resume, ADMINS),
    ME("GET", "/api/v1/webhooks/{id}/deliveries", h_webhook_deliveries, ADMINS),
    ME("POST", "/api/v1/webhooks/deliveries/{id}/retry", h_webhook_redeliver, ADMINS),
    /* Issue 17 §3: the LAPOR! liaison's worklist. */
    ME("GET", "/api/v1/lapor/worklist", h_lapor_worklist, DESK),
    /* Issue 17 §1: whether Open311 shows the agency's photos. */
    ON("PUT", "/api/v1/agencies/{id}/settings", h_agency_settings, SCOPE_AGENCY_ID, ADMINS,
       "only the agency's admin or a superadmin may change this"),
    /* Issue 18: the district's logo on the monthly report's kop. */
    {"POST", "/api/v1/admin/logo", h_admin_logo, SCOPE_NONE, SA, NULL, REPORT_LOGO_BYTES_MAX, 0},
    /* The operators' live workspace (issue 18, live_api.c). */
    ME("GET", "/api/v1/events", h_events, ANY),
    ON("PUT", "/api/v1/cases/{id}/assignee", h_case_assignee, SCOPE_CASE_ID, DESK,
       "only the agency's desk may assign its cases"),
    ON("GET", "/api/v1/assignees", h_assignees, SCOPE_AGENCY_QUERY, DESK,
       "only the agency's desk may assign its cases"),
    ME("GET", "/api/v1/inbox/counts", h_inbox_counts, ANY),
    ON("POST", "/api/v1/cases/{id}/presence", h_case_presence, SCOPE_CASE_ID, WORKERS, NULL),
    ON("GET", "/api/v1/cases/{id}/presence", h_case_presence_get, SCOPE_CASE_ID, WORKERS, NULL),
    /* Issue 18 evidence: who looked at the reporter's identity (evidence.c). */
    ON("GET", "/api/v1/cases/{id}/access-log", h_case_access_log, SCOPE_CASE_ID, ADMINS,
       "only the agency's admin or a superadmin may read who looked at this case"),
    ON("PUT", "/api/v1/attachments/{id}/identity", h_attachment_identity, SCOPE_ATTACHMENT_ID, DESK,
       "only the agency's desk may mark identity documents"),
    /* The public web form (webform.c, issue 16 §1); {file} is the agency's
     * code (letters, digits, '-' and '_'). */
    PUB("GET", "/lapor", h_webform_page),
    PUB("GET", "/lapor/{file}", h_webform_page),
    {"POST", "/lapor", h_webform_post, SCOPE_PUBLIC, 0, NULL, WEBFORM_BODY_MAX, 0},
    {"POST", "/lapor/{file}", h_webform_post, SCOPE_PUBLIC, 0, NULL, WEBFORM_BODY_MAX, 0},
    /* Issue 18: the hotspot map for leadership (hotspots.c); the handler
     * keeps to the agencies where the user has one of these roles. */
    ME("GET", "/api/v1/stats/hotspots", h_hotspots, READERS),
    /* Issue 18: following a case by email from its public page
     * (follow_email.c): the form, the confirmation link, the unsubscribe
     * link (its POST is the one-click of RFC 8058). */
    {"POST", "/ikuti", h_follow_email, SCOPE_PUBLIC, 0, NULL, FOLLOW_BODY_MAX, 0},
    PUB("GET", "/ikuti/konfirmasi", h_follow_confirm),
    {"POST", "/ikuti/konfirmasi", h_follow_confirm, SCOPE_PUBLIC, 0, NULL, FOLLOW_BODY_MAX, 0},
    PUB("GET", "/ikuti/berhenti", h_follow_stop),
    {"POST", "/ikuti/berhenti", h_follow_stop, SCOPE_PUBLIC, 0, NULL, FOLLOW_BODY_MAX, 0},
    /* Issue 18 (ops2): saved inbox filters, each user's own; bulk actions,
     * each case checked as its single route (ops_api.c). */
    ME("GET", "/api/v1/me/filters", h_filters_list, ANY),
    ME("POST", "/api/v1/me/filters", h_filter_create, ANY),
    ME("DELETE", "/api/v1/me/filters/{id}", h_filter_delete, ANY),
    ME("POST", "/api/v1/cases/bulk", h_cases_bulk, DESK),
    /* issue 16 (chan2): the web form's private cancel link (withdraw_page.c) */
    PUB("GET", "/batal", h_withdraw_page),
    {"POST", "/batal", h_withdraw_post, SCOPE_PUBLIC, 0, NULL, 1024, 0},
};

/* The i-th route: those above, then every channel driver's (the channel's
 * webhook and simulator: channels/channel.h), with its driver in *drv (NULL
 * for the routes above). NULL past the last. */
static const route_t *route_at(size_t i, const channel_driver **drv)
{
    *drv = NULL;
    if (i < sizeof routes / sizeof routes[0])
        return &routes[i];
    i -= sizeof routes / sizeof routes[0];
    for (size_t k = 0; (*drv = channel_at(k)) != NULL; k++) {
        size_t n = 0;
        const route_t *own = (*drv)->routes ? (*drv)->routes(&n) : NULL;
        if (i < n)
            return &own[i];
        i -= n;
    }
    return NULL;
}

void http_routes_print(FILE *out)
{
    static const char *const scopes[] = {"public", "none",       "case", "agency", "category",
                                         "group",  "attachment", "team", "canned", "agency-query"};
    const channel_driver *drv;
    const route_t *rt;
    for (size_t i = 0; (rt = route_at(i, &drv)) != NULL; i++) {
        fprintf(out, "%s\t%s\t%s\t", rt->method, rt->pattern, scopes[rt->scope]);
        bool first = true;
        for (int k = 0; k < ROLE__COUNT; k++)
            if (rt->roles & (1u << k)) {
                fprintf(out, "%s%s", first ? "" : ",", role_name((role_t)k));
                first = false;
            }
        fprintf(out, "%s\t%zu%s\n", first ? "-" : "", rt->body_max ? rt->body_max : HTTP_BODY_MAX,
                rt->flags & R_SIM ? "\tsim" : "");
    }
}

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

err_t query_id(req_t *r, const char *key, int64_t *out)
{
    const char *v;
    err_t e = req_query(r, key, &v);
    if (e != ERR_OK || !v)
        return e;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (*end || n <= 0 || errno == ERANGE || *v < '0' || *v > '9') {
        r->detail = arena_printf(r->ar, msg_lang(r->lang, "%s: expected a positive integer"), key);
        return ERR_INVALID;
    }
    *out = n;
    return ERR_OK;
}

bool parse_row_id(const char *s, int64_t *id)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18 || s[0] == '0')
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *id = v;
    return true;
}

err_t refuse(req_t *r, err_t e, const char *why)
{
    r->detail = why;
    return e;
}

json_t *id_or_null(int64_t id) { return id ? json_integer((json_int_t)id) : json_null(); }

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
        if (strncmp(pattern, "{file}", 6) == 0) {
            /* A file name with its format (Open311: "57.json"): 1 to
             * 64 letters, digits, dots, hyphens or underscores. */
            int n = 0;
            while (n <= 64 && ((*path >= '0' && *path <= '9') || (*path >= 'A' && *path <= 'Z') ||
                               (*path >= 'a' && *path <= 'z') || *path == '-' || *path == '.' ||
                               *path == '_')) {
                path++;
                n++;
            }
            if (n == 0 || n > 64 || (*path && *path != '/'))
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

/* The route of method and path (HEAD as GET), its {id} in *id and its
 * channel driver in *drv (route_at); NULL when none, with *path_known when
 * another method has the path. */
static const route_t *find_route(const char *method, const char *path, int64_t *id,
                                 bool *path_known, const channel_driver **drv)
{
    const route_t *rt;
    *path_known = false;
    for (size_t i = 0; (rt = route_at(i, drv)) != NULL; i++) {
        *id = 0; /* a pattern that failed after its {id} leaves none behind */
        if (!match(rt->pattern, path, id))
            continue;
        *path_known = true;
        if (strcmp(rt->method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
            return rt;
    }
    return NULL;
}

/* Loads what the route's {id} names into r->scope and checks the user's
 * role in its agency: ERR_NOT_FOUND when there is no such thing,
 * ERR_FORBIDDEN (with the reason) when the user may not use the route on
 * it. */
static err_t check_scope(app_t *app, req_t *r, const route_t *rt)
{
    req_scope *s = &r->scope;
    const char *elsewhere = "you have no role in this agency", *missing = NULL;
    err_t e = ERR_OK;
    switch (rt->scope) {
    case SCOPE_PUBLIC:
    case SCOPE_NONE:
        return ERR_OK;
    case SCOPE_ATTACHMENT_ID:
        e = store_attachment_get(app->store, r->ar, r->path_id, &s->attachment);
        if (e == ERR_OK)
            e = store_case_get(app->store, r->ar, s->attachment.case_id, &s->kase);
        break;
    case SCOPE_CASE_ID:
        e = store_case_get(app->store, r->ar, r->path_id, &s->kase);
        break;
    case SCOPE_AGENCY_ID:
        e = store_agency_get(app->store, r->ar, r->path_id, &s->agency);
        s->agency_id = s->agency.id;
        break;
    case SCOPE_CATEGORY_ID:
        e = store_category_get(app->store, r->ar, r->path_id, &s->category);
        s->agency_id = s->category.agency_id;
        elsewhere = "this category belongs to another agency";
        missing = "no such category";
        break;
    case SCOPE_TEAM_ID:
        e = store_team_get(app->store, r->ar, r->path_id, &s->team);
        s->agency_id = s->team.agency_id;
        elsewhere = DENY_TEAM;
        missing = "no such team";
        break;
    case SCOPE_CANNED_ID:
        e = store_canned_get(app->store, r->ar, r->path_id, &s->canned);
        s->agency_id = s->canned.agency_id;
        elsewhere = DENY_CANNED;
        missing = "no such canned reply";
        break;
    case SCOPE_AGENCY_QUERY:
        e = query_id(r, "agency", &s->agency_id);
        if (e == ERR_OK && !s->agency_id)
            s->agency_id = actor_single_agency(&r->actor);
        if (e == ERR_OK && !s->agency_id)
            e = refuse(r, ERR_INVALID, "agency: required (you work in several agencies)");
        if (e == ERR_OK)
            e = store_agency_get(app->store, r->ar, s->agency_id, &s->agency);
        elsewhere = "agency: you have no role in this agency";
        missing = "agency: unknown agency";
        break;
    case SCOPE_GROUP_ID:
        e = store_group_get(app->store, r->ar, r->path_id, &s->group);
        s->agency_id = s->group.agency_id;
        elsewhere = rt->deny;
        break;
    }
    if (e == ERR_NOT_FOUND)
        r->detail = missing;
    if (e != ERR_OK)
        return e;
    if (rt->scope == SCOPE_CASE_ID || rt->scope == SCOPE_ATTACHMENT_ID) {
        s->agency_id = s->kase.agency_id;
        e = case_access(app, r, &s->kase); /* a field officer's narrower view */
        if (e != ERR_OK)
            return e;
    }
    s->role = actor_role(&r->actor, s->agency_id);
    if (s->role < 0) {
        r->detail = elsewhere;
        return ERR_FORBIDDEN;
    }
    if (!(rt->roles & (1u << s->role))) {
        r->detail = rt->deny ? rt->deny : "your role may not use this endpoint";
        return ERR_FORBIDDEN;
    }
    if ((rt->flags & R_TEAM) && s->role == ROLE_FIELD &&
        (!s->kase.team_id ||
         store_team_has_member(app->store, s->kase.team_id, r->user.id) != ERR_OK)) {
        r->detail = "only a member of the assigned team may do this";
        return ERR_FORBIDDEN;
    }
    if ((rt->flags & R_PERSONAL) && !case_personal(app, r, &s->kase)) {
        r->detail = rt->deny;
        return ERR_FORBIDDEN;
    }
    return ERR_OK;
}

static void dispatch(app_t *app, req_t *r)
{
    err_t e = ERR_OK;
    bool path_known = false;
    int64_t id = 0;
    r->lang = pick_lang(r);
    if (r->too_large && strcmp(r->method, "POST") == 0 && strncmp(r->path, "/lapor", 6) == 0 &&
        (r->path[6] == '\0' || r->path[6] == '/')) {
        /* A citizen's form: the page again, saying why, not JSON. */
        e = webform_too_large(app, r);
        goto out;
    }
    if (r->too_large) {
        r->detail =
            arena_printf(r->ar, msg_lang(r->lang, "the body is limited to %zu bytes"), r->body_max);
        e = ERR_TOO_LARGE;
        goto out;
    }
    const channel_driver *drv = NULL;
    const route_t *rt = find_route(r->method, r->path, &id, &path_known, &drv);
    r->path_id = rt ? id : 0;
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
    if ((rt->flags & R_SIM) && (!drv || drv->live(app->cfg))) {
        r->detail = rt->deny; /* the driver's words: why its simulator is off */
        e = ERR_NOT_FOUND;
        goto out;
    }
    if (rt->scope != SCOPE_PUBLIC) {
        e = auth_resolve(app, r);
        if (e != ERR_OK)
            goto out;
        if (!has_any_role(r, rt->roles)) {
            r->detail = rt->deny ? rt->deny : "your role may not use this endpoint";
            e = ERR_FORBIDDEN;
            goto out;
        }
        if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
            e = auth_check_csrf(r);
            if (e != ERR_OK)
                goto out;
        }
        e = twofa_gate(app, r, rt->pattern);
        if (e == ERR_OK)
            e = check_scope(app, r, rt);
        if (e != ERR_OK)
            goto out;
    }
    if (rt->flags & R_IDEM) {
        bool replayed = false;
        e = idem_begin(app, r, &replayed);
        if (e != ERR_OK || replayed)
            goto out;
    }
    e = rt->fn(app, r);
    idem_end(app, r, e);
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
    /* Answers carry personal data: never cached, never framed, never sniffed.
     * A public file (the tracking page's photos) may say otherwise. */
    MHD_add_response_header(resp, "Cache-Control",
                            r->cache_control ? r->cache_control : "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", r->frame_self ? "SAMEORIGIN" : "DENY");
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
    if (r->idem_replayed)
        MHD_add_response_header(resp, "Idempotent-Replayed", "true");
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
        int64_t id;
        bool known;
        const channel_driver *drv;
        const route_t *rt = find_route(method, url, &id, &known, &drv);
        r->body_max = rt && rt->body_max ? rt->body_max : HTTP_BODY_MAX;
        *con_cls = r;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
        unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
        if (len > 64 * 1024 && len <= r->body_max) {
            /* A large upload (photos of the web form, an officer's photo) is
             * read into one buffer of its announced size: growing by
             * doubling in the arena would hold about twice the body. A
             * client that sends more than it announced still grows it. */
            r->body = arena_alloc(ar, (size_t)len + 1);
            r->body_cap = r->body ? (size_t)len + 1 : 0;
            if (r->body)
                r->body[0] = '\0';
        }
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

err_t http_listen(config_t *cfg, int *fd)
{
    *fd = -1;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    char port[8];
    snprintf(port, sizeof port, "%u", cfg->listen_port);
    int gai = getaddrinfo(cfg->listen_host, port, &hints, &ai);
    if (gai != 0) {
        log_error("http", "event=bad_listen_address host=%s msg=\"%s\"", cfg->listen_host,
                  gai_strerror(gai));
        return ERR_IO;
    }
    int s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_storage sa;
    socklen_t salen = sizeof sa;
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (ai->ai_family == AF_INET6 &&
         setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        bind(s, ai->ai_addr, ai->ai_addrlen) != 0 || listen(s, SOMAXCONN) != 0 ||
        getsockname(s, (struct sockaddr *)&sa, &salen) != 0) {
        log_error("http", "event=listen_failed host=%s port=%u msg=\"%s\"", cfg->listen_host,
                  cfg->listen_port, strerror(errno));
        if (s >= 0)
            close(s);
        freeaddrinfo(ai);
        return ERR_IO;
    }
    freeaddrinfo(ai);
    unsigned bound = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                                    : ((struct sockaddr_in *)&sa)->sin_port);
    if (cfg->listen_port == 0)
        config_set_port(cfg, bound);
    *fd = s;
    return ERR_OK;
}

err_t http_server_start(const config_t *cfg, store_t *store, jobs_t *jobs, int listen_fd,
                        http_server_t **out)
{
    *out = NULL;
    http_server_t *srv = calloc(1, sizeof *srv);
    if (!srv) {
        close(listen_fd);
        return ERR_NOMEM;
    }
    srv->app.cfg = cfg;
    srv->app.store = store;
    srv->app.jobs = jobs;
    srv->app.buckets = bucket_table_new(BUCKET_SETS);
    err_t e = srv->app.buckets
                  ? secret_password_hash("not-a-password-of-anyone", srv->app.dummy_hash)
                  : ERR_NOMEM;
    if (e == ERR_OK)
        e = auth_start(&srv->app, cfg->threads);
    if (e == ERR_OK)
        e = ingest_start(store, jobs, &srv->app.ingest);
    if (e == ERR_OK)
        e = live_start(store, &srv->app.live);
    if (e != ERR_OK)
        goto fail;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    if (strchr(cfg->listen_host, ':'))
        flags |= MHD_USE_IPv6;
    /* MHD 0.9.75 has no deadline for a whole request, only an inactivity
     * timeout: a new connection gets the short header timeout (on_request
     * raises it once the headers are in), so a client dripping its headers
     * must send something every few seconds, and CONN_PER_ADDRESS bounds
     * how many such connections one address holds. */
    unsigned per_address = cfg->ntrusted_proxies ? 0 : CONN_PER_ADDRESS;
    srv->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &srv->app, MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)cfg->header_timeout_s, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        &srv->app, MHD_OPTION_END);
    if (!srv->mhd) {
        log_error("http", "event=listen_failed host=%s port=%u", cfg->listen_host,
                  cfg->listen_port);
        e = ERR_IO;
        goto fail;
    }
    listen_fd = -1; /* MHD's now: closed by MHD_stop_daemon */
    log_info("http",
             "event=limits connections=%u per_address=%u header_timeout=%u idle_timeout=%u "
             "trusted_proxies=%u",
             (unsigned)CONN_LIMIT, per_address, cfg->header_timeout_s, (unsigned)CONN_TIMEOUT_S,
             cfg->ntrusted_proxies);
    *out = srv;
    return ERR_OK;
fail:
    if (listen_fd >= 0)
        close(listen_fd);
    live_stop(srv->app.live);
    live_free(srv->app.live);
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
    /* Event streams end: MHD must not stop with a suspended connection. */
    live_stop(srv->app.live);
    MHD_stop_daemon(srv->mhd);
    live_free(srv->app.live);
    ingest_free(srv->app.ingest);
    bucket_table_free(srv->app.buckets);
    free(srv);
}

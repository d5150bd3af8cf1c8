/* Who looked at what (issue 19 §2; UU PDP 27/2022): the audit log's
 * entries from the HTTP layer, and the superadmin's view and CSV export.
 *
 * Three ways an entry is written:
 *   - by the handler itself: sign-in, sign-out, 2FA, sessions, password,
 *     exports with personal columns (auth.c, account.c, export.c);
 *   - after a successful change through a route of the table below
 *     (users, roles, texts, categories, calendars, channels, ...), with the
 *     names of the fields sent (never their values);
 *   - after a successful read whose answer carries a reporter's identity:
 *     a case object with "reporter" (a case, a list, the field card), the
 *     conversation, the NIK and identity documents of a service request,
 *     a community group's members, the raw webhook inbox.
 * Reads fail closed: when the entry cannot be written the answer is
 * withheld (503), so no personal data leaves without its trace. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

err_t audit_note(app_t *app, req_t *r, const char *action, int64_t case_id, const char *target,
                 const char *detail)
{
    store_audit_entry a = {0};
    a.at = clock_now();
    a.user_id = r->authed ? r->user.id : 0;
    a.login = r->authed ? r->user.login : NULL;
    a.client = req_client(app, r);
    a.action = action;
    a.case_id = case_id;
    a.target = target;
    a.detail = detail;
    err_t e = store_audit_add(app->store, &a);
    if (e != ERR_OK)
        log_error("audit", "event=audit_write_failed action=%s err=%s", action, err_str(e));
    return e;
}

err_t audit_note_user(app_t *app, req_t *r, int64_t user_id, const char *login, const char *action,
                      const char *detail)
{
    store_audit_entry a = {0};
    a.at = clock_now();
    a.user_id = user_id;
    a.login = login;
    a.client = req_client(app, r);
    a.action = action;
    a.detail = detail;
    err_t e = store_audit_add(app->store, &a);
    if (e != ERR_OK)
        log_error("audit", "event=audit_write_failed action=%s err=%s", action, err_str(e));
    return e;
}

/* ---- routes ---------------------------------------------------------------- */

typedef enum {
    A_CHANGE,   /* a successful change: the fields sent */
    A_PERSONAL, /* a successful read that is personal data by itself */
} audit_kind;

typedef struct {
    const char *method, *pattern, *action;
    audit_kind kind;
    /* "user" -> "user:{id}" (the path's id); "attachment?" -> "attachment:N"
     * from the query's attachment=N; NULL: none */
    const char *target;
    bool on_case; /* {id} is a case */
} audit_rule;

/* Every route that changes what staff, texts or channels are, and every
 * read of personal data that is not a case object (those are found in
 * the answer). tests/e2e/test_audit.py walks it. */
static const audit_rule ROUTES[] = {
    {"POST", "/api/v1/admin/users", "user_create", A_CHANGE, NULL, false},
    {"POST", "/api/v1/admin/users/{id}", "user_update", A_CHANGE, "user", false},
    {"POST", "/api/v1/admin/categories", "category_create", A_CHANGE, NULL, false},
    {"POST", "/api/v1/admin/categories/{id}", "category_update", A_CHANGE, "category", false},
    {"POST", "/api/v1/categories/{id}/sla", "category_sla_set", A_CHANGE, "category", false},
    {"POST", "/api/v1/categories/{id}/forward", "category_forward_set", A_CHANGE, "category",
     false},
    {"POST", "/api/v1/admin/teams", "team_create", A_CHANGE, NULL, false},
    {"POST", "/api/v1/admin/teams/{id}", "team_update", A_CHANGE, "team", false},
    {"POST", "/api/v1/admin/teams/{id}/members", "team_member_set", A_CHANGE, "team", false},
    {"POST", "/api/v1/admin/numbers", "channel_number_add", A_CHANGE, NULL, false},
    {"POST", "/api/v1/bot/texts", "text_set", A_CHANGE, NULL, false},
    {"DELETE", "/api/v1/bot/texts", "text_reset", A_CHANGE, NULL, false},
    {"POST", "/api/v1/canned-replies", "canned_create", A_CHANGE, NULL, false},
    {"POST", "/api/v1/canned-replies/{id}", "canned_update", A_CHANGE, "canned", false},
    {"DELETE", "/api/v1/canned-replies/{id}", "canned_delete", A_CHANGE, "canned", false},
    {"POST", "/api/v1/agencies/{id}/calendar", "calendar_set", A_CHANGE, "agency", false},
    {"POST", "/api/v1/agencies/{id}/holidays", "holiday_add", A_CHANGE, "agency", false},
    {"DELETE", "/api/v1/agencies/{id}/holidays", "holiday_delete", A_CHANGE, "agency", false},
    {"POST", "/api/v1/services", "service_create", A_CHANGE, NULL, false},
    {"PUT", "/api/v1/services/{id}", "service_update", A_CHANGE, "service", false},
    {"POST", "/api/v1/community-groups", "group_create", A_CHANGE, NULL, false},
    {"POST", "/api/v1/community-groups/{id}/members", "group_member_add", A_CHANGE, "group", false},
    {"POST", "/api/v1/community-groups/{id}/members/remove", "group_member_remove", A_CHANGE,
     "group", false},
    {"GET", "/api/v1/cases/{id}/conversation", "conversation_read", A_PERSONAL, NULL, true},
    {"GET", "/api/v1/cases/{id}/service", "identity_read", A_PERSONAL, NULL, true},
    {"GET", "/api/v1/cases/{id}/service/file", "identity_document_read", A_PERSONAL, "attachment?",
     true},
    {"GET", "/api/v1/community-groups/{id}/members", "group_members_read", A_PERSONAL, "group",
     false},
    {"GET", "/api/v1/inbound", "inbound_read", A_PERSONAL, NULL, false},
    {"POST", "/api/v1/webhooks", "webhook_create", A_CHANGE, NULL, false},
    {"POST", "/api/v1/webhooks/{id}", "webhook_update", A_CHANGE, "webhook", false},
    {"DELETE", "/api/v1/webhooks/{id}", "webhook_delete", A_CHANGE, "webhook", false},
    {"POST", "/api/v1/webhooks/{id}/resume", "webhook_resume", A_CHANGE, "webhook", false},
    {"POST", "/api/v1/webhooks/deliveries/{id}/retry", "webhook_redeliver", A_CHANGE,
     "webhook_delivery", false},
    {"PUT", "/api/v1/agencies/{id}/settings", "agency_settings_set", A_CHANGE, "agency", false},
    /* Issue 18: the district's logo. */
    {"POST", "/api/v1/admin/logo", "logo_set", A_CHANGE, NULL, false},
};

/* The names of the body's top-level fields ("name,role,password"): what
 * was changed, never the values (a password, a phone number). */
static const char *field_names(req_t *r)
{
    if (!r->body || !r->body_len)
        return NULL;
    json_t *j = json_loadb(r->body, r->body_len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    char buf[256];
    size_t o = 0;
    const char *k;
    json_t *v;
    buf[0] = '\0';
    json_object_foreach(j, k, v)
    {
        int w = snprintf(buf + o, sizeof buf - o, "%s%.40s", o ? "," : "fields=", k);
        if (w < 0 || (size_t)w >= sizeof buf - o)
            break;
        o += (size_t)w;
    }
    json_decref(j);
    return o ? arena_strdup(r->ar, buf) : NULL;
}

/* Case objects of the answer that carry the reporter: their ids into ids
 * (up to cap), their count returned. Walks arrays and objects a few deep. */
static size_t reporter_cases(json_t *j, int depth, int64_t *ids, size_t cap, size_t n)
{
    if (!j || depth > 4)
        return n;
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) n = reporter_cases(v, depth + 1, ids, cap, n);
        return n;
    }
    if (!json_is_object(j))
        return n;
    json_t *rep = json_object_get(j, "reporter"), *id = json_object_get(j, "id");
    if (rep && json_is_object(rep) && json_is_integer(id)) {
        if (n < cap)
            ids[n] = (int64_t)json_integer_value(id);
        return n + 1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) n = reporter_cases(v, depth + 1, ids, cap, n);
    return n;
}

/* The ids listed in an entry's detail; more are counted only. */
#define AUDIT_IDS_MAX 50

static err_t audit_reporters(app_t *app, req_t *r)
{
    int64_t ids[AUDIT_IDS_MAX];
    size_t n = reporter_cases(r->json, 0, ids, AUDIT_IDS_MAX, 0);
    if (n == 0)
        return ERR_OK;
    if (n == 1 && r->path_id == ids[0]) /* the case of the route: GET /api/v1/cases/{id} */
        return audit_note(app, r, "reporter_read", ids[0], NULL, NULL);
    char buf[AUDIT_IDS_MAX * 21 + 64];
    size_t o = (size_t)snprintf(buf, sizeof buf, "cases=%zu ids=", n);
    for (size_t i = 0; i < n && i < AUDIT_IDS_MAX; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%lld", i ? "," : "", (long long)ids[i]);
    return audit_note(app, r, "reporter_list_read", 0, NULL, arena_strdup(r->ar, buf));
}

err_t audit_route(app_t *app, req_t *r, const char *method, const char *pattern)
{
    if (!r->authed || r->status < 200 || r->status >= 300)
        return ERR_OK;
    err_t e = ERR_OK;
    for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
        const audit_rule *a = &ROUTES[i];
        if (strcmp(a->method, method) != 0 || strcmp(a->pattern, pattern) != 0)
            continue;
        const char *target = NULL;
        size_t tn = a->target ? strlen(a->target) : 0;
        if (tn && a->target[tn - 1] == '?') {
            const char *v = NULL;
            int64_t id = 0;
            char name[32];
            snprintf(name, sizeof name, "%.*s", (int)(tn - 1), a->target);
            if (req_query(r, name, &v) == ERR_OK && v && parse_row_id(v, &id))
                target = arena_printf(r->ar, "%s:%lld", name, (long long)id);
        } else if (tn) {
            target = arena_printf(r->ar, "%s:%lld", a->target, (long long)r->path_id);
        }
        e = audit_note(app, r, a->action, a->on_case ? r->path_id : 0, target,
                       a->kind == A_CHANGE ? field_names(r) : NULL);
        break;
    }
    if (e == ERR_OK && strcmp(method, "GET") == 0)
        e = audit_reporters(app, r);
    if (e != ERR_OK) {
        /* Withheld: personal data never leaves without its entry. */
        json_decref(r->json);
        r->json = NULL;
        if (r->stream) {
            MHD_destroy_response(r->stream);
            r->stream = NULL;
        }
        r->detail = tr(r, "catatan audit tidak dapat ditulis; coba lagi",
                       "the audit entry could not be written; try again");
        return ERR_UNAVAILABLE;
    }
    return ERR_OK;
}

/* ---- the superadmin's view --------------------------------------------------- */

static err_t audit_filter(req_t *r, store_audit_filter *f)
{
    const char *v;
    memset(f, 0, sizeof *f);
    f->limit = 100;
    static const char *const nums[] = {"from", "to", "case", "before", "limit"};
    int64_t *dst[] = {&f->from, &f->to, &f->case_id, &f->before_id, NULL};
    for (size_t i = 0; i < 5; i++) {
        err_t e = req_query(r, nums[i], &v);
        if (e != ERR_OK)
            return e;
        if (!v)
            continue;
        char *end;
        long long x = strtoll(v, &end, 10);
        if (*end || x < 0 || *v < '0' || *v > '9') {
            r->detail = arena_printf(r->ar,
                                     "%s: expected a non-negative integer (Unix seconds "
                                     "for from and to)",
                                     nums[i]);
            return ERR_INVALID;
        }
        if (dst[i])
            *dst[i] = x;
        else if (x < 1 || x > STORE_AUDIT_PAGE_MAX) {
            r->detail = arena_printf(r->ar, "limit: 1 to %d", STORE_AUDIT_PAGE_MAX);
            return ERR_INVALID;
        } else
            f->limit = (unsigned)x;
    }
    err_t e = req_query(r, "login", &f->login);
    if (e == ERR_OK)
        e = req_query(r, "action", &f->action);
    return e;
}

static json_t *entry_json(const store_audit_entry *a)
{
    return json_pack("{s:I, s:o, s:I, s:o, s:s?, s:s?, s:s, s:o, s:s?, s:s?}", "id",
                     (json_int_t)a->id, "at", json_time(a->at), "at_unix", (json_int_t)a->at,
                     "user_id", a->user_id ? json_integer(a->user_id) : json_null(), "login",
                     a->login, "client", a->client, "action", a->action, "case_id",
                     a->case_id ? json_integer(a->case_id) : json_null(), "target", a->target,
                     "detail", a->detail);
}

err_t h_audit_list(app_t *app, req_t *r)
{
    store_audit_filter f;
    store_audit_entry *a = NULL;
    size_t n = 0;
    err_t e = audit_filter(r, &f);
    if (e == ERR_OK)
        e = store_audit_list(app->store, r->ar, &f, &a, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items, entry_json(&a[i]));
    json_t *next = n == f.limit && n > 0 ? json_integer(a[n - 1].id) : json_null();
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:i}", "items", items ? items : json_array(),
                                "next_before", next, "retention_days",
                                (int)app->cfg->audit_retention_days));
}

/* CSV: a field quoted when it holds a separator, a quote or a line break;
 * a leading = + - @ gets a ' so a spreadsheet does not run it. */
static void csv_field(char **buf, size_t *len, size_t *cap, arena_t *ar, const char *v, bool last)
{
    char tmp[1024];
    size_t o = 0;
    bool q = v && strpbrk(v, ",\"\r\n");
    if (q)
        tmp[o++] = '"';
    if (v && strchr("=+-@", v[0]) && v[0])
        tmp[o++] = '\'';
    for (const char *p = v ? v : ""; *p && o < sizeof tmp - 4; p++) {
        if (*p == '"')
            tmp[o++] = '"';
        tmp[o++] = *p;
    }
    if (q)
        tmp[o++] = '"';
    tmp[o++] = last ? '\n' : ',';
    if (*len + o + 1 > *cap) {
        size_t nc = *cap * 2 + o + 1;
        char *nb = arena_alloc(ar, nc);
        if (!nb)
            return;
        memcpy(nb, *buf, *len);
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, tmp, o);
    *len += o;
    (*buf)[*len] = '\0';
}

/* Rows of one export at most: two years of a district's desk fit. */
#define AUDIT_CSV_MAX 200000

err_t h_audit_export(app_t *app, req_t *r)
{
    store_audit_filter f;
    err_t e = audit_filter(r, &f);
    if (e != ERR_OK)
        return e;
    size_t cap = 64 * 1024, len = 0, rows = 0;
    char *buf = arena_alloc(r->ar, cap);
    if (!buf)
        return ERR_NOMEM;
    buf[0] = '\0';
    static const char *const head[] = {"id",     "at",      "user_id", "login", "client",
                                       "action", "case_id", "target",  "detail"};
    for (size_t i = 0; i < 9; i++)
        csv_field(&buf, &len, &cap, r->ar, head[i], i == 8);
    f.limit = STORE_AUDIT_PAGE_MAX;
    for (;;) {
        store_audit_entry *a = NULL;
        size_t n = 0;
        e = store_audit_list(app->store, r->ar, &f, &a, &n);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < n; i++) {
            char id[24], uid[24], cid[24], at[CLOCK_ISO_BUF];
            snprintf(id, sizeof id, "%lld", (long long)a[i].id);
            snprintf(uid, sizeof uid, "%lld", (long long)a[i].user_id);
            snprintf(cid, sizeof cid, "%lld", (long long)a[i].case_id);
            clock_format(a[i].at, at);
            const char *cols[] = {id,          at,          a[i].user_id ? uid : "", a[i].login,
                                  a[i].client, a[i].action, a[i].case_id ? cid : "", a[i].target,
                                  a[i].detail};
            for (size_t k = 0; k < 9; k++)
                csv_field(&buf, &len, &cap, r->ar, cols[k], k == 8);
        }
        rows += n;
        if (n < f.limit || rows >= AUDIT_CSV_MAX)
            break;
        f.before_id = a[n - 1].id;
    }
    e = audit_note(app, r, "audit_export", 0, NULL, arena_printf(r->ar, "rows=%zu", rows));
    if (e != ERR_OK)
        return e;
    char date[CLOCK_ISO_BUF];
    clock_format(clock_now(), date);
    date[10] = '\0';
    r->disposition = arena_printf(r->ar, "attachment; filename=\"aduan-audit-%s.csv\"", date);
    r->status = 200;
    r->text = buf;
    r->text_len = len;
    r->content_type = "text/csv; charset=utf-8";
    return ERR_OK;
}

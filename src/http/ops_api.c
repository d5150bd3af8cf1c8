/* The operator's inbox tools (issue 18, "find anything"): saved filters
 * per user (GET/POST /api/v1/me/filters, DELETE /api/v1/me/filters/{id})
 * and bulk actions on selected cases (POST /api/v1/cases/bulk).
 *
 * A bulk action is the single action repeated: each case is loaded and
 * checked as the router checks a case route (it exists, the user sees it,
 * their role in its agency is the desk's), then goes through the same
 * domain call as its single route (case_transition, store_case_assign,
 * case_merge_into), each in its own transaction, so one refused case
 * leaves the others done, and each writes the same case event, webhook
 * and live event as the single action. The answer lists every id with
 * "ok" or its error. */
#include "http/http.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/msg.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

/* A name fits a chip beside the inbox's views. */
#define FILTER_NAME_MAX 60
/* Saved filters per user: more than a chip row can show. */
#define FILTERS_PER_USER 30
/* A filter value: the inbox's search box takes 200 bytes (api.c QUERY_MAX). */
#define FILTER_VALUE_MAX 200
/* Cases per bulk request: two pages of the inbox, a few seconds of work. */
#define BULK_IDS_MAX 100

/* The inbox's filter keys (api.c list_filter), without paging. */
static const char *const FILTER_KEYS[] = {"status",    "agency", "category",    "team",
                                          "kecamatan", "lapor",  "lapor_class", "channel",
                                          "from",      "to",     "q",           "assignee"};
#define NKEYS (sizeof FILTER_KEYS / sizeof FILTER_KEYS[0])
#define FILTER_KEYS_SHOWN                                                                          \
    "status, agency, category, team, kecamatan, lapor, lapor_class, channel, from, to, q, "        \
    "assignee"

static bool filter_key_known(const char *k)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(FILTER_KEYS[i], k) == 0)
            return true;
    return false;
}

/* A key that can be echoed in a message as it is: short, [a-z0-9_]. */
static bool plain_key(const char *k)
{
    size_t n = strlen(k);
    return n > 0 && n <= 40 && strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static json_t *filter_json(const store_saved_filter *f)
{
    json_t *q = json_loads(f->query, 0, NULL);
    return json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t)f->id, "name", f->name, "query",
                     q ? q : json_object(), "created_at", json_time(f->created_at));
}

err_t h_filters_list(app_t *app, req_t *r)
{
    store_saved_filter *f = NULL;
    size_t n = 0;
    err_t e = store_filter_list(app->store, r->ar, r->user.id, &f, &n);
    if (e != ERR_OK)
        return e;
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, filter_json(&f[i]));
    return reply_json(r, 200, json_pack("{s:o, s:i}", "items", a, "max", FILTERS_PER_USER));
}

/* The query of a saved filter: a JSON object of known keys, each a
 * non-empty string or a positive integer; returned as the object to
 * store (strings only), or NULL with r->detail. */
static json_t *filter_query(req_t *r, json_t *q)
{
    const char *k;
    json_t *v, *out;
    if (!json_is_object(q) || json_object_size(q) == 0) {
        r->detail = tr(r, "query: wajib, objek berisi filter kotak masuk",
                       "query: required, an object of the inbox's filters");
        return NULL;
    }
    out = json_object();
    json_object_foreach(q, k, v)
    {
        char num[24];
        const char *s = NULL;
        if (!filter_key_known(k)) {
            r->detail = arena_printf(
                r->ar, msg_lang(r->lang, "%s (known: %s)"),
                arena_printf(r->ar, msg_lang(r->lang, "query: unknown filter \"%.40s\""),
                             plain_key(k) ? k : "..."),
                FILTER_KEYS_SHOWN);
            break;
        }
        if (json_is_integer(v) && json_integer_value(v) > 0) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            s = num;
        } else if (json_is_string(v) && json_string_length(v) > 0 &&
                   json_string_length(v) <= FILTER_VALUE_MAX &&
                   strlen(json_string_value(v)) == json_string_length(v)) {
            s = json_string_value(v);
        }
        if (!s) {
            r->detail = arena_printf(
                r->ar, msg_lang(r->lang, "query.%s: a text of 1 to 200 bytes or a positive number"),
                k);
            break;
        }
        if ((strcmp(k, "status") == 0 && status_parse(s) < 0) ||
            (strcmp(k, "assignee") == 0 && strcmp(s, "me") != 0 && strcmp(s, "none") != 0 &&
             !(s[0] >= '1' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s)))) {
            r->detail = arena_printf(r->ar, msg_lang(r->lang, "query.%s: unknown value"), k);
            break;
        }
        json_object_set_new(out, k, json_string(s));
    }
    if (r->detail) {
        json_decref(out);
        return NULL;
    }
    return out;
}

err_t h_filter_create(app_t *app, req_t *r)
{
    json_t *body, *q;
    const char *name = NULL;
    store_saved_filter f = {0};
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "name", &name);
    if (e != ERR_OK)
        return e;
    size_t len = name ? text_utf8_len(name) : 0;
    if (!name || len == 0 || len > FILTER_NAME_MAX || strspn(name, " \t") == strlen(name))
        return refuse(
            r, ERR_INVALID,
            tr(r, "name: wajib, 1 sampai 60 karakter", "name: required, 1 to 60 characters"));
    q = filter_query(r, json_object_get(body, "query"));
    if (!q)
        return ERR_INVALID;
    char *text = json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(q);
    if (!text)
        return ERR_NOMEM;
    f.user_id = r->user.id;
    f.name = name;
    f.query = arena_strdup(r->ar, text);
    free(text);
    f.created_at = clock_now();
    if (!f.query)
        return ERR_NOMEM;
    e = store_filter_add(app->store, &f, FILTERS_PER_USER);
    if (e == ERR_TOO_LARGE)
        return refuse(r, ERR_INVALID,
                      tr(r, "paling banyak 30 filter tersimpan; hapus salah satu dulu",
                         "at most 30 saved filters; delete one first"));
    if (e == ERR_CONFLICT)
        return refuse(r, e,
                      tr(r, "name: sudah ada filter tersimpan dengan nama ini",
                         "name: you have a saved filter of this name already"));
    if (e != ERR_OK)
        return e;
    log_info("ops", "event=filter_saved filter_id=%lld user_id=%lld", (long long)f.id,
             (long long)r->user.id);
    return reply_json(r, 201, filter_json(&f));
}

err_t h_filter_delete(app_t *app, req_t *r)
{
    /* Another user's filter is as unknown as a missing one. */
    err_t e = store_filter_delete(app->store, r->path_id, r->user.id);
    if (e == ERR_NOT_FOUND)
        return refuse(r, e, tr(r, "tidak ada filter tersimpan ini", "no such saved filter"));
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)r->path_id, "deleted", 1));
}

/* ---- bulk actions ------------------------------------------------------------------------- */

typedef enum { BULK_ASSIGN, BULK_VERIFY, BULK_DUPLICATE } bulk_action;

typedef struct {
    bulk_action action;
    int64_t user_id;   /* assign: the new owner, 0: nobody */
    int64_t master_id; /* duplicate: the case the others follow */
    const char *note;  /* verify, duplicate: optional */
} bulk_req;

/* Roles that may do each bulk action on a case: the desk (as the single
 * routes: assignee, merge; the lifecycle table's verify). */
#define BULK_ROLES ((1u << ROLE_SUPERADMIN) | (1u << ROLE_ADMIN) | (1u << ROLE_SUPERVISOR))

/* One case: loaded and checked as a case route's router does, then the
 * single action's domain call. The error's detail in r->detail. */
static err_t bulk_one(app_t *app, req_t *r, const bulk_req *b, int64_t id)
{
    store_case c;
    err_t e = store_case_get(app->store, r->ar, id, &c);
    if (e == ERR_NOT_FOUND)
        return refuse(r, e, tr(r, "tidak ada kasus ini", "no such case"));
    if (e == ERR_OK)
        e = case_access(app, r, &c);
    if (e != ERR_OK)
        return e;
    int role = actor_role(&r->actor, c.agency_id);
    if (role < 0 || !(BULK_ROLES & (1u << role)))
        return refuse(r, ERR_FORBIDDEN,
                      tr(r, "hanya meja layanan instansi kasus ini yang boleh",
                         "only the desk of this case's agency may do this"));
    if (b->action == BULK_ASSIGN) {
        bool changed = false;
        e = store_case_assign(app->store, c.id, b->user_id, r->user.id, clock_now(), &changed);
        if (e == ERR_INVALID)
            return refuse(r, e,
                          tr(r, "user_id: bukan admin atau kepala bidang aktif instansi kasus ini",
                             "user_id: not an active admin or supervisor of this case's agency"));
        if (e == ERR_OK && changed)
            log_info("case", "event=case_assigned case_id=%lld assignee_id=%lld user_id=%lld",
                     (long long)c.id, (long long)b->user_id, (long long)r->user.id);
        return e;
    }
    if (b->action == BULK_DUPLICATE)
        return case_merge_into(app, r, &c, b->master_id, b->note);
    case_action_req q = {.action = "verify", .note = b->note};
    store_transition t;
    const char *detail = NULL;
    e = case_transition(app->store, r->ar, &r->actor, c.id, &q, clock_now(), &t, &detail);
    if (detail)
        r->detail = detail;
    if (e != ERR_OK)
        return e;
    log_info("case", "event=transition case_id=%lld action=%s from=%s to=%s user_id=%lld",
             (long long)t.case_id, t.action, t.expect_status, t.new_status, (long long)r->user.id);
    dispatch_after_transition(app, r, &t);
    return ERR_OK;
}

/* The ids of the body: 1 to BULK_IDS_MAX positive integers, each once. */
static err_t bulk_ids(req_t *r, json_t *body, int64_t **ids, size_t *n)
{
    json_t *a = json_object_get(body, "ids"), *v;
    size_t i;
    if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > BULK_IDS_MAX)
        return refuse(
            r, ERR_INVALID,
            tr(r, "ids: wajib, 1 sampai 100 ID kasus", "ids: required, 1 to 100 case ids"));
    *n = json_array_size(a);
    *ids = arena_alloc(r->ar, *n * sizeof **ids);
    if (!*ids)
        return ERR_NOMEM;
    json_array_foreach(a, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return refuse(
                r, ERR_INVALID,
                tr(r, "ids: setiap ID bilangan bulat positif", "ids: each id a positive integer"));
        (*ids)[i] = (int64_t)json_integer_value(v);
        for (size_t j = 0; j < i; j++)
            if ((*ids)[j] == (*ids)[i])
                return refuse(r, ERR_INVALID,
                              tr(r, "ids: setiap kasus sekali saja", "ids: each case once"));
    }
    return ERR_OK;
}

/* The action and its fields; ERR_INVALID with r->detail. */
static err_t bulk_parse(app_t *app, req_t *r, json_t *body, bulk_req *b)
{
    const char *action = NULL;
    err_t e = jfield_str(r, body, "action", &action);
    if (e == ERR_OK)
        e = jfield_str(r, body, "note", &b->note);
    if (e != ERR_OK)
        return e;
    if (!action ||
        (strcmp(action, "assign") && strcmp(action, "verify") && strcmp(action, "duplicate")))
        return refuse(
            r, ERR_INVALID,
            tr(r, "action: assign, verify atau duplicate", "action: assign, verify or duplicate"));
    if (b->note && text_utf8_len(b->note) > CASE_NOTE_MAX)
        return refuse(r, ERR_INVALID, "note: at most 2000 characters");
    if (strcmp(action, "verify") == 0) {
        b->action = BULK_VERIFY;
        return ERR_OK;
    }
    if (strcmp(action, "assign") == 0) {
        json_t *v = json_object_get(body, "user_id");
        b->action = BULK_ASSIGN;
        if (json_is_string(v) && strcmp(json_string_value(v), "me") == 0)
            b->user_id = r->user.id;
        else if (json_is_integer(v) && json_integer_value(v) > 0)
            b->user_id = (int64_t)json_integer_value(v);
        else if (!json_is_null(v))
            return refuse(r, ERR_INVALID,
                          tr(r, "user_id: wajib, id petugas, \"me\" atau null (belum ditugaskan)",
                             "user_id: required, a user's id, \"me\" or null (nobody)"));
        return ERR_OK;
    }
    /* duplicate: the master is one case the user may see. */
    store_case m;
    b->action = BULK_DUPLICATE;
    e = jfield_id(r, body, "master_id", &b->master_id);
    if (e != ERR_OK)
        return e;
    if (!b->master_id)
        return refuse(r, ERR_INVALID, "master_id: required");
    e = store_case_get(app->store, r->ar, b->master_id, &m);
    if (e == ERR_OK)
        e = case_access(app, r, &m);
    if (e == ERR_NOT_FOUND || e == ERR_FORBIDDEN)
        return refuse(r, ERR_INVALID,
                      tr(r, "master_id: tidak ada kasus ini", "master_id: no such case"));
    return e;
}

err_t h_cases_bulk(app_t *app, req_t *r)
{
    json_t *body, *results;
    bulk_req b = {0};
    int64_t *ids = NULL;
    size_t n = 0, done = 0;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = bulk_parse(app, r, body, &b);
    if (e == ERR_OK)
        e = bulk_ids(r, body, &ids, &n);
    if (e != ERR_OK)
        return e;
    results = json_array();
    for (size_t i = 0; results && i < n; i++) {
        r->detail = NULL;
        e = bulk_one(app, r, &b, ids[i]);
        json_t *row = json_pack("{s:I, s:b}", "id", (json_int_t)ids[i], "ok", e == ERR_OK);
        if (row && e != ERR_OK) {
            json_t *err =
                json_pack("{s:s, s:s}", "code", err_code(e), "message", err_str_lang(e, r->lang));
            if (err && r->detail)
                json_object_set_new(err, "detail", json_string(msg_lang(r->lang, r->detail)));
            json_object_set_new(row, "error", err);
        }
        json_array_append_new(results, row);
        done += e == ERR_OK;
    }
    r->detail = NULL;
    log_info("ops", "event=bulk action=%s cases=%zu ok=%zu user_id=%lld",
             b.action == BULK_ASSIGN   ? "assign"
             : b.action == BULK_VERIFY ? "verify"
                                       : "duplicate",
             n, done, (long long)r->user.id);
    return reply_json(r, 200,
                      json_pack("{s:o, s:I, s:I}", "results", results, "ok", (json_int_t)done,
                                "failed", (json_int_t)(n - done)));
}

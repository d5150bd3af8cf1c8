/* The SLA API (issue #6): agency calendars (office hours, holidays),
 * category SLA policies, the deadline fields of cases, and the activity
 * report for leadership (JSON and CSV). */
#include "core/msg.h"
#include "http/http.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/deadline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A holiday's name, in code points: "Cuti bersama Hari Raya Natal" fits. */
#define HOLIDAY_NAME_MAX 120

static const char *const day_keys[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static const char *const step_keys[STORE_SLA_STEPS] = {"verify", "dispatch", "action", "resolve",
                                                       "autoclose"};

/* ---- deadlines on cases ---------------------------------------------------- */

static const char *escalation_name(int level)
{
    return level >= 2 ? "breach" : level == 1 ? "due_soon" : "none";
}

static void set_sla(json_t *obj, const store_sla_case *k, int64_t now)
{
    int stage = sla_stage_parse(k ? k->sla_stage : NULL);
    sla_state st = stage > 0 ? sla_state_at((sla_stage)stage, k->sla_soon_at, k->sla_due_at, now)
                             : SLA_STATE_NONE;
    const char *name = sla_state_name(st);
    json_object_set_new(obj, "sla_state", name ? json_string(name) : json_null());
    if (!k) {
        json_object_set_new(obj, "sla", json_null());
        return;
    }
    json_object_set_new(
        obj, "sla",
        json_pack("{s:s?, s:s?, s:o, s:o, s:o, s:o, s:s, s:b}", "stage",
                  stage > 0 ? k->sla_stage : NULL, "state", name, "started_at",
                  json_time(stage > 0 ? k->sla_start_at : 0), "due_soon_at",
                  json_time(stage > 0 && stage != SLA_STAGE_AUTOCLOSE ? k->sla_soon_at : 0),
                  "due_at", json_time(stage > 0 ? k->sla_due_at : 0), "resolve_due_at",
                  json_time(k->sla_resolve_due_at), "escalation", escalation_name(k->sla_level),
                  "current", k->sla_status && k->status && strcmp(k->sla_status, k->status) == 0));
}

void sla_decorate(app_t *app, req_t *r, json_t *cases)
{
    size_t n = json_is_array(cases) ? json_array_size(cases) : 1;
    int64_t *ids = arena_alloc(r->ar, sizeof *ids * (n ? n : 1));
    store_sla_case *rows = NULL;
    size_t nrows = 0;
    if (!ids || !cases)
        return;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_is_array(cases) ? json_array_get(cases, i) : cases;
        ids[i] = (int64_t)json_integer_value(json_object_get(c, "id"));
    }
    if (store_sla_for_cases(app->store, r->ar, ids, n, &rows, &nrows) != ERR_OK)
        nrows = 0; /* shown without deadlines rather than not at all */
    int64_t now = clock_now();
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_is_array(cases) ? json_array_get(cases, i) : cases;
        const store_sla_case *k = NULL;
        for (size_t j = 0; j < nrows && !k; j++)
            if (rows[j].id == ids[i])
                k = &rows[j];
        set_sla(c, k, now);
    }
}

/* ---- calendars ------------------------------------------------------------- */

err_t h_calendar_get(app_t *app, req_t *r)
{
    store_agency ag;
    store_calendar k;
    store_holiday *h;
    size_t n;
    cal_t cal;
    const char *from = NULL, *to = NULL;
    int32_t day;
    ag = r->scope.agency; /* the role checked by the router */
    err_t e = req_query(r, "from", &from);
    if (e == ERR_OK)
        e = req_query(r, "to", &to);
    if (e != ERR_OK)
        return e;
    if ((from && cal_parse_date(from, &day) != 0) || (to && cal_parse_date(to, &day) != 0))
        return refuse(r, ERR_INVALID, "from/to: expected YYYY-MM-DD");
    e = deadline_calendar(app->store, r->ar, ag.id, &cal);
    if (e != ERR_OK)
        return e;
    e = store_calendar_get(app->store, r->ar, ag.id, &k);
    bool custom = e == ERR_OK;
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    e = store_holiday_list(app->store, r->ar, ag.id, from, to, &h, &n);
    if (e != ERR_OK)
        return e;
    json_t *hours = json_object(), *hol = json_array();
    for (int d = 0; hours && d < 7; d++) {
        char buf[12];
        cal_format_hours(cal.week[d], buf);
        json_object_set_new(hours, day_keys[d], buf[0] ? json_string(buf) : json_null());
    }
    for (size_t i = 0; hol && i < n; i++)
        json_array_append_new(hol, json_pack("{s:s, s:s, s:s, s:s}", "date", h[i].day, "name",
                                             h[i].name, "kind", h[i].kind, "scope",
                                             h[i].agency_id ? "agency" : "national"));
    return reply_json(r, 200,
                      json_pack("{s:I, s:s, s:i, s:b, s:s, s:o, s:o}", "agency_id",
                                (json_int_t)ag.id, "timezone", ag.timezone, "utc_offset_minutes",
                                cal.utc_offset_min, "always_open", cal.always_open, "source",
                                custom ? "agency" : "default", "hours", hours, "holidays", hol));
}

err_t h_calendar_set(app_t *app, req_t *r)
{
    store_agency ag;
    json_t *body, *hours, *v;
    const char *key;
    cal_t cal;
    store_calendar k = {0};
    bool always = false;
    ag = r->scope.agency; /* the role checked by the router */
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = deadline_calendar(app->store, r->ar, ag.id, &cal);
    if (e != ERR_OK)
        return e;
    always = cal.always_open;
    e = jfield_bool(r, body, "always_open", &always);
    if (e != ERR_OK)
        return e;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "always_open") != 0 && strcmp(key, "hours") != 0)
            return refuse(r, ERR_INVALID,
                          arena_printf(r->ar, msg_lang(r->lang, "%s: unknown field"), key));
    }
    hours = json_object_get(body, "hours");
    if (hours && !json_is_object(hours))
        return refuse(r, ERR_INVALID, "hours: expected an object {mon: \"07:30-16:00\", ...}");
    json_object_foreach(hours, key, v)
    {
        int d = -1;
        for (int i = 0; i < 7; i++)
            if (strcmp(key, day_keys[i]) == 0)
                d = i;
        if (d < 0)
            return refuse(r, ERR_INVALID,
                          arena_printf(r->ar,
                                       msg_lang(r->lang, "hours.%s: expected sun, mon, ... sat"),
                                       key));
        cal_hours hh = {0, 0};
        if (!json_is_null(v) && (!json_is_string(v) || cal_parse_hours(json_string_value(v), &hh)))
            return refuse(
                r, ERR_INVALID,
                arena_printf(r->ar, msg_lang(r->lang, "hours.%s: expected \"HH:MM-HH:MM\" or null"),
                             key));
        cal.week[d] = hh;
    }
    k.agency_id = ag.id;
    k.always_open = always;
    bool any = always;
    for (int d = 0; d < 7; d++) {
        char buf[12];
        cal_format_hours(cal.week[d], buf);
        k.hours[d] = buf[0] ? arena_strdup(r->ar, buf) : NULL;
        any = any || buf[0];
    }
    if (!any)
        return refuse(r, ERR_INVALID, "hours: at least one day must have office hours");
    e = store_calendar_put(app->store, &k, clock_now());
    if (e != ERR_OK)
        return e;
    log_info("sla", "event=calendar_set agency_id=%lld user_id=%lld", (long long)ag.id,
             (long long)r->user.id);
    return h_calendar_get(app, r);
}

err_t h_holiday_add(app_t *app, req_t *r)
{
    store_agency ag;
    json_t *body;
    const char *date = NULL, *name = NULL, *kind = NULL;
    bool national = false;
    int32_t day;
    ag = r->scope.agency; /* the role checked by the router */
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "date", &date);
    if (e == ERR_OK)
        e = jfield_str(r, body, "name", &name);
    if (e == ERR_OK)
        e = jfield_str(r, body, "kind", &kind);
    if (e == ERR_OK)
        e = jfield_bool(r, body, "national", &national);
    if (e != ERR_OK)
        return e;
    if (!date || cal_parse_date(date, &day) != 0)
        return refuse(r, ERR_INVALID, "date: required, YYYY-MM-DD");
    const char *p;
    size_t len = name ? text_trim(name, &p) : 0;
    const char *trimmed = len ? arena_strndup(r->ar, p, len) : NULL;
    if (!trimmed || text_utf8_len(trimmed) > HOLIDAY_NAME_MAX)
        return refuse(r, ERR_INVALID, "name: required, at most 120 characters");
    if (!kind)
        kind = national ? "national" : "local";
    if (strcmp(kind, "national") && strcmp(kind, "cuti_bersama") && strcmp(kind, "local"))
        return refuse(r, ERR_INVALID, "kind: national, cuti_bersama or local");
    if (national && !actor_is_superadmin(&r->actor))
        return refuse(r, ERR_FORBIDDEN, "only a superadmin may change the national holidays");
    char canon[11];
    cal_format_date(day, canon);
    store_holiday h = {0, national ? 0 : ag.id, canon, trimmed, kind};
    e = store_holiday_put(app->store, &h, clock_now());
    if (e != ERR_OK)
        return e;
    log_info("sla", "event=holiday_set agency_id=%lld national=%d user_id=%lld", (long long)ag.id,
             national, (long long)r->user.id);
    return reply_json(r, 201,
                      json_pack("{s:s, s:s, s:s, s:s}", "date", canon, "name", trimmed, "kind",
                                kind, "scope", national ? "national" : "agency"));
}

err_t h_holiday_delete(app_t *app, req_t *r)
{
    store_agency ag;
    const char *date = NULL, *national = NULL;
    int32_t day;
    ag = r->scope.agency; /* the role checked by the router */
    err_t e = req_query(r, "date", &date);
    if (e == ERR_OK)
        e = req_query(r, "national", &national);
    if (e != ERR_OK)
        return e;
    if (!date || cal_parse_date(date, &day) != 0)
        return refuse(r, ERR_INVALID, "date: required, YYYY-MM-DD");
    bool nat = national && strcmp(national, "0") != 0 && strcmp(national, "false") != 0;
    if (nat && !actor_is_superadmin(&r->actor))
        return refuse(r, ERR_FORBIDDEN, "only a superadmin may change the national holidays");
    char canon[11];
    cal_format_date(day, canon);
    e = store_holiday_delete(app->store, nat ? 0 : ag.id, canon);
    if (e == ERR_NOT_FOUND)
        r->detail = "no such holiday on that date";
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200, json_pack("{s:s, s:b}", "deleted", canon, "national", nat));
}

/* ---- policies -------------------------------------------------------------- */

static json_t *policy_json(const store_category *k, const sla_policy *p, bool custom)
{
    const sla_dur *steps[STORE_SLA_STEPS] = {&p->verify, &p->dispatch, &p->action, &p->resolve,
                                             &p->autoclose};
    json_t *j = json_pack("{s:I, s:s, s:s, s:i, s:i}", "category_id", (json_int_t)k->id, "kind",
                          k->kind, "source", custom ? "category" : "default", "cap_days",
                          p->cap_days, "due_soon_pct", p->soon_pct);
    for (int i = 0; j && i < STORE_SLA_STEPS; i++)
        json_object_set_new(j, step_keys[i],
                            json_pack("{s:i, s:s}", "amount", (int)steps[i]->amount, "unit",
                                      sla_unit_name(steps[i]->unit)));
    return j;
}

err_t h_policy_get(app_t *app, req_t *r)
{
    store_category k;
    sla_policy p;
    bool custom;
    k = r->scope.category; /* the role checked by the router */
    err_t e = deadline_policy(app->store, r->ar, k.id, &p, &custom);
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200, policy_json(&k, &p, custom));
}

/* One step of a policy body: {"amount": N, "unit": "..."}. */
static err_t parse_step(req_t *r, json_t *v, const char *key, sla_dur *out)
{
    json_t *a = json_object_get(v, "amount"), *u = json_object_get(v, "unit");
    int unit = json_is_string(u) ? sla_unit_parse(json_string_value(u)) : -1;
    if (!json_is_object(v) || !json_is_integer(a) || json_integer_value(a) < 0 ||
        json_integer_value(a) > SLA_AMOUNT_MAX || unit < 0 || json_object_size(v) != 2)
        return refuse(
            r, ERR_INVALID,
            arena_printf(r->ar,
                         msg_lang(r->lang, "%s: expected {\"amount\": 0..%d, \"unit\": seconds, "
                                           "minutes, hours, days, work_minutes, work_hours or "
                                           "work_days}"),
                         key, SLA_AMOUNT_MAX));
    *out = (sla_dur){(int32_t)json_integer_value(a), (sla_unit)unit};
    return ERR_OK;
}

err_t h_policy_set(app_t *app, req_t *r)
{
    store_category k;
    sla_policy p;
    bool custom;
    json_t *body, *v;
    const char *key;
    k = r->scope.category; /* the role checked by the router */
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = deadline_policy(app->store, r->ar, k.id, &p, &custom);
    if (e != ERR_OK)
        return e;
    sla_dur *steps[STORE_SLA_STEPS] = {&p.verify, &p.dispatch, &p.action, &p.resolve, &p.autoclose};
    json_object_foreach(body, key, v)
    {
        int step = -1;
        for (int i = 0; i < STORE_SLA_STEPS; i++)
            if (strcmp(key, step_keys[i]) == 0)
                step = i;
        if (step >= 0) {
            e = parse_step(r, v, key, steps[step]);
        } else if (strcmp(key, "cap_days") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 3660)
                e = refuse(r, ERR_INVALID, "cap_days: expected 0 (none) to 3660");
            else
                p.cap_days = (int)json_integer_value(v);
        } else if (strcmp(key, "due_soon_pct") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 99)
                e = refuse(r, ERR_INVALID, "due_soon_pct: expected 1 to 99");
            else
                p.soon_pct = (int)json_integer_value(v);
        } else {
            e = refuse(r, ERR_INVALID,
                       arena_printf(r->ar, msg_lang(r->lang, "%s: unknown field"), key));
        }
        if (e != ERR_OK)
            return e;
    }
    store_sla_policy sp = {k.id, {0}, {0}, p.cap_days, p.soon_pct, 0};
    for (int i = 0; i < STORE_SLA_STEPS; i++) {
        sp.amount[i] = steps[i]->amount;
        sp.unit[i] = sla_unit_name(steps[i]->unit);
    }
    e = store_sla_policy_put(app->store, &sp, clock_now());
    if (e != ERR_OK)
        return e;
    log_info("sla", "event=policy_set category_id=%lld user_id=%lld", (long long)k.id,
             (long long)r->user.id);
    return reply_json(r, 200, policy_json(&k, &p, true));
}

/* ---- what needs attention -------------------------------------------------- */

#define ATTENTION_MAX 200

err_t h_sla_attention(app_t *app, req_t *r)
{
    /* ?agency= and the role there (the desk and leadership): the router. */
    const store_agency ag = r->scope.agency;
    int64_t agency = ag.id;
    const char *want = NULL;
    store_sla_case *rows;
    size_t n;
    err_t e = req_query(r, "state", &want);
    if (e != ERR_OK)
        return e;
    if (want && strcmp(want, "overdue") != 0 && strcmp(want, "due_soon") != 0)
        return refuse(r, ERR_INVALID, "state: overdue or due_soon");
    int64_t now = clock_now();
    e = store_sla_attention(app->store, r->ar, agency, now, ATTENTION_MAX, &rows, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        const store_sla_case *k = &rows[i];
        int stage = sla_stage_parse(k->sla_stage);
        const char *state = sla_state_name(sla_state_at(
            stage > 0 ? (sla_stage)stage : SLA_STAGE_NONE, k->sla_soon_at, k->sla_due_at, now));
        if (!state || (want && strcmp(want, state) != 0))
            continue;
        char shown[IDS_SHOWN_BUF];
        ids_tracking_format(k->tracking_code, shown);
        json_array_append_new(items,
                              json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id",
                                        (json_int_t)k->id, "tracking_code", shown, "kind", k->kind,
                                        "status", k->status, "stage", k->sla_stage, "sla_state",
                                        state, "due_at", json_time(k->sla_due_at), "resolve_due_at",
                                        json_time(k->sla_resolve_due_at), "escalation",
                                        escalation_name(k->sla_level)));
    }
    return reply_json(r, 200,
                      json_pack("{s:I, s:o}", "agency_id", (json_int_t)agency, "items", items));
}

/* The dispatch API (issue #6): suggestions, the duty roster, duplicates,
 * forwarding categories, and the dispatch figures of a case. */
#include "http/http.h"

#include "channels/staff.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/proc.h"
#include "core/text.h"
#include "domain/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A dated shift longer than this is a mistake (a weekly shift is meant). */
#define SHIFT_MAX_SECONDS (31 * 24 * 3600)

/* The desk of an agency: superadmin, its admin or its supervisor. */
static bool desk_of(const req_t *r, int64_t agency_id)
{
    int role = actor_role(&r->actor, agency_id);
    return role == ROLE_SUPERADMIN || role == ROLE_ADMIN || role == ROLE_SUPERVISOR;
}

static json_t *seconds_between(int64_t from, int64_t to)
{
    return from && to ? json_integer((json_int_t)(to - from)) : json_null();
}

json_t *dispatch_case_json(app_t *app, req_t *r, const store_case *c)
{
    store_dispatch_info d;
    if (store_dispatch_get(app->store, r->ar, c->id, &d) != ERR_OK)
        return json_null();
    json_t *j = json_pack(
        "{s:i, s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o, s:i}", "alert_round", d.alert_round,
        "alert_at", json_time(d.alert_at), "accepted_by",
        d.accepted_by
            ? json_pack("{s:I, s:s?}", "id", (json_int_t)d.accepted_by, "name", d.accepted_name)
            : json_null(),
        "accepted_at", json_time(d.accepted_at), "on_site_at", json_time(d.on_site_at),
        "response_seconds", "to_accept", seconds_between(c->created_at, d.accepted_at),
        "to_on_site", seconds_between(c->created_at, d.on_site_at), "duplicate_of",
        id_or_null(d.duplicate_of), "follows", id_or_null(d.follows_id), "followers", d.followers);
    if (j)
        json_object_set_new(j, "community_group",
                            d.group_id ? json_pack("{s:I, s:s?}", "id", (json_int_t)d.group_id,
                                                   "name", d.group_name)
                                       : json_null());
    return j;
}

err_t dispatch_after_create(app_t *app, req_t *r, store_case *c)
{
    /* The rules were queued with the case (store_case_open): run them now
     * so that the answer shows their outcome; if this process dies first,
     * the worker runs them after the restart. */
    proc_test_crash("case_commit");
    bool changed = false;
    err_t e = jobs_case_rules_now(app->cfg, app->store, r->ar, c->id, clock_now(), &changed);
    if (e != ERR_OK)
        log_warn("dispatch", "event=case_created_hook_failed case_id=%lld error=%s",
                 (long long)c->id, err_code(e));
    if (changed) {
        jobs_notify(app->jobs); /* alerts wait in the outbox */
        return store_case_get(app->store, r->ar, c->id, c);
    }
    return ERR_OK;
}

void dispatch_after_transition(app_t *app, req_t *r, const store_transition *t)
{
    if (strcmp(t->action, "dispatch") != 0)
        return;
    err_t e = staff_case_dispatched(app->cfg, app->store, r->ar, t->case_id, t->now);
    if (e != ERR_OK)
        log_warn("dispatch", "event=dispatch_hook_failed case_id=%lld error=%s",
                 (long long)t->case_id, err_code(e));
    jobs_notify(app->jobs);
}

/* ---- suggestions -------------------------------------------------------------- */

err_t h_dispatch_suggestions(app_t *app, req_t *r)
{
    const store_case c = r->scope.kase; /* the desk's: checked by the router */
    dispatch_option *o;
    size_t n = 0;
    err_t e = dispatch_options(app->store, r->ar, &c, clock_now(), &o, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:o, s:o, s:i, s:i, s:b}", "team_id", (json_int_t)o[i].team_id,
                      "team_name", o[i].team_name, "base",
                      o[i].has_base
                          ? json_pack("{s:f, s:f}", "lat", o[i].base_lat, "lon", o[i].base_lon)
                          : json_null(),
                      "distance_m",
                      o[i].distance_m >= 0 ? json_integer((json_int_t)(o[i].distance_m + 0.5))
                                           : json_null(),
                      "on_duty", o[i].on_duty, "reachable", o[i].reachable, "suggested",
                      i == 0 && o[i].on_duty > 0));
    return reply_json(r, 200,
                      json_pack("{s:I, s:o, s:o}", "case_id", (json_int_t)c.id, "location",
                                c.has_location ? json_pack("{s:f, s:f}", "lat", c.lat, "lon", c.lon)
                                               : json_null(),
                                "items", items));
}

/* ---- the duty roster ------------------------------------------------------------ */

static json_t *minutes_json(int m)
{
    char buf[16];
    unsigned u = m < 0 ? 0 : m > 1440 ? 1440 : (unsigned)m;
    snprintf(buf, sizeof buf, "%02u:%02u", u / 60, u % 60);
    return json_string(buf);
}

static json_t *duty_json(const store_duty *d, int64_t now, int tz)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:b, s:s?}", "id", (json_int_t)d->id,
                          "team_id", (json_int_t)d->team_id, "team_name", d->team_name, "user_id",
                          (json_int_t)d->user_id, "login", d->user_login, "name", d->user_name,
                          "on_duty_now", dispatch_on_duty(d, now, tz), "mobile", d->user_mobile);
    if (!j)
        return NULL;
    if (d->weekday >= 0) {
        json_object_set_new(j, "weekday", json_integer(d->weekday));
        json_object_set_new(j, "start", minutes_json(d->start_minute));
        json_object_set_new(j, "end", minutes_json(d->end_minute));
    } else {
        json_object_set_new(j, "starts_at", json_time(d->starts_at));
        json_object_set_new(j, "ends_at", json_time(d->ends_at));
    }
    return j;
}

err_t h_duty_list(app_t *app, req_t *r)
{
    store_duty *d;
    size_t n = 0;
    const store_agency a = r->scope.agency; /* ?agency=, checked by the router */
    int64_t agency = a.id;
    err_t e = store_duty_list(app->store, r->ar, agency, &d, &n);
    if (e != ERR_OK)
        return e;
    int64_t now = clock_now();
    int tz = dispatch_tz_offset(a.timezone);
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items, duty_json(&d[i], now, tz));
    return reply_json(r, 200,
                      json_pack("{s:I, s:s, s:o}", "agency_id", (json_int_t)agency, "timezone",
                                a.timezone, "items", items));
}

/* "HH:MM" into minutes after midnight; "24:00" only as an end. */
static int parse_hhmm(const char *s, bool end)
{
    unsigned h, m;
    char tail;
    if (!s || sscanf(s, "%2u:%2u%c", &h, &m, &tail) != 2 || strlen(s) != 5 || m > 59)
        return -1;
    if (h > 24 || (h == 24 && (m || !end)))
        return -1;
    return (int)(h * 60 + m);
}

static err_t duty_fields(req_t *r, json_t *body, store_duty *d)
{
    const char *start = NULL, *end = NULL, *from = NULL, *to = NULL;
    json_t *wd = json_object_get(body, "weekday");
    err_t e = jfield_id(r, body, "team_id", &d->team_id);
    if (e == ERR_OK)
        e = jfield_id(r, body, "user_id", &d->user_id);
    if (e == ERR_OK)
        e = jfield_str(r, body, "start", &start);
    if (e == ERR_OK)
        e = jfield_str(r, body, "end", &end);
    if (e == ERR_OK)
        e = jfield_str(r, body, "starts_at", &from);
    if (e == ERR_OK)
        e = jfield_str(r, body, "ends_at", &to);
    if (e != ERR_OK)
        return e;
    if (!d->team_id || !d->user_id)
        return refuse(r, ERR_INVALID, "team_id and user_id: required");
    bool weekly = wd && !json_is_null(wd);
    if (weekly == (from || to))
        return refuse(r, ERR_INVALID,
                      "give either weekday, start and end (weekly) or starts_at and ends_at");
    if (weekly) {
        if (!json_is_integer(wd) || json_integer_value(wd) < 0 || json_integer_value(wd) > 6)
            return refuse(r, ERR_INVALID, "weekday: 0 (Sunday) to 6 (Saturday)");
        d->weekday = (int)json_integer_value(wd);
        d->start_minute = parse_hhmm(start, false);
        d->end_minute = parse_hhmm(end, true);
        if (d->start_minute < 0 || d->end_minute < 0)
            return refuse(r, ERR_INVALID, "start and end: required, HH:MM (end may be 24:00)");
        if (d->start_minute == d->end_minute)
            return refuse(r, ERR_INVALID, "start and end: must differ (00:00-24:00 is all day)");
        return ERR_OK;
    }
    d->weekday = -1;
    if (!from || !to || clock_parse(from, 0, &d->starts_at) != 0 ||
        clock_parse(to, 0, &d->ends_at) != 0)
        return refuse(r, ERR_INVALID, "starts_at and ends_at: RFC 3339 times, both required");
    if (d->ends_at <= d->starts_at || d->ends_at - d->starts_at > SHIFT_MAX_SECONDS)
        return refuse(r, ERR_INVALID, "ends_at: after starts_at, at most 31 days later");
    return ERR_OK;
}

err_t h_duty_add(app_t *app, req_t *r)
{
    json_t *body;
    store_duty d;
    store_team t;
    memset(&d, 0, sizeof d);
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = duty_fields(r, body, &d);
    if (e != ERR_OK)
        return e;
    e = store_team_get(app->store, r->ar, d.team_id, &t);
    if (e == ERR_NOT_FOUND)
        return refuse(r, ERR_INVALID, "team_id: unknown team");
    if (e != ERR_OK)
        return e;
    if (!desk_of(r, t.agency_id))
        return refuse(r, ERR_FORBIDDEN, "only the team's agency desk may change its roster");
    e = store_team_has_member(app->store, d.team_id, d.user_id);
    if (e == ERR_NOT_FOUND)
        return refuse(r, ERR_INVALID, "user_id: not a member of this team");
    int64_t id = 0;
    if (e == ERR_OK)
        e = store_duty_add(app->store, &d, clock_now(), &id);
    if (e != ERR_OK)
        return e;
    log_info("dispatch", "event=duty_added id=%lld team_id=%lld user_id=%lld by=%lld",
             (long long)id, (long long)d.team_id, (long long)d.user_id, (long long)r->user.id);
    store_duty *all;
    size_t n = 0;
    e = store_duty_list(app->store, r->ar, t.agency_id, &all, &n);
    if (e != ERR_OK)
        return e;
    store_agency a;
    int tz = store_agency_get(app->store, r->ar, t.agency_id, &a) == ERR_OK
                 ? dispatch_tz_offset(a.timezone)
                 : 0;
    for (size_t i = 0; i < n; i++)
        if (all[i].id == id)
            return reply_json(r, 201, duty_json(&all[i], clock_now(), tz));
    return ERR_INTERNAL;
}

err_t h_duty_delete(app_t *app, req_t *r)
{
    store_duty *all;
    size_t n = 0;
    err_t e = store_duty_list(app->store, r->ar, 0, &all, &n);
    if (e != ERR_OK)
        return e;
    for (size_t i = 0; i < n; i++) {
        if (all[i].id != r->path_id)
            continue;
        if (!desk_of(r, all[i].agency_id))
            return refuse(r, ERR_FORBIDDEN, "only the team's agency desk may change its roster");
        e = store_duty_delete(app->store, all[i].agency_id, r->path_id);
        if (e == ERR_OK)
            log_info("dispatch", "event=duty_deleted id=%lld by=%lld", (long long)r->path_id,
                     (long long)r->user.id);
        return e == ERR_OK ? reply_json(r, 200, json_pack("{s:b}", "deleted", 1)) : e;
    }
    return refuse(r, ERR_NOT_FOUND, "no such shift");
}

/* ---- duplicates ----------------------------------------------------------------- */

err_t case_merge_into(app_t *app, req_t *r, const store_case *c, int64_t master_id,
                      const char *note)
{
    store_case m;
    store_dispatch_info dc, dm;
    if (!master_id)
        return refuse(r, ERR_INVALID, "master_id: required");
    if (master_id == c->id)
        return refuse(r, ERR_INVALID, "master_id: a case cannot follow itself");
    err_t e = store_case_get(app->store, r->ar, master_id, &m);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && m.agency_id != c->agency_id))
        return refuse(r, ERR_INVALID, "master_id: not a case of this agency");
    if (e == ERR_OK)
        e = store_dispatch_get(app->store, r->ar, c->id, &dc);
    if (e == ERR_OK)
        e = store_dispatch_get(app->store, r->ar, m.id, &dm);
    if (e != ERR_OK)
        return e;
    if (dm.follows_id)
        return refuse(r, ERR_INVALID, "master_id: that case follows another; merge into that one");
    if (dc.followers)
        return refuse(r, ERR_CONFLICT, "other cases follow this one; split them first");
    if (note && text_utf8_len(note) > CASE_NOTE_MAX)
        return refuse(r, ERR_INVALID, "note: at most 2000 characters");
    char shown[IDS_SHOWN_BUF];
    ids_tracking_format(m.tracking_code, shown);
    e = store_case_link(app->store, c->id, m.id, m.id, "merge", r->user.id,
                        note ? note : arena_printf(r->ar, "Digabung ke laporan %s", shown),
                        clock_now());
    if (e != ERR_OK)
        return e;
    log_info("case", "event=merged case_id=%lld master_id=%lld user_id=%lld", (long long)c->id,
             (long long)m.id, (long long)r->user.id);
    return ERR_OK;
}

err_t h_case_merge(app_t *app, req_t *r)
{
    json_t *body;
    int64_t master_id = 0;
    const char *note = NULL;
    const store_case c = r->scope.kase; /* the desk's: checked by the router */
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "master_id", &master_id);
    if (e == ERR_OK)
        e = jfield_str(r, body, "note", &note);
    if (e == ERR_OK)
        e = case_merge_into(app, r, &c, master_id, note);
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200,
                      json_pack("{s:I, s:o}", "id", (json_int_t)c.id, "dispatch",
                                dispatch_case_json(app, r, &c)));
}

err_t h_case_split(app_t *app, req_t *r)
{
    const store_case c = r->scope.kase; /* the desk's: checked by the router */
    store_dispatch_info d;
    err_t e = store_dispatch_get(app->store, r->ar, c.id, &d);
    if (e != ERR_OK)
        return e;
    if (!d.follows_id && !d.duplicate_of)
        return refuse(r, ERR_CONFLICT, "the case is neither a duplicate nor a follower");
    e = store_case_link(app->store, c.id, 0, 0, "split", r->user.id,
                        "Dipisahkan: bukan kejadian yang sama", clock_now());
    if (e != ERR_OK)
        return e;
    log_info("case", "event=split case_id=%lld user_id=%lld", (long long)c.id,
             (long long)r->user.id);
    return reply_json(r, 200,
                      json_pack("{s:I, s:o}", "id", (json_int_t)c.id, "dispatch",
                                dispatch_case_json(app, r, &c)));
}

/* ---- forwarding categories -------------------------------------------------------- */

err_t h_category_forward(app_t *app, req_t *r)
{
    json_t *body;
    int64_t to = 0;
    store_category k, t;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "to_category_id", &to);
    if (e != ERR_OK)
        return e;
    e = store_category_get(app->store, r->ar, r->path_id, &k);
    if (e != ERR_OK)
        return e;
    if (to) {
        e = store_category_get(app->store, r->ar, to, &t);
        if (e == ERR_NOT_FOUND || (e == ERR_OK && (t.agency_id == k.agency_id || !t.active)))
            return refuse(r, ERR_INVALID,
                          "to_category_id: an active category of another agency, or null");
        if (e != ERR_OK)
            return e;
    }
    e = store_category_set_forward(app->store, k.id, to);
    if (e != ERR_OK)
        return e;
    log_info("dispatch", "event=category_forward category_id=%lld to=%lld user_id=%lld",
             (long long)k.id, (long long)to, (long long)r->user.id);
    return reply_json(r, 200,
                      json_pack("{s:I, s:o}", "id", (json_int_t)k.id, "forward_category_id",
                                to ? json_integer((json_int_t)to) : json_null()));
}

/* ---- community reporter groups ---------------------------------------------------- */

/* Longest group name: an association's full name. */
#define GROUP_NAME_MAX 120

static json_t *group_json(const store_group *g)
{
    return json_pack("{s:I, s:I, s:s, s:b, s:i, s:{s:i, s:i, s:i}}", "id", (json_int_t)g->id,
                     "agency_id", (json_int_t)g->agency_id, "name", g->name, "skip_verification",
                     g->skip_verification, "members", g->members, "cases", "total", g->cases,
                     "open", g->open_cases, "resolved", g->resolved_cases);
}

/* The agency of a request: ?agency= / agency_id, else the user's only one. */
static err_t which_agency(req_t *r, int64_t given, int64_t *out)
{
    *out = given ? given : actor_single_agency(&r->actor);
    if (!*out)
        return refuse(r, ERR_INVALID, "agency: required (you work in several agencies)");
    if (actor_role(&r->actor, *out) < 0)
        return refuse(r, ERR_FORBIDDEN, "agency: you have no role in this agency");
    return ERR_OK;
}

err_t h_groups_list(app_t *app, req_t *r)
{
    int64_t agency = r->scope.agency_id; /* ?agency=, checked by the router */
    store_group *g;
    size_t n = 0;
    err_t e = store_group_list(app->store, r->ar, agency, &g, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items, group_json(&g[i]));
    return reply_json(r, 200,
                      json_pack("{s:I, s:o}", "agency_id", (json_int_t)agency, "items", items));
}

err_t h_group_create(app_t *app, req_t *r)
{
    json_t *body;
    store_group g;
    const char *name = NULL;
    memset(&g, 0, sizeof g);
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "agency_id", &g.agency_id);
    if (e == ERR_OK)
        e = jfield_str(r, body, "name", &name);
    if (e == ERR_OK)
        e = jfield_bool(r, body, "skip_verification", &g.skip_verification);
    if (e == ERR_OK)
        e = which_agency(r, g.agency_id, &g.agency_id);
    if (e != ERR_OK)
        return e;
    if (!desk_of(r, g.agency_id))
        return refuse(r, ERR_FORBIDDEN, "only the agency's desk may register groups");
    const char *p;
    size_t len = name ? text_trim(name, &p) : 0;
    if (!len || text_utf8_len(arena_strndup(r->ar, p, len)) > GROUP_NAME_MAX)
        return refuse(r, ERR_INVALID, "name: required, at most 120 characters");
    g.name = arena_strndup(r->ar, p, len);
    int64_t id = 0;
    e = store_group_create(app->store, &g, clock_now(), &id);
    if (e == ERR_CONFLICT)
        return refuse(r, ERR_CONFLICT, "name: the agency already has a group of that name");
    if (e == ERR_OK)
        e = store_group_get(app->store, r->ar, id, &g);
    if (e != ERR_OK)
        return e;
    log_info("dispatch", "event=group_created id=%lld agency_id=%lld by=%lld", (long long)id,
             (long long)g.agency_id, (long long)r->user.id);
    return reply_json(r, 201, group_json(&g));
}

/* Adds (remove false) or removes a member: body {"phone", "name"}. */
static err_t group_member(app_t *app, req_t *r, bool remove)
{
    json_t *body;
    store_group g;
    const char *phone = NULL, *name = NULL;
    char norm[24];
    bool mobile = false;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "phone", &phone);
    if (e == ERR_OK)
        e = jfield_str(r, body, "name", &name);
    if (e != ERR_OK)
        return e;
    g = r->scope.group; /* the desk's: checked by the router */
    if (!phone || text_phone_normalize(phone, norm, sizeof norm, &mobile) != 0 || !mobile)
        return refuse(r, ERR_INVALID, "phone: an Indonesian mobile (WhatsApp) number");
    if (name && text_utf8_len(name) > CASE_NAME_MAX)
        return refuse(r, ERR_INVALID, "name: at most 120 characters");
    e = remove ? store_group_member_remove(app->store, g.id, norm)
               : store_group_member_add(app->store, g.id, norm, name, clock_now());
    if (e == ERR_NOT_FOUND && remove)
        return refuse(r, ERR_NOT_FOUND, "phone: not a member of this group");
    if (e == ERR_OK)
        e = store_group_get(app->store, r->ar, g.id, &g);
    if (e != ERR_OK)
        return e;
    log_info("dispatch", "event=group_member_%s group_id=%lld by=%lld",
             remove ? "removed" : "added", (long long)g.id, (long long)r->user.id);
    return reply_json(r, 200, group_json(&g));
}

err_t h_group_member_add(app_t *app, req_t *r) { return group_member(app, r, false); }
err_t h_group_member_remove(app_t *app, req_t *r) { return group_member(app, r, true); }

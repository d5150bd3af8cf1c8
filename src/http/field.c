/* What a field officer sees (issue 13): the cases dispatched to their own
 * teams and the open emergencies of their agency, the reporter's phone
 * only while their team holds the case, and their day on one card (GET
 * /api/v1/me/tasks: the tasks with the dispatch instruction, and what
 * their teams resolved today). Every route that shows a case asks
 * case_access(); the case list gets the same scope in its SQL. */
#include "http/http.h"

#include "core/clock.h"
#include "core/ids.h"
#include "domain/calendar.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Active tasks listed per team and status; more is a backlog no phone
 * card should show at once. */
#define TASKS_PER_STATUS 100
/* Resolutions of the day listed per team. */
#define RESOLVED_MAX 50

const char *tr(const req_t *r, const char *id, const char *en)
{
    return strcmp(r->lang, "en") == 0 ? en : id;
}

/* The user's teams, read once per request. */
static err_t load_teams(app_t *app, req_t *r)
{
    if (r->teams_loaded)
        return ERR_OK;
    err_t e = store_user_teams(app->store, r->ar, r->user.id, &r->teams, &r->nteams);
    if (e == ERR_OK)
        r->teams_loaded = true;
    return e;
}

static bool my_team(const req_t *r, int64_t team_id)
{
    for (size_t i = 0; team_id && i < r->nteams; i++)
        if (r->teams[i] == team_id)
            return true;
    return false;
}

/* Not resolved, closed, rejected or forwarded (as the duplicate check
 * counts them). */
static bool open_status(const char *s)
{
    return strcmp(s, "resolved") && strcmp(s, "closed") && strcmp(s, "rejected") &&
           strcmp(s, "forwarded");
}

/* Closed for the team: its work on the case is over. */
static bool finished(const char *s)
{
    return !strcmp(s, "closed") || !strcmp(s, "rejected") || !strcmp(s, "forwarded");
}

err_t case_access(app_t *app, req_t *r, const store_case *c)
{
    int role = actor_role(&r->actor, c->agency_id);
    if (role < 0) {
        r->detail = tr(r, "kasus ini milik instansi lain", "this case belongs to another agency");
        return ERR_FORBIDDEN;
    }
    if (role != ROLE_FIELD)
        return ERR_OK;
    err_t e = load_teams(app, r);
    if (e != ERR_OK)
        return e;
    if (my_team(r, c->team_id) || (strcmp(c->kind, "emergency") == 0 && open_status(c->status)))
        return ERR_OK;
    r->detail =
        tr(r, "petugas lapangan hanya melihat kasus tim sendiri dan kejadian darurat terbuka",
           "a field officer sees only the cases of their own teams and open emergencies");
    return ERR_FORBIDDEN;
}

bool case_personal(app_t *app, req_t *r, const store_case *c)
{
    int role = actor_role(&r->actor, c->agency_id);
    if (role < 0 || role == ROLE_VIEWER)
        return false;
    if (role != ROLE_FIELD)
        return true;
    return load_teams(app, r) == ERR_OK && my_team(r, c->team_id) && !finished(c->status);
}

bool field_role_in(const req_t *r, int64_t agency_id)
{
    return actor_role(&r->actor, agency_id) == ROLE_FIELD;
}

err_t field_filter(app_t *app, req_t *r, store_case_filter *f)
{
    int64_t *agencies = NULL;
    size_t n = 0;
    for (size_t i = 0; i < r->nroles; i++) {
        if (r->roles[i].agency_id == 0 || !field_role_in(r, r->roles[i].agency_id))
            continue;
        if (!agencies && !(agencies = arena_alloc(r->ar, r->nroles * sizeof *agencies)))
            return ERR_NOMEM;
        agencies[n++] = r->roles[i].agency_id;
    }
    if (!n)
        return ERR_OK;
    err_t e = load_teams(app, r);
    if (e != ERR_OK)
        return e;
    if (n > STORE_FIELD_MAX || r->nteams > STORE_FIELD_MAX) {
        r->detail = "too many agencies or teams for one list";
        return ERR_INTERNAL;
    }
    if (f->team_id && !my_team(r, f->team_id)) {
        store_team t;
        e = store_team_get(app->store, r->ar, f->team_id, &t);
        if (e == ERR_OK && field_role_in(r, t.agency_id)) {
            r->detail = tr(r, "team: Anda bukan anggota tim ini", "team: you are not in this team");
            return ERR_FORBIDDEN;
        }
        if (e != ERR_OK && e != ERR_NOT_FOUND)
            return e;
    }
    f->field_agencies = agencies;
    f->nfield_agencies = n;
    f->field_teams = r->teams;
    f->nfield_teams = r->nteams;
    return ERR_OK;
}

/* ---- the field card -------------------------------------------------------- */

/* The kepala bidang's word to the team: the internal note of the case's
 * last dispatch (null when none was written). */
static json_t *instruction_json(app_t *app, req_t *r, int64_t case_id)
{
    store_event *ev;
    size_t n;
    if (store_case_events(app->store, r->ar, case_id, &ev, &n) != ERR_OK)
        return json_null();
    for (size_t i = n; i-- > 0;) {
        if (strcmp(ev[i].action, "dispatch") != 0)
            continue;
        if (!ev[i].note || !*ev[i].note)
            return json_null();
        return json_pack("{s:s, s:s?, s:o}", "note", ev[i].note, "by", ev[i].actor_name, "at",
                         json_time(ev[i].created_at));
    }
    return json_null();
}

/* The local day around now in the agency's time zone: [*from, *to). */
static void local_day(const char *tz, int64_t now, int64_t *from, int64_t *to, char date[11])
{
    int off = 0;
    if (cal_zone_offset(tz, &off) != 0) {
        /* A zone the calendar does not know: the deployment's own. */
        time_t t = (time_t)now;
        struct tm tm;
        localtime_r(&t, &tm);
        off = (int)(tm.tm_gmtoff / 60);
    }
    cal_t c;
    cal_default(&c, off);
    int32_t day = cal_day_of(&c, now);
    *from = (int64_t)day * 86400 - (int64_t)off * 60;
    *to = *from + 86400;
    cal_format_date(day, date);
}

static const char *const ACTIVE[] = {"dispatched", "in_progress", "reopened"};

static err_t team_tasks(app_t *app, req_t *r, const store_team *t, json_t *items)
{
    for (size_t s = 0; s < sizeof ACTIVE / sizeof ACTIVE[0]; s++) {
        store_case_filter f;
        store_case *cases;
        size_t n;
        memset(&f, 0, sizeof f);
        f.agency_id = t->agency_id;
        f.team_id = t->id;
        f.status = ACTIVE[s];
        f.limit = TASKS_PER_STATUS;
        err_t e = store_case_list(app->store, r->ar, &f, &cases, &n);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < n; i++) {
            json_t *j = case_json(&cases[i], case_personal(app, r, &cases[i]), r->lang);
            if (!j)
                return ERR_NOMEM;
            json_object_set_new(j, "instruction", instruction_json(app, r, cases[i].id));
            json_array_append_new(items, j);
        }
    }
    return ERR_OK;
}

static err_t team_resolved(app_t *app, req_t *r, const store_team *t, int64_t from, int64_t to,
                           json_t *out)
{
    store_resolved *v;
    size_t n;
    err_t e = store_team_resolved(app->store, r->ar, t->id, from, to, RESOLVED_MAX, &v, &n);
    if (e != ERR_OK)
        return e;
    bool en = strcmp(r->lang, "en") == 0;
    for (size_t i = 0; i < n; i++) {
        char shown[IDS_SHOWN_BUF];
        ids_tracking_format(v[i].tracking_code, shown);
        int st = status_parse(v[i].status);
        json_array_append_new(
            out, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:o, s:{s:I, s:s}}", "id",
                           (json_int_t)v[i].case_id, "tracking_code", shown, "kind", v[i].kind,
                           "status", v[i].status, "status_label",
                           st >= 0 ? status_label((case_status_t)st, r->lang) : v[i].status,
                           "category", en ? v[i].category_name_en : v[i].category_name_id,
                           "resolved_at", json_time(v[i].resolved_at), "team", "id",
                           (json_int_t)t->id, "name", t->name));
    }
    return ERR_OK;
}

static int by_urgency(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    bool ex = !strcmp(json_string_value(json_object_get(x, "kind")), "emergency");
    bool ey = !strcmp(json_string_value(json_object_get(y, "kind")), "emergency");
    if (ex != ey)
        return ex ? -1 : 1;
    json_int_t ix = json_integer_value(json_object_get(x, "id"));
    json_int_t iy = json_integer_value(json_object_get(y, "id"));
    return ix < iy ? 1 : ix > iy ? -1 : 0;
}

/* Sorts a JSON array of cases: emergencies first, then the newest. */
static json_t *sorted(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = n ? malloc(n * sizeof *v) : NULL;
    if (n && !v)
        return arr;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    if (n)
        qsort(v, n, sizeof *v, by_urgency);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
    return arr;
}

err_t h_my_tasks(app_t *app, req_t *r)
{
    err_t e = load_teams(app, r);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array(), *done = json_array(), *teams = json_array();
    json_t *j =
        json_pack("{s:o, s:o, s:o}", "items", items, "resolved_today", done, "teams", teams);
    if (!j)
        return ERR_NOMEM;
    int64_t now = clock_now();
    const char *today = NULL, *tz = NULL;
    for (size_t i = 0; e == ERR_OK && i < r->nteams; i++) {
        store_team t = {0};
        store_agency a;
        e = store_team_get(app->store, r->ar, r->teams[i], &t);
        if (e == ERR_OK)
            e = store_agency_get(app->store, r->ar, t.agency_id, &a);
        if (e == ERR_NOT_FOUND)
            e = ERR_OK; /* removed meanwhile */
        /* Skipped too: a member whose role in the team's agency was taken away. */
        if (e != ERR_OK || !t.id || actor_role(&r->actor, t.agency_id) < 0)
            continue;
        int64_t from, to;
        char date[11];
        local_day(a.timezone, now, &from, &to, date);
        if (!today) {
            today = arena_strdup(r->ar, date);
            tz = a.timezone;
        }
        json_array_append_new(teams, json_pack("{s:I, s:s, s:I}", "id", (json_int_t)t.id, "name",
                                               t.name, "agency_id", (json_int_t)t.agency_id));
        e = team_tasks(app, r, &t, items);
        if (e == ERR_OK)
            e = team_resolved(app, r, &t, from, to, done);
    }
    if (e != ERR_OK) {
        json_decref(j);
        return e;
    }
    sla_decorate(app, r, sorted(items));
    json_object_set_new(j, "today", today ? json_string(today) : json_null());
    json_object_set_new(j, "timezone", tz ? json_string(tz) : json_null());
    return reply_json(r, 200, j);
}

/* The activity report for leadership (LA-LISA's digital report of staff
 * activity, issue #6): per officer and per team, for a period, the cases
 * handled, response and resolution times and SLA breaches. JSON, or CSV
 * with ?format=csv.
 *
 * Definitions (docs/API.md):
 * - an officer handled a case when they changed its status in the period;
 *   their response time is the time from the case's previous status change
 *   to theirs; their resolution time, report to their "resolve";
 * - a team's cases are those assigned to it with activity in the period;
 *   its response time runs from dispatch to the first field action
 *   ("start"), its resolution time from the report to "resolve";
 * - a breach counts for the case's team and for every officer who acted
 *   on the case in the period. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

#define REPORT_SECONDS_MAX (366 * 86400)
#define CASE_OFFICERS_MAX  32

typedef struct {
    int64_t id;
    const char *name;
    int64_t cases, actions, resolved, breaches;
    int64_t response_sum, response_n, resolution_sum, resolution_n;
    int64_t last_case; /* the last case counted in cases */
} tally;

typedef struct {
    tally *v;
    size_t n, cap;
} tallies;

static tally *find(arena_t *ar, tallies *t, int64_t id, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].id == id)
            return &t->v[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        tally *v = arena_alloc(ar, cap * sizeof *v);
        if (!v)
            return NULL;
        if (t->n)
            memcpy(v, t->v, t->n * sizeof *v);
        t->v = v;
        t->cap = cap;
    }
    tally *x = &t->v[t->n++];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->name = name;
    return x;
}

static bool status_change(const store_activity_row *e)
{
    return e->from_status &&
           (strcmp(e->from_status, e->to_status) != 0 || strcmp(e->action, "dispatch") == 0);
}

typedef struct {
    tallies officers, teams;
    int64_t cases, resolved, breaches, events;
} report;

/* Folds the events of one case, rows[0..n), into the report. */
static void fold_case(arena_t *ar, report *rp, const store_activity_row *rows, size_t n,
                      int64_t from)
{
    tally *acted[CASE_OFFICERS_MAX];
    size_t nacted = 0;
    int64_t prev_change = 0, dispatched = 0, breaches = 0;
    bool started = false, any = false;
    tally *team = NULL;
    if (rows[0].team_id)
        team = find(ar, &rp->teams, rows[0].team_id, rows[0].team_name);
    for (size_t i = 0; i < n; i++) {
        const store_activity_row *e = &rows[i];
        bool in = e->created_at >= from, change = status_change(e);
        if (in) {
            any = true;
            rp->events++;
        }
        if (in && strcmp(e->action, "sla_breach") == 0)
            breaches++;
        if (in && change && e->actor_id) {
            tally *o = find(ar, &rp->officers, e->actor_id, e->actor_name);
            if (o) {
                if (o->last_case != e->case_id) {
                    o->last_case = e->case_id;
                    o->cases++;
                    if (nacted < CASE_OFFICERS_MAX)
                        acted[nacted++] = o;
                }
                o->actions++;
                if (prev_change) {
                    o->response_sum += e->created_at - prev_change;
                    o->response_n++;
                }
                if (strcmp(e->action, "resolve") == 0) {
                    o->resolved++;
                    o->resolution_sum += e->created_at - e->case_created_at;
                    o->resolution_n++;
                }
            }
        }
        if (change && strcmp(e->action, "dispatch") == 0 && !dispatched)
            dispatched = e->created_at;
        if (in && team && strcmp(e->action, "start") == 0 && dispatched && !started) {
            team->response_sum += e->created_at - dispatched;
            team->response_n++;
            team->actions++;
        }
        if (strcmp(e->action, "start") == 0)
            started = true;
        if (in && strcmp(e->action, "resolve") == 0) {
            rp->resolved++;
            if (team) {
                team->resolved++;
                team->resolution_sum += e->created_at - e->case_created_at;
                team->resolution_n++;
            }
        }
        if (change || !e->from_status)
            prev_change = e->created_at;
    }
    if (!any)
        return;
    rp->cases++;
    rp->breaches += breaches;
    if (team) {
        team->cases++;
        team->breaches += breaches;
    }
    for (size_t i = 0; i < nacted; i++)
        acted[i]->breaches += breaches;
}

static json_t *avg(int64_t sum, int64_t n) { return n ? json_integer(sum / n) : json_null(); }

static json_t *tally_json(const tally *t, bool officer)
{
    return json_pack("{s:I, s:s?, s:I, s:I, s:I, s:o, s:o, s:I}", officer ? "user_id" : "team_id",
                     (json_int_t)t->id, "name", t->name, "cases", (json_int_t)t->cases,
                     officer ? "actions" : "started", (json_int_t)t->actions, "resolved",
                     (json_int_t)t->resolved, "avg_response_seconds",
                     avg(t->response_sum, t->response_n), "avg_resolution_seconds",
                     avg(t->resolution_sum, t->resolution_n), "sla_breaches",
                     (json_int_t)t->breaches);
}

/* The CSV answer, built in one arena buffer that doubles as it fills. */
typedef struct {
    arena_t *ar;
    char *p;
    size_t len, cap;
    bool failed;
} csv_buf;

static void put(csv_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = arena_alloc(b->ar, cap);
        if (!q) {
            b->failed = true;
            return;
        }
        if (b->len)
            memcpy(q, b->p, b->len);
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* A text field: quoted, quotes doubled (RFC 4180); a leading = + - @ gets
 * a ' so that a spreadsheet does not run it as a formula. */
static void put_text(csv_buf *b, const char *s)
{
    const char *v = s ? s : "";
    put(b, "\"", 1);
    if (*v == '=' || *v == '+' || *v == '-' || *v == '@')
        put(b, "'", 1);
    for (; *v; v++) {
        if (*v == '"')
            put(b, "\"", 1); /* doubled */
        put(b, v, 1);
    }
    put(b, "\"", 1);
}

static void put_num(csv_buf *b, int64_t sum, int64_t n)
{
    char num[32];
    int k = n ? snprintf(num, sizeof num, ",%lld", (long long)(sum / n))
              : snprintf(num, sizeof num, ",");
    put(b, num, (size_t)k);
}

static void csv_rows(csv_buf *b, const char *kind, const tallies *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const tally *x = &t->v[i];
        char id[32];
        put_text(b, kind);
        put(b, id, (size_t)snprintf(id, sizeof id, ",%lld,", (long long)x->id));
        put_text(b, x->name);
        put_num(b, x->cases, 1);
        put_num(b, x->actions, 1);
        put_num(b, x->resolved, 1);
        put_num(b, x->response_sum, x->response_n);
        put_num(b, x->resolution_sum, x->resolution_n);
        put_num(b, x->breaches, 1);
        put(b, "\r\n", 2);
    }
}

static err_t reply_csv(req_t *r, const report *rp)
{
    static const char head[] = "type,id,name,cases,actions,resolved,avg_response_seconds,"
                               "avg_resolution_seconds,sla_breaches\r\n";
    csv_buf b = {r->ar, NULL, 0, 0, false};
    put(&b, head, sizeof head - 1);
    csv_rows(&b, "officer", &rp->officers);
    csv_rows(&b, "team", &rp->teams);
    if (b.failed)
        return ERR_NOMEM;
    r->status = 200;
    r->content_type = "text/csv; charset=utf-8";
    r->text = b.p;
    r->text_len = b.len;
    return ERR_OK;
}

static err_t period(req_t *r, int64_t *from, int64_t *to, bool *csv)
{
    const char *f = NULL, *t = NULL, *fmt = NULL;
    err_t e = req_query(r, "from", &f);
    if (e == ERR_OK)
        e = req_query(r, "to", &t);
    if (e == ERR_OK)
        e = req_query(r, "format", &fmt);
    if (e != ERR_OK)
        return e;
    /* Up to and including this second; the last 30 days by default. */
    *to = clock_now() + 1;
    *from = *to - 30 * 86400;
    if ((f && clock_parse(f, 0, from) != 0) || (t && clock_parse(t, 1, to) != 0)) {
        r->detail = "from/to: expected YYYY-MM-DD or an RFC 3339 time";
        return ERR_INVALID;
    }
    if (*to <= *from || *to - *from > REPORT_SECONDS_MAX) {
        r->detail = "from/to: from must be before to, at most 366 days apart";
        return ERR_INVALID;
    }
    if (fmt && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0) {
        r->detail = "format: json or csv";
        return ERR_INVALID;
    }
    *csv = fmt && strcmp(fmt, "csv") == 0;
    return ERR_OK;
}

err_t h_activity_report(app_t *app, req_t *r)
{
    /* ?agency= and the role there (the desk and leadership): the router. */
    const store_agency ag = r->scope.agency;
    int64_t agency = ag.id, from = 0, to = 0;
    bool csv = false, truncated = false;
    store_activity_row *rows;
    size_t n;
    report rp;
    memset(&rp, 0, sizeof rp);
    err_t e = period(r, &from, &to, &csv);
    if (e != ERR_OK)
        return e;
    e = store_activity_events(app->store, r->ar, agency, from, to, STORE_ACTIVITY_MAX, &rows, &n,
                              &truncated);
    if (e != ERR_OK)
        return e;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && rows[j].case_id == rows[i].case_id; j++)
            ;
        fold_case(r->ar, &rp, rows + i, j - i, from);
    }
    if (truncated)
        log_warn("sla", "event=report_truncated agency_id=%lld rows=%zu", (long long)agency, n);
    if (csv)
        return reply_csv(r, &rp);
    json_t *officers = json_array(), *teams = json_array();
    for (size_t i = 0; officers && i < rp.officers.n; i++)
        json_array_append_new(officers, tally_json(&rp.officers.v[i], true));
    for (size_t i = 0; teams && i < rp.teams.n; i++)
        json_array_append_new(teams, tally_json(&rp.teams.v[i], false));
    return reply_json(
        r, 200,
        json_pack("{s:{s:I, s:s}, s:o, s:o, s:{s:I, s:I, s:I, s:I}, s:o, s:o, s:b}", "agency", "id",
                  (json_int_t)ag.id, "name", ag.name, "from", json_time(from), "to", json_time(to),
                  "totals", "cases", (json_int_t)rp.cases, "resolved", (json_int_t)rp.resolved,
                  "sla_breaches", (json_int_t)rp.breaches, "events", (json_int_t)rp.events,
                  "officers", officers, "teams", teams, "truncated", truncated));
}

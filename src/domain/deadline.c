#include "domain/deadline.h"

#include "core/log.h"

#include <stdio.h>
#include <string.h>

/* The deployment's zone (Kalimantan Selatan, WITA) for an agency whose
 * zone is not an Indonesian one. */
#define FALLBACK_OFFSET 480

err_t deadline_calendar(store_t *s, arena_t *ar, int64_t agency_id, cal_t *out)
{
    store_agency ag;
    store_calendar k;
    store_holiday *h;
    size_t n;
    int offset = FALLBACK_OFFSET;
    err_t e = store_agency_get(s, ar, agency_id, &ag);
    if (e != ERR_OK)
        return e;
    if (cal_zone_offset(ag.timezone, &offset) != 0) {
        log_debug("sla", "event=zone_unknown agency_id=%lld", (long long)agency_id);
        offset = FALLBACK_OFFSET;
    }
    cal_default(out, offset);
    e = store_calendar_get(s, ar, agency_id, &k);
    if (e == ERR_OK) {
        out->always_open = k.always_open;
        for (int d = 0; d < 7; d++) {
            cal_hours hh = {0, 0};
            if (k.hours[d] && cal_parse_hours(k.hours[d], &hh) != 0)
                hh = (cal_hours){0, 0};
            out->week[d] = hh;
        }
    } else if (e != ERR_NOT_FOUND) {
        return e;
    }
    e = store_holiday_list(s, ar, agency_id, NULL, NULL, &h, &n);
    if (e != ERR_OK)
        return e;
    int32_t *days = arena_alloc(ar, sizeof *days * (n ? n : 1));
    if (!days)
        return ERR_NOMEM;
    size_t m = 0;
    /* Sorted by day already; the same day of the agency and the nation
     * is kept once. */
    for (size_t i = 0; i < n; i++) {
        int32_t d;
        if (cal_parse_date(h[i].day, &d) == 0 && (m == 0 || days[m - 1] != d))
            days[m++] = d;
    }
    out->holidays = days;
    out->nholidays = m;
    return ERR_OK;
}

/* The policy of the category; for a case of another kind than its
 * category's (case_kind >= 0: a registered reporter's urgent report in a
 * complaint category), the defaults of the case's kind. */
static err_t policy(store_t *s, arena_t *ar, int64_t category_id, int case_kind, sla_policy *out,
                    bool *custom)
{
    store_category k;
    store_sla_policy p;
    *custom = false;
    err_t e = store_category_get(s, ar, category_id, &k);
    if (e != ERR_OK)
        return e;
    int kind = kind_parse(k.kind);
    if (case_kind >= 0 && case_kind != kind) {
        sla_policy_default((case_kind_t)case_kind, 0, out);
        return ERR_OK;
    }
    sla_policy_default(kind < 0 ? KIND_COMPLAINT : (case_kind_t)kind, k.sla_hours, out);
    e = store_sla_policy_get(s, ar, category_id, &p);
    if (e == ERR_NOT_FOUND)
        return ERR_OK;
    if (e != ERR_OK)
        return e;
    *custom = true;
    sla_dur *steps[STORE_SLA_STEPS] = {&out->verify, &out->dispatch, &out->action, &out->resolve,
                                       &out->autoclose};
    for (int i = 0; i < STORE_SLA_STEPS; i++) {
        int u = sla_unit_parse(p.unit[i]);
        if (u >= 0 && p.amount[i] >= 0 && p.amount[i] <= SLA_AMOUNT_MAX)
            *steps[i] = (sla_dur){p.amount[i], (sla_unit)u};
    }
    out->cap_days = p.cap_days;
    out->soon_pct = p.soon_pct;
    return ERR_OK;
}

err_t deadline_policy(store_t *s, arena_t *ar, int64_t category_id, sla_policy *out, bool *custom)
{
    return policy(s, ar, category_id, -1, out, custom);
}

/* What a batch remembers of the policies and calendars it loaded: a
 * district has a few dozen categories and a handful of agencies, so a
 * batch of cases reads each once instead of once per case. */
#define MEMO_MAX 32

typedef struct {
    size_t npol, ncal;
    struct {
        int64_t category_id;
        int kind;
        sla_policy p;
    } pol[MEMO_MAX];
    struct {
        int64_t agency_id;
        cal_t cal;
    } cal[MEMO_MAX];
} memo_t;

static err_t memo_policy(memo_t *m, store_t *s, arena_t *ar, int64_t category_id, int kind,
                         sla_policy *out)
{
    bool custom;
    for (size_t i = 0; m && i < m->npol; i++)
        if (m->pol[i].category_id == category_id && m->pol[i].kind == kind) {
            *out = m->pol[i].p;
            return ERR_OK;
        }
    err_t e = policy(s, ar, category_id, kind, out, &custom);
    if (e == ERR_OK && m && m->npol < MEMO_MAX) {
        m->pol[m->npol].category_id = category_id;
        m->pol[m->npol].kind = kind;
        m->pol[m->npol++].p = *out;
    }
    return e;
}

static err_t memo_calendar(memo_t *m, store_t *s, arena_t *ar, int64_t agency_id, cal_t *out)
{
    for (size_t i = 0; m && i < m->ncal; i++)
        if (m->cal[i].agency_id == agency_id) {
            *out = m->cal[i].cal; /* holidays: arena-owned, shared read-only */
            return ERR_OK;
        }
    err_t e = deadline_calendar(s, ar, agency_id, out);
    if (e == ERR_OK && m && m->ncal < MEMO_MAX) {
        m->cal[m->ncal].agency_id = agency_id;
        m->cal[m->ncal++].cal = *out;
    }
    return e;
}

/* The deadline the case should have now, from its status and events (*t
 * borrows from ar). memo: NULL, or a batch's policies and calendars. */
static err_t compute(store_t *s, arena_t *ar, memo_t *m, int64_t case_id, store_sla_times *t)
{
    store_sla_case k;
    sla_policy p;
    cal_t cal;
    sla_due_out o;
    err_t e = store_sla_case_get(s, ar, case_id, &k);
    if (e != ERR_OK)
        return e;
    int kind = kind_parse(k.kind), status = status_parse(k.status);
    if (kind < 0 || status < 0)
        return ERR_INTERNAL;
    if (k.category_id) {
        e = memo_policy(m, s, ar, k.category_id, kind, &p);
    } else {
        sla_policy_default((case_kind_t)kind, 0, &p);
    }
    if (e == ERR_OK)
        e = memo_calendar(m, s, ar, k.agency_id, &cal);
    if (e != ERR_OK)
        return e;
    sla_case_in in = {(case_kind_t)kind, (case_status_t)status, k.created_at,
                      k.entered_at,      k.resolve_from,        k.reply_at};
    sla_compute(&p, &cal, &in, &o);
    *t = (store_sla_times){k.status, NULL, 0, 0, 0, o.resolve_due_at};
    if (o.stage != SLA_STAGE_NONE) {
        t->stage = sla_stage_name(o.stage);
        t->start_at = o.start_at;
        t->due_at = o.due_at;
        /* The auto-close wait has no early notice: the scheduler sees it
         * only when it is due. */
        t->soon_at = o.stage == SLA_STAGE_AUTOCLOSE ? o.due_at : o.soon_at;
    }
    return ERR_OK;
}

err_t deadline_refresh(store_t *s, arena_t *ar, int64_t case_id)
{
    store_sla_times t;
    err_t e = compute(s, ar, NULL, case_id, &t);
    if (e == ERR_OK)
        e = store_sla_set(s, case_id, &t);
    return e == ERR_CONFLICT ? ERR_OK : e;
}

err_t deadline_refresh_many(store_t *s, arena_t *ar, const int64_t *ids, size_t n, size_t *done)
{
    memo_t *m = arena_alloc(ar, sizeof *m);
    int64_t *ok = arena_alloc(ar, sizeof *ok * (n ? n : 1));
    store_sla_times *t = arena_alloc(ar, sizeof *t * (n ? n : 1));
    size_t k = 0;
    *done = 0;
    if (!m || !ok || !t)
        return ERR_NOMEM;
    m->npol = m->ncal = 0;
    for (size_t i = 0; i < n; i++) {
        err_t e = compute(s, ar, m, ids[i], &t[k]);
        if (e == ERR_OK)
            ok[k++] = ids[i];
        else if (e != ERR_NOT_FOUND) /* gone: nothing to refresh */
            log_warn("sla", "event=refresh_failed case_id=%lld error=%s", (long long)ids[i],
                     err_code(e));
    }
    err_t e = store_sla_set_many(s, ok, t, k, NULL);
    if (e == ERR_OK)
        *done = k;
    return e;
}

void deadline_format(const cal_t *cal, int64_t t, char out[32])
{
    int32_t day = cal_day_of(cal, t);
    int64_t sec = t + (int64_t)cal->utc_offset_min * 60 - (int64_t)day * 86400;
    char date[11];
    cal_format_date(day, date);
    const char *zone = cal->utc_offset_min == 420   ? "WIB"
                       : cal->utc_offset_min == 480 ? "WITA"
                       : cal->utc_offset_min == 540 ? "WIT"
                                                    : "UTC";
    snprintf(out, 32, "%s %02u:%02u %s", date, (unsigned)(sec / 3600) % 24u,
             (unsigned)(sec / 60) % 60u, zone);
}

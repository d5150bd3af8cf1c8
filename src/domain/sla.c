#include "domain/sla.h"

#include <string.h>

static const char *const unit_names[SLA_UNIT__COUNT] = {
    "seconds", "minutes", "hours", "days", "work_minutes", "work_hours", "work_days",
};

static const char *const stage_names[] = {
    "none", "verify", "dispatch", "action", "resolve", "autoclose",
};

const char *sla_unit_name(sla_unit u)
{
    return (unsigned)u < SLA_UNIT__COUNT ? unit_names[u] : "minutes";
}

int sla_unit_parse(const char *s)
{
    for (int i = 0; s && i < SLA_UNIT__COUNT; i++)
        if (strcmp(s, unit_names[i]) == 0)
            return i;
    return -1;
}

const char *sla_stage_name(sla_stage s)
{
    return (unsigned)s < sizeof stage_names / sizeof stage_names[0] ? stage_names[s] : "none";
}

int sla_stage_parse(const char *s)
{
    for (int i = 0; s && i < (int)(sizeof stage_names / sizeof stage_names[0]); i++)
        if (strcmp(s, stage_names[i]) == 0)
            return i;
    return -1;
}

void sla_policy_default(case_kind_t kind, int sla_hours, sla_policy *p)
{
    memset(p, 0, sizeof *p);
    p->autoclose = (sla_dur){10, SLA_WORK_DAYS};
    p->cap_days = 60;
    p->soon_pct = 75;
    if (sla_hours <= 0)
        sla_hours = 24;
    switch (kind) {
    case KIND_EMERGENCY:
        p->dispatch = (sla_dur){5, SLA_MINUTES};
        p->action = (sla_dur){15, SLA_MINUTES};
        p->resolve = (sla_dur){sla_hours, SLA_HOURS};
        break;
    case KIND_SERVICE:
        p->verify = (sla_dur){1, SLA_WORK_DAYS};
        p->resolve = (sla_dur){sla_hours, SLA_WORK_HOURS};
        break;
    default:
        p->verify = (sla_dur){3, SLA_WORK_DAYS};
        p->dispatch = (sla_dur){1, SLA_WORK_DAYS};
        p->action = (sla_dur){2, SLA_WORK_DAYS};
        p->resolve = (sla_dur){5, SLA_WORK_DAYS};
        break;
    }
}

static bool is_work(sla_unit u) { return u >= SLA_WORK_MINUTES; }

int64_t sla_due(const cal_t *cal, sla_dur d, int64_t from)
{
    if (d.amount <= 0)
        return 0;
    int64_t n = d.amount;
    switch (d.unit) {
    case SLA_SECONDS:
        return from + n;
    case SLA_MINUTES:
        return from + n * 60;
    case SLA_HOURS:
        return from + n * 3600;
    case SLA_DAYS:
        return from + n * 86400;
    case SLA_WORK_MINUTES:
        return cal_add_minutes(cal, from, n);
    case SLA_WORK_HOURS:
        return cal_add_hours(cal, from, n);
    case SLA_WORK_DAYS:
        return cal_add_days(cal, from, (int)n);
    default:
        return 0;
    }
}

/* The stage a status is in, and the duration that governs it. */
static sla_stage stage_of(const sla_policy *p, case_kind_t kind, case_status_t st, sla_dur *d)
{
    switch (st) {
    case ST_RECEIVED:
        /* An emergency skips verification: it waits for a team. */
        *d = kind == KIND_EMERGENCY ? p->dispatch : p->verify;
        return kind == KIND_EMERGENCY ? SLA_STAGE_DISPATCH : SLA_STAGE_VERIFY;
    case ST_SUBMITTED:
        *d = p->verify;
        return SLA_STAGE_VERIFY;
    case ST_VERIFIED:
    case ST_REOPENED:
        *d = p->dispatch;
        return SLA_STAGE_DISPATCH;
    case ST_DISPATCHED:
        *d = p->action;
        return SLA_STAGE_ACTION;
    case ST_IN_PROGRESS:
    case ST_CHECKING:
    case ST_PROCESSING:
        *d = p->resolve;
        return SLA_STAGE_RESOLVE;
    case ST_RESOLVED:
    case ST_ISSUED:
        *d = p->autoclose;
        return SLA_STAGE_AUTOCLOSE;
    default:
        *d = (sla_dur){0, SLA_MINUTES};
        return SLA_STAGE_NONE;
    }
}

static int64_t min_due(int64_t a, int64_t cap)
{
    if (!cap)
        return a;
    return (!a || cap < a) ? cap : a;
}

void sla_compute(const sla_policy *p, const cal_t *cal, const sla_case_in *in, sla_due_out *out)
{
    memset(out, 0, sizeof *out);
    int64_t cap = p->cap_days > 0 ? in->created_at + (int64_t)p->cap_days * 86400 : 0;
    int64_t resolve_from = in->resolve_from;
    if (!resolve_from && in->kind != KIND_COMPLAINT)
        resolve_from = in->created_at;
    if (resolve_from)
        out->resolve_due_at = min_due(sla_due(cal, p->resolve, resolve_from), cap);
    sla_dur d;
    sla_stage stage = stage_of(p, in->kind, in->status, &d);
    if (stage == SLA_STAGE_NONE)
        return;
    int64_t start = in->entered_at ? in->entered_at : in->created_at, due;
    if (stage == SLA_STAGE_RESOLVE && out->resolve_due_at) {
        /* The follow-up runs from verification, across dispatch and work. */
        start = resolve_from;
        due = out->resolve_due_at;
    } else if (stage == SLA_STAGE_AUTOCLOSE) {
        /* A reply from the reporter restarts the wait. */
        if (in->reply_at > start)
            start = in->reply_at;
        due = sla_due(cal, d, start);
    } else {
        due = min_due(sla_due(cal, d, start), cap);
    }
    if (!due || due == CAL_NEVER)
        return;
    out->stage = stage;
    out->start_at = start;
    out->due_at = due;
    int pct = p->soon_pct > 0 && p->soon_pct < 100 ? p->soon_pct : 75;
    if (due <= start) {
        out->soon_at = due;
    } else if (is_work(d.unit)) {
        /* A share of the working time, not of the nights and weekends. */
        int64_t work = cal_working_between(cal, start, due);
        out->soon_at = work > 0 ? cal_add_seconds(cal, start, work * pct / 100) : due;
    } else {
        out->soon_at = start + (due - start) * pct / 100;
    }
    if (out->soon_at > due)
        out->soon_at = due;
}

sla_state sla_state_at(sla_stage stage, int64_t soon_at, int64_t due_at, int64_t now)
{
    if (stage == SLA_STAGE_NONE || stage == SLA_STAGE_AUTOCLOSE || !due_at)
        return SLA_STATE_NONE;
    if (now >= due_at)
        return SLA_OVERDUE;
    if (soon_at && now >= soon_at)
        return SLA_DUE_SOON;
    return SLA_ON_TIME;
}

const char *sla_state_name(sla_state s)
{
    switch (s) {
    case SLA_ON_TIME:
        return "on_time";
    case SLA_DUE_SOON:
        return "due_soon";
    case SLA_OVERDUE:
        return "overdue";
    default:
        return NULL;
    }
}

/* sla: service-level deadlines of a case (SP4N.md §5, DOMAIN.md §6).
 *
 * A policy per category gives each step a duration in clock or working
 * time; from a case's kind, status and timestamps, and the agency's
 * calendar, sla_compute() says which step the case is in, when that step
 * is due, and when it is "due soon" (a share of the step's time, 75 % by
 * default). Pure: the caller passes every time in, including now. */
#ifndef ADUAN_SLA_H
#define ADUAN_SLA_H

#include "domain/calendar.h"
#include "domain/lifecycle.h"

#include <stdint.h>

typedef enum {
    SLA_SECONDS, /* clock time (seconds: for tests and drills) */
    SLA_MINUTES,
    SLA_HOURS,
    SLA_DAYS,
    SLA_WORK_MINUTES, /* working time on the agency's calendar */
    SLA_WORK_HOURS,
    SLA_WORK_DAYS, /* the end of the n-th working day after (cal_add_days) */
    SLA_UNIT__COUNT
} sla_unit;

typedef struct {
    int32_t amount; /* 0: the step has no deadline */
    sla_unit unit;
} sla_dur;

/* The largest amount of a duration: a year of minutes. */
#define SLA_AMOUNT_MAX (366 * 24 * 60)

typedef enum {
    SLA_STAGE_NONE,     /* nothing is due (on hold, closed, rejected, ...) */
    SLA_STAGE_VERIFY,   /* received: verify (or check a request) */
    SLA_STAGE_DISPATCH, /* verified: the supervisor sends a team */
    SLA_STAGE_ACTION,   /* dispatched: the team's first action in the field */
    SLA_STAGE_RESOLVE,  /* in progress: the follow-up (tindak lanjut) */
    SLA_STAGE_AUTOCLOSE /* resolved: closes by itself without a reply */
} sla_stage;

typedef struct {
    sla_dur verify, dispatch, action, resolve, autoclose;
    int cap_days; /* hard cap, calendar days from the report; 0: none */
    int soon_pct; /* due soon from this share of a step's time, 1..99 */
} sla_policy;

/* The defaults for a kind of category. Complaints follow SP4N-LAPOR!:
 * verify 3 working days, dispatch 1, first action 2, follow-up 5 working
 * days from verification, auto-close 10 working days after resolution, cap
 * 60 days. Emergencies run on clock minutes: dispatch 5, on site 15, and
 * the category's sla_hours to resolve. Service requests: check within 1
 * working day, the result within sla_hours working hours. */
void sla_policy_default(case_kind_t kind, int sla_hours, sla_policy *p);

/* Names <-> values; *_parse returns -1 when unknown. */
const char *sla_unit_name(sla_unit u);
int sla_unit_parse(const char *s);
const char *sla_stage_name(sla_stage s);
int sla_stage_parse(const char *s);

/* The deadline of d counted from `from` on the calendar; 0 when d has no
 * deadline; CAL_NEVER when the calendar has no working time. */
int64_t sla_due(const cal_t *cal, sla_dur d, int64_t from);

typedef struct {
    case_kind_t kind;
    case_status_t status;
    int64_t created_at;   /* the report */
    int64_t entered_at;   /* when the case entered its current status */
    int64_t resolve_from; /* when the follow-up clock started (verified or
                           * reopened); 0: not yet (a complaint still being
                           * verified) or, for other kinds, the report */
    int64_t reply_at;     /* the reporter's last message, 0: none */
} sla_case_in;

typedef struct {
    sla_stage stage;
    int64_t start_at, due_at, soon_at; /* of the current step; 0 when none */
    int64_t resolve_due_at;            /* the follow-up deadline; 0 when none yet */
} sla_due_out;

/* Fills out for the case under policy p and calendar cal. */
void sla_compute(const sla_policy *p, const cal_t *cal, const sla_case_in *in, sla_due_out *out);

typedef enum { SLA_STATE_NONE, SLA_ON_TIME, SLA_DUE_SOON, SLA_OVERDUE } sla_state;

/* The state of a step with these times at now. The auto-close wait is not
 * staff's deadline: SLA_STATE_NONE. */
sla_state sla_state_at(sla_stage stage, int64_t soon_at, int64_t due_at, int64_t now);
/* "on_time", "due_soon", "overdue", or NULL for SLA_STATE_NONE. */
const char *sla_state_name(sla_state s);

#endif

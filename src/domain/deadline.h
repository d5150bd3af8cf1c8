/* deadline: a case's SLA deadline kept in the store. Loads the agency's
 * calendar and the category's policy, computes with domain/sla.c, and
 * stores the result; every path that changes a case calls
 * deadline_refresh() (or the scheduler catches up on it). */
#ifndef ADUAN_DEADLINE_H
#define ADUAN_DEADLINE_H

#include "domain/sla.h"
#include "store/store.h"

/* The agency's calendar: its time zone, its office hours (or the
 * defaults), and every holiday that applies to it (arena-owned). */
err_t deadline_calendar(store_t *s, arena_t *ar, int64_t agency_id, cal_t *out)
    __attribute__((warn_unused_result));

/* The policy in force for a category: its own (*custom true) or the
 * defaults of its kind. A stored step with an unknown unit falls back to
 * the default of that step. */
err_t deadline_policy(store_t *s, arena_t *ar, int64_t category_id, sla_policy *out, bool *custom)
    __attribute__((warn_unused_result));

/* Recomputes the case's deadline from its status and events and stores
 * it. A case that moved on meanwhile is left for the next refresh. */
err_t deadline_refresh(store_t *s, arena_t *ar, int64_t case_id)
    __attribute__((warn_unused_result));

/* deadline_refresh for n cases: reads each (the policies and calendars
 * once per batch), then stores every deadline in one transaction. A case
 * that fails to load is logged and skipped; *done: how many were written
 * (or found moved on). Fails only when the write fails. */
err_t deadline_refresh_many(store_t *s, arena_t *ar, const int64_t *ids, size_t n, size_t *done)
    __attribute__((warn_unused_result));

/* "2026-11-25 16:00 WITA": t in the calendar's zone (out of 32 bytes). */
void deadline_format(const cal_t *cal, int64_t t, char out[32]);

#endif

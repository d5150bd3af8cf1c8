/* survey: what the reporter of a case does after it is resolved (issue
 * #8): confirm it (close) or say it is not fixed (reopen with a reason).
 * The reporter is not a user: the event has no actor, and the transition
 * table decides which moves exist, whatever the roles. */
#ifndef ADUAN_SURVEY_H
#define ADUAN_SURVEY_H

#include "domain/lifecycle.h"
#include "store/store.h"

/* Longest reason for a reopen, in code points. */
#define SURVEY_REASON_MAX  1000
#define SURVEY_COMMENT_MAX 1000

/* Moves case c (as read) by action (ACT_CLOSE or ACT_REOPEN) for its
 * reporter, with note. ERR_CONFLICT when the table has no such move from
 * the case's status or the case changed meanwhile; nothing changes then. */
err_t survey_reporter_action(store_t *s, arena_t *ar, const store_case *c, case_action_t action,
                             const char *note, int64_t now) __attribute__((warn_unused_result));

/* Local midnight (the process time zone) of the day of t: the only time a
 * survey response keeps. */
int64_t survey_day(int64_t t);

#endif

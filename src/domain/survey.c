#include "domain/survey.h"

#include <string.h>
#include <time.h>

err_t survey_reporter_action(store_t *s, arena_t *ar, const store_case *c, case_action_t action,
                             const char *note, int64_t now)
{
    int kind = kind_parse(c->kind), status = status_parse(c->status);
    if (kind < 0 || status < 0)
        return ERR_INTERNAL;
    unsigned count;
    const transition_t *table = lifecycle_table(&count), *t = NULL;
    for (unsigned i = 0; i < count && !t; i++)
        if ((table[i].kinds & (1u << kind)) && table[i].from == (case_status_t)status &&
            table[i].action == action)
            t = &table[i];
    if (!t)
        return ERR_CONFLICT;
    store_transition tr;
    memset(&tr, 0, sizeof tr);
    tr.case_id = c->id;
    tr.expect_status = c->status;
    tr.new_status = status_name(t->to);
    tr.action = action_name(t->action);
    tr.actor_id = 0; /* the reporter */
    tr.note = note;
    tr.is_public = t->is_public;
    tr.now = now;
    return store_case_transition(s, ar, &tr);
}

int64_t survey_day(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

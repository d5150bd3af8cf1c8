/* lifecycle: the case state machine as one table (DESIGN.md §5).
 *
 * Pure: no I/O. case_transition() in domain/cases.c uses it, and the
 * store applies its verdict atomically. */
#ifndef ADUAN_LIFECYCLE_H
#define ADUAN_LIFECYCLE_H

#include "core/err.h"

#include <stdbool.h>

typedef enum { KIND_COMPLAINT, KIND_SERVICE, KIND_EMERGENCY, KIND__COUNT } case_kind_t;

typedef enum {
    ST_RECEIVED,
    ST_VERIFIED,
    ST_DISPATCHED,
    ST_IN_PROGRESS,
    ST_RESOLVED,
    ST_CLOSED,
    ST_REJECTED,
    ST_FORWARDED,
    ST_ON_HOLD,
    ST_REOPENED,
    ST_SUBMITTED,
    ST_INCOMPLETE,
    ST_CHECKING,
    ST_PROCESSING,
    ST_ISSUED,
    ST__COUNT
} case_status_t;

typedef enum {
    ACT_VERIFY,
    ACT_REJECT,
    ACT_HOLD,
    ACT_RESUME,
    ACT_DISPATCH,
    ACT_START,
    ACT_RESOLVE,
    ACT_CLOSE,
    ACT_FORWARD,
    ACT_REOPEN,
    ACT_CHECK,
    ACT_INCOMPLETE,
    ACT_PROCESS,
    ACT_ISSUE,
    ACT_WITHDRAW, /* the reporter withdraws a filed case (issue 16) */
    ACT__COUNT
} case_action_t;

typedef enum {
    ROLE_SUPERADMIN,
    ROLE_ADMIN,
    ROLE_SUPERVISOR,
    ROLE_FIELD,
    ROLE_VIEWER,
    ROLE__COUNT
} role_t;

/* What a transition needs in its request. */
#define NEED_NOTE   1u /* a reason: an internal note or a message to the reporter (reopen) */
#define NEED_TEAM   2u /* a team of the case's agency (dispatch) */
#define NEED_AGENCY 4u /* another agency (forward) */
/* A message to the reporter (public_note): what they must read, sent on
 * their channel and shown on the public page (the result of a resolve, the
 * reason of a reject, the question of a hold, what a request lacks). */
#define NEED_PUBLIC 8u
/* Done by the case's own reporter, never by staff (roles is 0): the
 * reporter's withdrawal of a case nobody works on yet (issue 16). */
#define NEED_REPORTER 16u

typedef struct {
    unsigned kinds; /* bit per case_kind_t */
    case_status_t from;
    case_action_t action;
    case_status_t to;
    unsigned roles; /* bit per role_t */
    unsigned needs; /* NEED_* */
    bool is_public; /* the event may be shown on the public page */
} transition_t;

/* Looks up (kind, from, action) and checks the role. Returns ERR_OK with
 * *out set; ERR_CONFLICT when the table has no such transition for that
 * kind and state; ERR_FORBIDDEN when it exists but not for this role. */
err_t lifecycle_check(case_kind_t kind, case_status_t from, case_action_t action, role_t role,
                      const transition_t **out) __attribute__((warn_unused_result));

/* As lifecycle_check for the case's own reporter (a NEED_REPORTER
 * transition): ERR_OK with *out set, or ERR_CONFLICT. */
err_t lifecycle_check_reporter(case_kind_t kind, case_status_t from, case_action_t action,
                               const transition_t **out) __attribute__((warn_unused_result));

/* The first state of a new case of this kind. */
case_status_t lifecycle_initial(case_kind_t kind);

/* Name <-> value. *_name never returns NULL; *_parse returns -1 when unknown. */
const char *kind_name(case_kind_t k);
int kind_parse(const char *s);
const char *status_name(case_status_t s);
int status_parse(const char *s);
/* Indonesian label of a status, for people (e.g. "Diverifikasi"). */
const char *status_label(case_status_t s, const char *lang);
/* What the public page and the reporter's channel say of a withdrawal:
 * "Dibatalkan oleh pelapor" / "Withdrawn by the reporter" (issue 16). */
const char *withdrawn_label(const char *lang);
const char *action_name(case_action_t a);
int action_parse(const char *s);
const char *role_name(role_t r);
int role_parse(const char *s);

/* The whole table, for tests and documentation. */
const transition_t *lifecycle_table(unsigned *count);

#endif

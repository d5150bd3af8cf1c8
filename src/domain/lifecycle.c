#include "domain/lifecycle.h"

#include <string.h>

#define K(x)  (1u << KIND_##x)
#define R(x)  (1u << ROLE_##x)
#define CMP   (K(COMPLAINT) | K(EMERGENCY))
#define SVC   K(SERVICE)
#define ALL_K (K(COMPLAINT) | K(SERVICE) | K(EMERGENCY))
/* The superadmin runs the deployment and may act wherever an admin or a
 * supervisor may; a field officer acts only in the field steps. */
#define DESK  (R(SUPERADMIN) | R(ADMIN) | R(SUPERVISOR))
#define BOSS  (R(SUPERADMIN) | R(SUPERVISOR))
#define FIELD (R(SUPERADMIN) | R(SUPERVISOR) | R(FIELD))

static const transition_t table[] = {
    /* Complaints (and emergencies): verification by the desk. */
    {CMP, ST_RECEIVED, ACT_VERIFY, ST_VERIFIED, DESK, 0, true},
    {CMP, ST_RECEIVED, ACT_REJECT, ST_REJECTED, DESK, NEED_PUBLIC, true},
    {CMP, ST_RECEIVED, ACT_HOLD, ST_ON_HOLD, DESK, NEED_PUBLIC, true},
    {CMP, ST_RECEIVED, ACT_FORWARD, ST_FORWARDED, DESK, NEED_AGENCY, true},
    /* Emergencies skip verification: straight to a team. */
    {K(EMERGENCY), ST_RECEIVED, ACT_DISPATCH, ST_DISPATCHED, DESK, NEED_TEAM, true},
    {CMP, ST_ON_HOLD, ACT_RESUME, ST_RECEIVED, DESK, 0, false},
    {CMP, ST_ON_HOLD, ACT_REJECT, ST_REJECTED, DESK, NEED_PUBLIC, true},
    /* The head of division decides the follow-up. */
    {CMP, ST_VERIFIED, ACT_DISPATCH, ST_DISPATCHED, BOSS, NEED_TEAM, true},
    {CMP, ST_VERIFIED, ACT_REJECT, ST_REJECTED, BOSS, NEED_PUBLIC, true},
    {CMP, ST_VERIFIED, ACT_HOLD, ST_ON_HOLD, DESK, NEED_PUBLIC, true},
    {CMP, ST_VERIFIED, ACT_FORWARD, ST_FORWARDED, BOSS, NEED_AGENCY, true},
    /* Re-dispatch to another team before work starts. */
    {CMP, ST_DISPATCHED, ACT_DISPATCH, ST_DISPATCHED, BOSS, NEED_TEAM, true},
    /* The field team acts. */
    {CMP, ST_DISPATCHED, ACT_START, ST_IN_PROGRESS, FIELD, 0, true},
    {CMP, ST_IN_PROGRESS, ACT_RESOLVE, ST_RESOLVED, FIELD, NEED_PUBLIC, true},
    /* Closing, or the reporter says it is not fixed. */
    {CMP, ST_RESOLVED, ACT_CLOSE, ST_CLOSED, DESK, 0, true},
    {CMP, ST_RESOLVED, ACT_REOPEN, ST_REOPENED, DESK, NEED_NOTE, true},
    {CMP, ST_CLOSED, ACT_REOPEN, ST_REOPENED, BOSS, NEED_NOTE, true},
    {CMP, ST_REOPENED, ACT_DISPATCH, ST_DISPATCHED, BOSS, NEED_TEAM, true},
    {CMP, ST_REOPENED, ACT_START, ST_IN_PROGRESS, FIELD, 0, true},

    /* Service requests (civil registry). */
    {SVC, ST_SUBMITTED, ACT_CHECK, ST_CHECKING, DESK, 0, true},
    {SVC, ST_SUBMITTED, ACT_INCOMPLETE, ST_INCOMPLETE, DESK, NEED_PUBLIC, true},
    {SVC, ST_SUBMITTED, ACT_REJECT, ST_REJECTED, DESK, NEED_PUBLIC, true},
    {SVC, ST_SUBMITTED, ACT_FORWARD, ST_FORWARDED, DESK, NEED_AGENCY, true},
    {SVC, ST_CHECKING, ACT_INCOMPLETE, ST_INCOMPLETE, DESK, NEED_PUBLIC, true},
    {SVC, ST_CHECKING, ACT_PROCESS, ST_PROCESSING, DESK, 0, true},
    {SVC, ST_CHECKING, ACT_REJECT, ST_REJECTED, DESK, NEED_PUBLIC, true},
    {SVC, ST_INCOMPLETE, ACT_CHECK, ST_CHECKING, DESK, 0, true},
    {SVC, ST_INCOMPLETE, ACT_REJECT, ST_REJECTED, DESK, NEED_PUBLIC, true},
    {SVC, ST_PROCESSING, ACT_ISSUE, ST_ISSUED, DESK, 0, true},
    {SVC, ST_ISSUED, ACT_CLOSE, ST_CLOSED, DESK, 0, true},

    /* The reporter withdraws a case nobody works on yet (issue 16): closed,
     * told on the public page; once a team has it, the operator decides. */
    {K(COMPLAINT), ST_RECEIVED, ACT_WITHDRAW, ST_CLOSED, 0, NEED_REPORTER, true},
    {K(COMPLAINT), ST_VERIFIED, ACT_WITHDRAW, ST_CLOSED, 0, NEED_REPORTER, true},
    {K(COMPLAINT), ST_ON_HOLD, ACT_WITHDRAW, ST_CLOSED, 0, NEED_REPORTER, true},
    {SVC, ST_SUBMITTED, ACT_WITHDRAW, ST_CLOSED, 0, NEED_REPORTER, true},
    {SVC, ST_INCOMPLETE, ACT_WITHDRAW, ST_CLOSED, 0, NEED_REPORTER, true},
};

const transition_t *lifecycle_table(unsigned *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}

err_t lifecycle_check(case_kind_t kind, case_status_t from, case_action_t action, role_t role,
                      const transition_t **out)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const transition_t *t = &table[i];
        if (!(t->kinds & (1u << kind)) || t->from != from || t->action != action)
            continue;
        if (!(t->roles & (1u << role)))
            return ERR_FORBIDDEN;
        *out = t;
        return ERR_OK;
    }
    return ERR_CONFLICT;
}

err_t lifecycle_check_reporter(case_kind_t kind, case_status_t from, case_action_t action,
                               const transition_t **out)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const transition_t *t = &table[i];
        if ((t->kinds & (1u << kind)) && t->from == from && t->action == action &&
            (t->needs & NEED_REPORTER)) {
            *out = t;
            return ERR_OK;
        }
    }
    return ERR_CONFLICT;
}

case_status_t lifecycle_initial(case_kind_t kind)
{
    return kind == KIND_SERVICE ? ST_SUBMITTED : ST_RECEIVED;
}

static const char *kinds[] = {"complaint", "service", "emergency"};
static const char *statuses[] = {"received",  "verified",   "dispatched", "in_progress", "resolved",
                                 "closed",    "rejected",   "forwarded",  "on_hold",     "reopened",
                                 "submitted", "incomplete", "checking",   "processing",  "issued"};
static const char *labels_id[] = {"Diterima",         "Diverifikasi",      "Didisposisikan ke tim",
                                  "Sedang ditangani", "Selesai ditangani", "Ditutup",
                                  "Ditolak",          "Dialihkan",         "Ditunda",
                                  "Dibuka kembali",   "Diajukan",          "Belum lengkap",
                                  "Diperiksa",        "Diproses",          "Terbit"};
static const char *labels_en[] = {"Received",    "Verified",   "Dispatched to a team",
                                  "In progress", "Resolved",   "Closed",
                                  "Rejected",    "Forwarded",  "On hold",
                                  "Reopened",    "Submitted",  "Incomplete",
                                  "Checking",    "Processing", "Issued"};
static const char *actions[] = {"verify", "reject",     "hold",    "resume",  "dispatch",
                                "start",  "resolve",    "close",   "forward", "reopen",
                                "check",  "incomplete", "process", "issue",   "withdraw"};
static const char *roles[] = {"superadmin", "admin", "supervisor", "field", "viewer"};

_Static_assert(sizeof statuses / sizeof *statuses == ST__COUNT, "status names");
_Static_assert(sizeof labels_id / sizeof *labels_id == ST__COUNT, "status labels");
_Static_assert(sizeof labels_en / sizeof *labels_en == ST__COUNT, "status labels");
_Static_assert(sizeof actions / sizeof *actions == ACT__COUNT, "action names");
_Static_assert(sizeof roles / sizeof *roles == ROLE__COUNT, "role names");
_Static_assert(sizeof kinds / sizeof *kinds == KIND__COUNT, "kind names");

static int find(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *kind_name(case_kind_t k) { return (unsigned)k < KIND__COUNT ? kinds[k] : "?"; }
int kind_parse(const char *s) { return find(kinds, KIND__COUNT, s); }
const char *status_name(case_status_t s) { return (unsigned)s < ST__COUNT ? statuses[s] : "?"; }
int status_parse(const char *s) { return find(statuses, ST__COUNT, s); }
const char *status_label(case_status_t s, const char *lang)
{
    if ((unsigned)s >= ST__COUNT)
        return "?";
    return (lang && strcmp(lang, "en") == 0) ? labels_en[s] : labels_id[s];
}
const char *withdrawn_label(const char *lang)
{
    return (lang && strcmp(lang, "en") == 0) ? "Withdrawn by the reporter"
                                             : "Dibatalkan oleh pelapor";
}
const char *action_name(case_action_t a) { return (unsigned)a < ACT__COUNT ? actions[a] : "?"; }
int action_parse(const char *s) { return find(actions, ACT__COUNT, s); }
const char *role_name(role_t r) { return (unsigned)r < ROLE__COUNT ? roles[r] : "?"; }
int role_parse(const char *s) { return find(roles, ROLE__COUNT, s); }

/* cases: creating cases and moving them through the lifecycle, with the
 * checks of role, agency and required fields. The one way a case changes. */
#ifndef ADUAN_CASES_H
#define ADUAN_CASES_H

#include "domain/lifecycle.h"
#include "store/store.h"

/* Limits on operator-entered text, in code points; long enough for a full
 * account of an incident, short enough to read on a phone. */
#define CASE_DESCRIPTION_MAX 4000
#define CASE_NOTE_MAX        2000
#define CASE_ADDRESS_MAX     500
#define CASE_NAME_MAX        120

/* The channels a case comes on (cases.channel): "whatsapp", "telegram",
 * "email", "web", "open311", "walk_in", "phone", "forward". */
bool case_channel_known(const char *name);
/* Its name for people, Indonesian ("id") or English; the name itself when
 * unknown. Static. */
const char *case_channel_label(const char *name, const char *lang);

/* True when the case's reporter is reached on WhatsApp: the case came over
 * WhatsApp, or a walk-in or phone reporter agreed at their mobile number. */
bool case_notifies(const store_case *c);

/* Who acts: a logged-in user and their roles. */
typedef struct {
    int64_t user_id;
    const store_role *roles; /* borrowed */
    size_t nroles;
} actor_t;

/* The actor's role in the agency, or -1 when they have none there. A
 * superadmin (role in agency 0) has ROLE_SUPERADMIN everywhere. */
int actor_role(const actor_t *a, int64_t agency_id);
/* True when the actor is a superadmin. */
bool actor_is_superadmin(const actor_t *a);
/* The only agency of an actor with exactly one, else 0. */
int64_t actor_single_agency(const actor_t *a);

typedef struct {
    const char *action;
    const char *note; /* internal: staff only, never sent or shown publicly */
    int64_t team_id;
    int64_t target_agency_id;
    int64_t target_category_id; /* forward: optional category there */
    /* The message to the reporter (issue #13): sent on their channel and
     * shown on the public page; only on a public step. */
    const char *public_note;
} case_action_req;

/* Performs one transition of case_id for the actor. Returns ERR_OK with
 * *out filled (the event id, and the new case of a forward);
 * ERR_NOT_FOUND for an unknown case; ERR_FORBIDDEN when the actor has no
 * role in the case's agency or the role may not do it; ERR_CONFLICT when
 * the table forbids it in the current state; ERR_INVALID with *detail for
 * a missing or wrong field. Nothing changes on any error. */
err_t case_transition(store_t *s, arena_t *ar, const actor_t *actor, int64_t case_id,
                      const case_action_req *req, int64_t now, store_transition *out,
                      const char **detail) __attribute__((warn_unused_result));

typedef struct {
    int64_t agency_id; /* 0: the actor's only agency */
    int64_t category_id;
    const char *channel; /* walk_in | phone; NULL: walk_in */
    const char *description;
    bool has_location;
    double lat, lon;
    const char *address, *kecamatan_code, *priority, *lapor_tracking_id;
    const char *lapor_class; /* NULL: pengaduan (issue 17 §3) */
    bool rahasia, anonim;
    const char *reporter_name, *reporter_phone; /* optional */
    /* The reporter agreed to get the case's updates on WhatsApp at that
     * (mobile) number; they never wrote, so they go as templates. */
    bool notify_consent;
} case_create_req;

/* Records a case entered by an operator (walk-in or phone report).
 * Errors as case_transition. On success *out is the new case. */
err_t case_create(store_t *s, arena_t *ar, const actor_t *actor, const case_create_req *req,
                  int64_t now, store_case *out, const char **detail)
    __attribute__((warn_unused_result));

#endif

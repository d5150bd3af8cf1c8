/* lapor: a case's SP4N-LAPOR! tracking number (issue 13). The SP4N
 * liaison re-enters a local complaint into LAPOR! and records the number
 * LAPOR! gave it, on any case of the agency, in any status. */
#ifndef ADUAN_LAPOR_H
#define ADUAN_LAPOR_H

#include "domain/cases.h"

/* A LAPOR! Tracking ID is a number ("tracking ID #1916449" in LAPOR!'s
 * own texts; its page is lapor.go.id/pengaduan/<TrackingID>; see
 * shared/reference/SP4N.md §8). Bounds loose enough for the old and the
 * regional instances, tight enough to catch a pasted sentence or phone
 * number with a plus sign. */
#define LAPOR_DIGITS_MIN 4
#define LAPOR_DIGITS_MAX 15
#define LAPOR_ID_BUF     (LAPOR_DIGITS_MAX + 1)

/* The digits of a LAPOR! tracking number typed as "1916449", "#1916449"
 * or with spaces around. Returns 0 with out set, -1 when it is not one. */
int lapor_normalize(const char *in, char out[LAPOR_ID_BUF]);

typedef enum {
    LAPOR_OK,
    LAPOR_BAD_FORMAT,   /* not a tracking number */
    LAPOR_OTHER_AGENCY, /* the actor has no role in the case's agency */
    LAPOR_NOT_DESK,     /* the role there may not record it */
    LAPOR_BAD_CLASS,    /* not one of the national classes */
} lapor_refusal;

/* The national classification of SP4N-LAPOR! (issue 17 §3), as stored. */
#define LAPOR_CLASS_DEFAULT "pengaduan"

/* Whether v is one of "pengaduan", "aspirasi", "permintaan_informasi". */
bool lapor_class_valid(const char *v);

/* Its name for people ("Pengaduan", "Permintaan informasi"; lang "en":
 * "Complaint", "Aspiration", "Request for information"); v itself when
 * unknown. */
const char *lapor_class_label(const char *v, const char *lang);

/* What a request changes on a case's LAPOR! fields: each part optional. */
typedef struct {
    bool set_tracking; /* tracking is the new number ("" or NULL: clear) */
    const char *tracking;
    const char *cls; /* NULL: keep */
    int mark;        /* 1: mark for LAPOR!, -1: clear the mark, 0: keep */
} lapor_change;

/* Applies ch for the actor (the agency's admin, supervisor or a
 * superadmin), after checking every part: a bad part changes nothing.
 * *changed when anything changed; refusals as lapor_set. */
err_t lapor_update(store_t *s, arena_t *ar, const actor_t *actor, int64_t case_id,
                   const lapor_change *ch, int64_t now, bool *changed, lapor_refusal *why)
    __attribute__((warn_unused_result));

/* Records (value) or clears ("" or NULL) the LAPOR! number of the case
 * for the actor, who must be its agency's admin, supervisor or a
 * superadmin; appends an internal event when it changes (*changed).
 * ERR_INVALID / ERR_FORBIDDEN with *why; ERR_NOT_FOUND for an unknown
 * case; nothing changes on any error. */
err_t lapor_set(store_t *s, arena_t *ar, const actor_t *actor, int64_t case_id, const char *value,
                int64_t now, bool *changed, lapor_refusal *why) __attribute__((warn_unused_result));

/* The copy-ready text the liaison pastes into LAPOR!'s form (Indonesian,
 * as LAPOR! is): category, classification, kecamatan, the date and place,
 * the chronology (the citizen's description) and the local tracking code;
 * the reporter's name only when the case is neither anonim nor rahasia
 * (then a line asking LAPOR! to keep it so). In ar; never NULL. */
const char *lapor_summary(arena_t *ar, const store_case *c);

#endif

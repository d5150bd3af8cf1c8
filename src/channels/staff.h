/* staff: field officers on WhatsApp and emergency alerts (issue #6).
 *
 * - When a case is created: a category owned by another agency is
 *   forwarded there; a likely duplicate of an open case is flagged (and a
 *   WhatsApp reporter follows the master); an emergency goes straight to
 *   the nearest on-duty team, whose on-duty members get an alert with the
 *   buttons "Terima" / "Tidak bisa".
 * - Once a second the worker escalates alerts nobody accepted in time to
 *   the next-nearest on-duty team and tells the agency's supervisors.
 * - A message from a registered staff number is an officer's command:
 *   accept or decline, "sampai" (on site), photos, "selesai <catatan>",
 *   each through the same lifecycle and audit as the dashboard. */
#ifndef ADUAN_STAFF_H
#define ADUAN_STAFF_H

#include "channels/whatsapp/wa_in.h"
#include "core/config.h"
#include "store/store.h"

#define STAFF_WUR __attribute__((warn_unused_result))

/* Names of the approved templates; their exact text is in docs/WHATSAPP.md. */
#define BOT_TEMPLATE_ALERT "aduan_darurat"      /* {{1}} category, {{2}} location, {{3}} code */
#define BOT_TEMPLATE_STAFF "aduan_info_petugas" /* Info petugas, laporan {{1}}: {{2}} */

/* What a new case led to (for the caller's log and answer). */
typedef struct {
    int64_t forwarded_to; /* the new case in the owner agency, 0: none */
    int64_t duplicate_of; /* the master it likely repeats, 0: none */
    int64_t team_id;      /* the team an emergency went to, 0: none */
} staff_outcome;

/* Runs the rules above for a case just created (case_id). Safe to call
 * twice: every step is conditional on the case's state. */
err_t staff_case_created(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id, int64_t now,
                         staff_outcome *out) STAFF_WUR;

/* After a supervisor dispatched case_id by hand. An emergency nobody
 * accepted yet: alerts the chosen team's on-duty members and restarts the
 * wait. A complaint: tells the team's members (those on duty, else all)
 * by WhatsApp what to do. A no-op for a case not dispatched. */
err_t staff_case_dispatched(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id,
                            int64_t now) STAFF_WUR;

/* Escalates the alerts that waited cfg->alert_accept_seconds; at most
 * once a second (the worker thread calls it on every pass). Returns how
 * many cases it moved. */
int staff_tick(const config_t *cfg, store_t *s, int64_t now);

/* The staff member behind an inbound message to agency, when it is one
 * for the staff handler: a registered number with a role in the agency,
 * or any registered number answering an alert button. */
bool staff_route(store_t *s, arena_t *ar, const store_agency *agency, const wa_event *ev,
                 store_user *out);

/* Handles one message of staff member u (see staff_route): acts, and
 * answers through the outbox, in the conversation of u with the agency. */
err_t staff_handle(const config_t *cfg, store_t *s, arena_t *ar, const store_agency *agency,
                   const wa_event *ev, const store_user *u, int64_t now) STAFF_WUR;

#endif

/* survey_dialog: after a case is resolved, the reporter confirms it over
 * WhatsApp (Sudah / Belum) and, once it is closed, answers the IKM survey
 * of PermenPANRB 14/2017: the 9 unsur as interactive lists with the
 * regulation's labels, then an optional comment (issue #8).
 *
 * Choices carry their case in their ids ("res:yes:<case>",
 * "svy:start:<case>", "ikm:<case>:<unsur 1-9>:<value 1-4>"), so a tap works
 * whatever the dialogue was doing; typed answers use the conversation
 * states sv_reason, sv_q and sv_comment. Like the rest of the dialogue this
 * runs on the background worker (bot_text is read there only). */
#ifndef ADUAN_SURVEY_DIALOG_H
#define ADUAN_SURVEY_DIALOG_H

#include "channels/dialog.h"

/* Approved templates for outside the 24-hour window; their exact text is in
 * docs/WHATSAPP.md. Both carry two quick-reply buttons whose payloads are
 * the choice ids above. */
#define BOT_TEMPLATE_CONFIRM "aduan_konfirmasi_selesai" /* Laporan {{1}} ... {{2}} */
#define BOT_TEMPLATE_SURVEY  "aduan_survei_ikm"         /* Laporan {{1}} ... */

/* The hook in bot_step, before the step of state st: handles the
 * message when it belongs to the confirmation or the survey (a tap on
 * one of the choices above in any state, a typed answer in a survey
 * step, "sudah"/"belum"/"survei" in the idle state or the menu), setting
 * *next and returning true; d->err gets the error of a failed write.
 * Returns false, touching nothing, for any other message. May write: the
 * reporter's close or reopen, and the answer set (each idempotent, so a
 * retried message changes nothing twice). The survey's steps are the
 * table dlg_survey (channels/dialog.h). */
bool survey_step(dlg *d, dlg_state st, dlg_state *next);

/* The hook in bot_render_status: a status update about to go out for event
 * ev of case c (as it stands now). For a resolved case it becomes the
 * question "Apakah masalah sudah selesai?" with the buttons Sudah / Belum;
 * for a close it also invites the survey, unless the case's invitation went
 * out already or it was answered. text is the update's text; *message and
 * *template (neutral JSON, channels/channel.h) are replaced when this
 * applies. */
err_t survey_render(store_t *s, arena_t *ar, const store_case *c, const store_event *ev,
                    const char *lang, const char *text, const char **message,
                    const char **template);

/* Invites the reporter of case_id to the survey: queues the invitation
 * (buttons "Isi survei" / "Lain kali", or the approved template outside the
 * 24-hour window) unless the case's reporter was invited already or
 * answered, or the case did not come over WhatsApp (then nothing is sent).
 * For a close that does not go through a public transition (a public close
 * event's status update invites by itself, see survey_render); calling
 * it for any close is safe: a case is invited once. Background worker only. */
err_t survey_invite_queue(store_t *s, arena_t *ar, int64_t case_id, int64_t now)
    __attribute__((warn_unused_result));

#endif

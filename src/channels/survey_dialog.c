#include "channels/survey_dialog.h"

#include "channels/texts.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/cases.h"
#include "domain/ikm.h"
#include "domain/survey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* WhatsApp's limit on a list row's title (CLOUD-API-NOTES.md §4): a longer label
 * also goes in the row's description. */
#define ROW_TITLE_MAX 24
#define REASON_MIN    5
/* What the message log keeps of an answer: the survey is anonymous
 * towards officers, who can read the log. */
#define HIDDEN_ANSWER "(jawaban survei / survey answer)"

/* The intent of a template with body parameters and two quick-reply
 * buttons answering reply0 and reply1 (neutral JSON in the arena). */
static const char *msg_template(arena_t *ar, const char *name, const char *const *params, int n,
                                const char *reply0, const char *reply1)
{
    channel_choice replies[] = {{reply0, NULL, NULL}, {reply1, NULL, NULL}};
    channel_msg m = {.kind = CHANNEL_MSG_TEMPLATE,
                     .template = name,
                     .lang = "id",
                     .params = params,
                     .nparams = n,
                     .choices = replies,
                     .nchoices = 2};
    return channel_msg_json(ar, &m);
}

/* ---- the dialogue ---------------------------------------------------------- */

/* Leaves the survey's answers behind unless st is a survey step. */
static dlg_state finish(dlg *b, dlg_state st)
{
    if (dlg_part_of(st) != &dlg_survey)
        json_object_del(b->draft, "survey");
    return st;
}

static const char *shown(dlg *b, const store_case *c)
{
    char *o = arena_alloc(b->in->ar, IDS_SHOWN_BUF);
    if (o)
        ids_tracking_format(c->tracking_code, o);
    return o ? o : c->tracking_code;
}

static const char *label(const char *status, const char *lang)
{
    int st = status_parse(status);
    return st >= 0 ? status_label((case_status_t)st, lang) : status;
}

/* The case of a choice, when it is this reporter's with this agency. */
static bool own_case(dlg *b, int64_t id, store_case *c)
{
    return id > 0 && store_case_get(b->in->store, b->in->ar, id, c) == ERR_OK &&
           c->agency_id == b->in->agency->id && c->reporter_mobile &&
           strcmp(c->reporter_mobile, b->fx->address) == 0;
}

/* The reporter's newest case in one of the two statuses (NULL: any). */
static bool newest_case(dlg *b, const char *st1, const char *st2, store_case *c)
{
    store_case *cs;
    size_t n = 0;
    if (bot_cases_of(b->in, b->fx->address, 20, &cs, &n) != ERR_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cs[i].status, st1) || (st2 && !strcmp(cs[i].status, st2)))
            return store_case_get(b->in->store, b->in->ar, cs[i].id, c) == ERR_OK;
    return false;
}

static json_t *survey_obj(dlg *b, int64_t case_id, bool reset)
{
    json_t *o = json_object_get(b->draft, "survey");
    if (reset || !json_is_object(o) ||
        json_integer_value(json_object_get(o, "case")) != (json_int_t)case_id) {
        o = json_pack("{s:I, s:[]}", "case", (json_int_t)case_id, "a");
        json_object_set_new(b->draft, "survey", o);
    }
    return o;
}

static int64_t survey_case(dlg *b)
{
    return (int64_t)json_integer_value(
        json_object_get(json_object_get(b->draft, "survey"), "case"));
}

static size_t answered(dlg *b)
{
    return json_array_size(json_object_get(json_object_get(b->draft, "survey"), "a"));
}

/* Asks unsur u (0-based) of the survey of case_id. */
static dlg_state ask_question(dlg *b, int64_t case_id, int u)
{
    arena_t *ar = b->in->ar;
    char n[16];
    snprintf(n, sizeof n, "%d", u + 1);
    dlg_choice rows[4];
    for (int v = 4; v >= 1; v--) {
        const char *full = ikm_answer_label(u, v, b->lang);
        rows[4 - v] = (dlg_choice){arena_printf(ar, "ikm:%lld:%d:%d", (long long)case_id, u + 1, v),
                                   full, text_utf8_len(full) > ROW_TITLE_MAX ? full : NULL};
    }
    const char *body =
        bot_textf(ar, "sv_question", b->lang, "n", n, "unsur", ikm_unsur_name(u, b->lang),
                  "question", ikm_unsur_question(u, b->lang), NULL);
    dlg_list(b, body, bot_text("sv_answer_button", b->lang), ikm_unsur_code(u), rows, 4);
    return finish(b, DLG_SV_Q);
}

static dlg_state ask_comment(dlg *b, int64_t case_id)
{
    dlg_choice c[] = {{arena_printf(b->in->ar, "svy:skip:%lld", (long long)case_id),
                       bot_text("sv_skip", b->lang), NULL}};
    dlg_buttons(b, bot_text("sv_ask_comment", b->lang), c, 1);
    return finish(b, DLG_SV_COMMENT);
}

/* Starts (or, when already answered, declines) the survey of case c. */
static dlg_state start_survey(dlg *b, const store_case *c)
{
    bool invited, done;
    err_t e = store_survey_status(b->in->store, c->id, &invited, &done);
    if (e != ERR_OK) {
        b->err = e;
        return DLG_IDLE;
    }
    if (done) {
        dlg_say(b, bot_textf(b->in->ar, "sv_already", b->lang, "code", shown(b, c), NULL));
        return finish(b, DLG_IDLE);
    }
    if (strcmp(c->status, "closed") != 0) {
        dlg_say(b, bot_textf(b->in->ar, "sv_not_resolved", b->lang, "code", shown(b, c), "status",
                             label(c->status, b->lang), NULL));
        return finish(b, DLG_IDLE);
    }
    survey_obj(b, c->id, true);
    return ask_question(b, c->id, 0);
}

static dlg_state submit(dlg *b, const char *comment)
{
    int64_t case_id = survey_case(b);
    json_t *a = json_object_get(json_object_get(b->draft, "survey"), "a");
    if (!case_id || json_array_size(a) < IKM_UNSUR) {
        /* The answers are gone (e.g. the dialogue was restarted). */
        dlg_say(b, bot_text("sv_none", b->lang));
        return finish(b, DLG_IDLE);
    }
    int answers[STORE_SURVEY_UNSUR] = {0};
    for (size_t i = 0; i < STORE_SURVEY_UNSUR && i < json_array_size(a); i++)
        answers[i] = (int)json_integer_value(json_array_get(a, i));
    err_t e = store_survey_submit(b->in->store, case_id, answers, comment, survey_day(b->in->now),
                                  b->in->now);
    if (e == ERR_OK)
        log_info("wa", "event=survey_answered agency_id=%lld", (long long)b->in->agency->id);
    else if (e == ERR_NOT_FOUND) {
        dlg_say(b, bot_text("sv_none", b->lang));
        return finish(b, DLG_IDLE);
    } else if (e != ERR_CONFLICT) {
        /* ERR_CONFLICT: answered already (e.g. this very message, retried). */
        b->err = e;
        return DLG_IDLE;
    }
    b->fx->msg_body = HIDDEN_ANSWER;
    dlg_say(b, bot_text("sv_done", b->lang));
    return finish(b, DLG_IDLE);
}

/* A tapped or typed answer v (1..4) to unsur u (1-based) of case_id. */
static dlg_state on_answer(dlg *b, int64_t case_id, int u, int v)
{
    store_case c;
    b->fx->msg_body = HIDDEN_ANSWER;
    if (!own_case(b, case_id, &c) || v < 1 || v > 4 || u < 1 || u > IKM_UNSUR) {
        dlg_say(b, bot_text("sv_none", b->lang));
        return finish(b, DLG_IDLE);
    }
    if (u == 1 && (survey_case(b) != case_id || answered(b) != 0))
        survey_obj(b, case_id, true); /* a fresh start, e.g. from an old list */
    if (survey_case(b) != case_id || (size_t)(u - 1) != answered(b)) {
        /* Not the question we are at: ask that one again. */
        if (survey_case(b) != case_id)
            return start_survey(b, &c);
        if (answered(b) >= IKM_UNSUR)
            return ask_comment(b, case_id);
        return ask_question(b, case_id, (int)answered(b));
    }
    bool invited, done;
    if (store_survey_status(b->in->store, case_id, &invited, &done) == ERR_OK && done) {
        dlg_say(b, bot_textf(b->in->ar, "sv_already", b->lang, "code", shown(b, &c), NULL));
        return finish(b, DLG_IDLE);
    }
    if (strcmp(c.status, "closed") != 0) {
        /* An old list of a case reopened since. */
        dlg_say(b, bot_textf(b->in->ar, "sv_not_resolved", b->lang, "code", shown(b, &c), "status",
                             label(c.status, b->lang), NULL));
        return finish(b, DLG_IDLE);
    }
    json_array_append_new(json_object_get(json_object_get(b->draft, "survey"), "a"),
                          json_integer(v));
    if (u < IKM_UNSUR)
        return ask_question(b, case_id, u);
    return ask_comment(b, case_id);
}

/* Sudah (yes) or Belum (no) about the resolved case c. */
static dlg_state on_confirm(dlg *b, store_case *c, bool yes)
{
    const char *code = shown(b, c);
    if (yes) {
        if (strcmp(c->status, "resolved") == 0) {
            err_t e =
                survey_reporter_action(b->in->store, b->in->ar, c, ACT_CLOSE,
                                       "Pelapor menyatakan masalah sudah selesai.", b->in->now);
            if (e != ERR_OK && e != ERR_CONFLICT) {
                b->err = e;
                return DLG_IDLE;
            }
            if (store_case_get(b->in->store, b->in->ar, c->id, c) != ERR_OK) {
                b->err = ERR_DB;
                return DLG_IDLE;
            }
        }
        if (strcmp(c->status, "closed") != 0) {
            dlg_say(b, bot_textf(b->in->ar, "sv_not_resolved", b->lang, "code", code, "status",
                                 label(c->status, b->lang), NULL));
            return finish(b, DLG_IDLE);
        }
        /* The invitation is this answer: the close's update will not
         * invite again. */
        err_t e = store_survey_invite(b->in->store, c->id, 0, NULL, NULL, b->in->now, NULL);
        if (e != ERR_OK) {
            b->err = e;
            return DLG_IDLE;
        }
        dlg_say(b, bot_textf(b->in->ar, "sv_closed", b->lang, "code", code, NULL));
        return start_survey(b, c);
    }
    if (strcmp(c->status, "resolved") != 0 && strcmp(c->status, "closed") != 0) {
        dlg_say(b, bot_textf(b->in->ar, "sv_not_resolved", b->lang, "code", code, "status",
                             label(c->status, b->lang), NULL));
        return finish(b, DLG_IDLE);
    }
    json_object_set_new(b->draft, "survey", json_pack("{s:I}", "case", (json_int_t)c->id));
    dlg_say(b, bot_textf(b->in->ar, "sv_ask_reason", b->lang, "code", code, NULL));
    return finish(b, DLG_SV_REASON);
}

static dlg_state on_reason(dlg *b, const char *text)
{
    store_case c;
    const char *p;
    size_t len = text ? text_trim(text, &p) : 0;
    if (!own_case(b, survey_case(b), &c)) {
        dlg_say(b, bot_text("sv_none", b->lang));
        return finish(b, DLG_IDLE);
    }
    if (len < REASON_MIN) {
        dlg_say(b, bot_text("sv_reason_short", b->lang));
        return finish(b, DLG_SV_REASON);
    }
    const char *code = shown(b, &c);
    if (strcmp(c.status, "resolved") == 0 || strcmp(c.status, "closed") == 0) {
        const char *reason =
            text_cut(b->in->ar, arena_strndup(b->in->ar, p, len), SURVEY_REASON_MAX);
        err_t e =
            survey_reporter_action(b->in->store, b->in->ar, &c, ACT_REOPEN, reason, b->in->now);
        if (e != ERR_OK && e != ERR_CONFLICT) {
            b->err = e;
            return DLG_IDLE;
        }
        if (e == ERR_OK || (store_case_get(b->in->store, b->in->ar, c.id, &c) == ERR_OK &&
                            strcmp(c.status, "reopened") == 0)) {
            dlg_say(b, bot_textf(b->in->ar, "sv_reopened", b->lang, "code", code, NULL));
            return finish(b, DLG_IDLE);
        }
    }
    dlg_say(b, bot_textf(b->in->ar, "sv_not_resolved", b->lang, "code", code, "status",
                         label(c.status, b->lang), NULL));
    return finish(b, DLG_IDLE);
}

/* "<prefix><case>" or "<prefix><case>:<u>:<v>" */
static int64_t id_case(const char *id, const char *prefix, int *u, int *v)
{
    size_t n = strlen(prefix);
    if (strncmp(id, prefix, n) != 0)
        return 0;
    char *end;
    long long c = strtoll(id + n, &end, 10);
    if (c <= 0)
        return 0;
    if (!u)
        return *end ? 0 : c;
    if (*end != ':')
        return 0;
    long a = strtol(end + 1, &end, 10);
    if (*end != ':')
        return 0;
    long b = strtol(end + 1, &end, 10);
    if (*end || a < 1 || a > 9 || b < 1 || b > 4)
        return 0;
    *u = (int)a;
    *v = (int)b;
    return c;
}

/* A tap on a choice that names its case: works whatever the dialogue was
 * doing. DLG_PASS for any other choice. */
static dlg_state on_tap(dlg *b, dlg_state st)
{
    const char *id = b->in->ev->reply_id;
    store_case c;
    int64_t k;
    int u = 0, v = 0;
    if ((k = id_case(id, "res:yes:", NULL, NULL)) || (k = id_case(id, "res:no:", NULL, NULL))) {
        if (own_case(b, k, &c))
            return on_confirm(b, &c, id[4] == 'y');
    } else if ((k = id_case(id, "svy:start:", NULL, NULL))) {
        if (own_case(b, k, &c))
            return start_survey(b, &c);
    } else if ((k = id_case(id, "svy:later:", NULL, NULL))) {
        dlg_say(b, bot_text("sv_later_ok", b->lang));
        return finish(b, DLG_IDLE);
    } else if ((k = id_case(id, "svy:skip:", NULL, NULL))) {
        if (st == DLG_SV_COMMENT && survey_case(b) == k)
            return submit(b, NULL);
    } else if ((k = id_case(id, "ikm:", &u, &v))) {
        return on_answer(b, k, u, v);
    } else {
        return DLG_PASS;
    }
    dlg_say(b, bot_text("sv_none", b->lang));
    return finish(b, DLG_IDLE);
}

/* In the idle state or the menu: "sudah"/"belum" about the newest
 * resolved case, "survei" for the newest closed one not answered. */
static dlg_state idle_words(dlg *b)
{
    const bot_in *in = b->in;
    const char *t = in->ev->text;
    store_case c;
    if (t && (dlg_is_word(t, "sudah", "belum") || dlg_is_word(t, "yes", "not yet"))) {
        bool yes = dlg_is_word(t, "sudah", "yes");
        return newest_case(b, "resolved", yes ? NULL : "closed", &c) ? on_confirm(b, &c, yes)
                                                                     : DLG_PASS;
    }
    if (!t || !dlg_is_word(t, "survei", "survey"))
        return DLG_PASS;
    store_case *cs;
    size_t n = 0;
    if (bot_cases_of(in, b->fx->address, 20, &cs, &n) == ERR_OK)
        for (size_t i = 0; i < n; i++) {
            bool invited, answered_;
            if (!strcmp(cs[i].status, "closed") &&
                store_survey_status(in->store, cs[i].id, &invited, &answered_) == ERR_OK &&
                !answered_) {
                if (store_case_get(in->store, in->ar, cs[i].id, &c) == ERR_OK)
                    return start_survey(b, &c);
                b->err = ERR_DB;
                return DLG_IDLE;
            }
        }
    dlg_say(b, bot_text("sv_none", b->lang));
    return finish(b, DLG_IDLE);
}

/* ---- the typed answers (on_input) ----------------------------------------------- */

/* Reached from the generic step only for a message that is no text (or
 * another sub-dialogue's tap): the menu answers those. */

static dlg_state in_reason(dlg *b)
{
    if (b->in->ev->reply_id)
        return dlg_menu(b);
    return on_reason(b, b->in->ev->text);
}

static dlg_state in_question(dlg *b)
{
    const wa_event *ev = b->in->ev;
    const char *p;
    if (ev->reply_id || !ev->text)
        return dlg_menu(b);
    if (survey_case(b) == 0) {
        dlg_say(b, bot_text("sv_none", b->lang));
        return finish(b, DLG_IDLE);
    }
    size_t n = text_trim(ev->text, &p);
    if (n == 1 && *p >= '1' && *p <= '4')
        return on_answer(b, survey_case(b), (int)answered(b) + 1, *p - '0');
    return ask_question(b, survey_case(b), (int)answered(b) % IKM_UNSUR);
}

static dlg_state in_comment(dlg *b)
{
    const wa_event *ev = b->in->ev;
    const char *p;
    if (ev->reply_id || !ev->text)
        return dlg_menu(b);
    if (dlg_is_word(ev->text, "lewati", "skip"))
        return submit(b, NULL);
    size_t n = text_trim(ev->text, &p);
    return submit(b, n ? text_cut(b->in->ar, arena_strndup(b->in->ar, p, n), SURVEY_COMMENT_MAX)
                       : NULL);
}

static const dlg_step steps[] = {
    {DLG_SV_REASON, "sv_reason", NULL, in_reason, 0},
    {DLG_SV_Q, "sv_q", NULL, in_question, 0},
    {DLG_SV_COMMENT, "sv_comment", NULL, in_comment, 0},
};
const dlg_part dlg_survey = {"survey", steps, sizeof steps / sizeof *steps};

bool survey_step(dlg *d, dlg_state st, dlg_state *next)
{
    const wa_event *ev = d->in->ev;
    *next = DLG_PASS;
    if (ev->reply_id)
        *next = on_tap(d, st);
    else if (dlg_part_of(st) == &dlg_survey && (ev->text || st == DLG_SV_REASON))
        *next = dlg_step_of(st)->on_input(d);
    else if (st == DLG_IDLE || st == DLG_MENU)
        *next = idle_words(d);
    return *next != DLG_PASS || d->err != ERR_OK;
}

/* ---- outgoing ----------------------------------------------------------------- */

static const char *invite_buttons(arena_t *ar, const char *lead, const char *code, int64_t case_id,
                                  const char *lang)
{
    const char *body = bot_textf(ar, "sv_invite", lang, "code", code, NULL);
    if (lead)
        body = arena_printf(ar, "%s\n\n%s", lead, body);
    dlg_choice c[] = {
        {arena_printf(ar, "svy:start:%lld", (long long)case_id), bot_text("sv_start", lang), NULL},
        {arena_printf(ar, "svy:later:%lld", (long long)case_id), bot_text("sv_later", lang), NULL}};
    return dlg_buttons_json(ar, body, c, 2);
}

static const char *invite_template(arena_t *ar, const char *code, int64_t case_id)
{
    const char *params[] = {code};
    return msg_template(ar, BOT_TEMPLATE_SURVEY, params, 1,
                        arena_printf(ar, "svy:start:%lld", (long long)case_id),
                        arena_printf(ar, "svy:later:%lld", (long long)case_id));
}

err_t survey_render(store_t *s, arena_t *ar, const store_case *c, const store_event *ev,
                    const char *lang, const char *text, const char **message, const char **template)
{
    char code[IDS_SHOWN_BUF];
    ids_tracking_format(c->tracking_code, code);
    if (!strcmp(ev->to_status, "resolved") && !strcmp(c->status, "resolved")) {
        dlg_choice ch[] = {
            {arena_printf(ar, "res:yes:%lld", (long long)c->id), bot_text("sv_yes", lang), NULL},
            {arena_printf(ar, "res:no:%lld", (long long)c->id), bot_text("sv_no", lang), NULL}};
        *message = dlg_buttons_json(
            ar, arena_printf(ar, "%s\n\n%s", text, bot_text("sv_confirm", lang)), ch, 2);
        /* The result the reporter confirms: the message to them, never the
         * internal note. */
        const char *params[] = {code, ev->public_note};
        *template = msg_template(ar, BOT_TEMPLATE_CONFIRM, params, 2, ch[0].id, ch[1].id);
        return *message && *template ? ERR_OK : ERR_NOMEM;
    }
    /* A case its reporter withdrew gets no survey (issue 16). */
    if (!strcmp(ev->to_status, "closed") && strcmp(ev->action, "withdraw") != 0) {
        bool mine = false;
        err_t e = store_survey_invite(s, c->id, ev->id, NULL, NULL, clock_now(), &mine);
        if (e != ERR_OK || !mine)
            return e;
        *message = invite_buttons(ar, text, code, c->id, lang);
        *template = invite_template(ar, code, c->id);
        return *message && *template ? ERR_OK : ERR_NOMEM;
    }
    return ERR_OK;
}

err_t survey_invite_queue(store_t *s, arena_t *ar, int64_t case_id, int64_t now)
{
    store_case c;
    store_conv conv;
    char code[IDS_SHOWN_BUF];
    err_t e = store_case_get(s, ar, case_id, &c);
    if (e != ERR_OK)
        return e;
    if (!case_notifies(&c))
        return store_survey_invite(s, case_id, 0, NULL, NULL, now, NULL);
    const char *lang = "id";
    if (store_conv_get(s, ar, c.agency_id, WA_CHANNEL, c.reporter_mobile, &conv) == ERR_OK &&
        conv.lang && !strcmp(conv.lang, "en"))
        lang = "en";
    ids_tracking_format(c.tracking_code, code);
    const char *message = invite_buttons(ar, NULL, code, c.id, lang);
    const char *template = invite_template(ar, code, c.id);
    if (!message || !template)
        return ERR_NOMEM;
    return store_survey_invite(s, case_id, 0, message, template, now, NULL);
}

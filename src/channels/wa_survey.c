#include "channels/wa_survey.h"

#include "channels/whatsapp/wa_text.h"
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

/* WhatsApp's limits on interactive messages (CLOUD-API-NOTES.md §4). */
#define BUTTON_TITLE_MAX 20
#define ROW_TITLE_MAX    24
#define ROW_DESC_MAX     72
#define BODY_MAX         1024
#define REASON_MIN       5
/* What the message log keeps of an answer: the survey is anonymous
 * towards officers, who can read the log. */
#define HIDDEN_ANSWER "(jawaban survei / survey answer)"

static const char *dump(arena_t *ar, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return NULL;
    char *out = arena_strdup(ar, s);
    free(s);
    return out;
}

/* Cuts s to at most max code points, ending with an ellipsis. */
static const char *cut(arena_t *ar, const char *s, size_t max)
{
    if (!s || text_utf8_len(s) <= max)
        return s;
    size_t bytes = 0, cps = 0;
    while (s[bytes] && cps < max - 1) {
        bytes++;
        while ((s[bytes] & 0xC0) == 0x80)
            bytes++;
        cps++;
    }
    return arena_printf(ar, "%.*s…", (int)bytes, s);
}

static const char *msg_buttons(arena_t *ar, const char *to, const char *body,
                               const char *const *ids, const char *const *titles, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s, s:{s:s, s:s}}", "type", "reply", "reply", "id",
                                        ids[i], "title", cut(ar, titles[i], BUTTON_TITLE_MAX)));
    return dump(ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:{s:o}}}",
                              "messaging_product", "whatsapp", "recipient_type", "individual", "to",
                              to, "type", "interactive", "interactive", "type", "button", "body",
                              "text", cut(ar, body, BODY_MAX), "action", "buttons", arr));
}

/* A template with body parameters and two quick-reply buttons. */
static const char *msg_template(arena_t *ar, const char *to, const char *name,
                                const char *const *params, int n, const char *payload0,
                                const char *payload1)
{
    json_t *ps = json_array(), *comps = json_array();
    for (int i = 0; ps && i < n; i++)
        json_array_append_new(
            ps, json_pack("{s:s, s:s}", "type", "text", "text",
                          params[i] && *params[i] ? wa_template_value(ar, params[i]) : "-"));
    json_array_append_new(comps, json_pack("{s:s, s:o}", "type", "body", "parameters", ps));
    const char *payloads[2] = {payload0, payload1};
    for (int i = 0; i < 2; i++)
        json_array_append_new(comps,
                              json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}]}", "type", "button",
                                        "sub_type", "quick_reply", "index", i ? "1" : "0",
                                        "parameters", "type", "payload", "payload", payloads[i]));
    return dump(ar,
                json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:o}}", "messaging_product",
                          "whatsapp", "recipient_type", "individual", "to", to, "type", "template",
                          "template", "name", name, "language", "code", "id", "components", comps));
}

/* ---- the dialogue ---------------------------------------------------------- */

typedef struct {
    const wa_bot_in *in;
    store_wa_effects *fx;
    const char *lang;
    json_t *draft;
    err_t err;
} sv;

static void out(sv *b, const char *payload)
{
    if (payload && b->fx->nout < STORE_WA_OUT_MAX)
        b->fx->out[b->fx->nout++] = (store_wa_out){"reply", payload, NULL, false};
}

static void say(sv *b, const char *text) { out(b, wa_msg_text(b->in->ar, b->fx->wa_id, text)); }

static bool finish(sv *b, const char *state)
{
    if (strncmp(state, "sv_", 3) != 0)
        json_object_del(b->draft, "survey");
    b->fx->state = state;
    b->fx->draft = dump(b->in->ar, json_incref(b->draft));
    b->fx->lang = b->lang;
    return true;
}

static const char *shown(sv *b, const store_case *c)
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
static bool own_case(sv *b, int64_t id, store_case *c)
{
    return id > 0 && store_case_get(b->in->store, b->in->ar, id, c) == ERR_OK &&
           c->agency_id == b->in->agency->id && c->reporter_wa_id &&
           strcmp(c->reporter_wa_id, b->fx->wa_id) == 0;
}

/* The reporter's newest case in one of the two statuses (NULL: any). */
static bool newest_case(sv *b, const char *st1, const char *st2, store_case *c)
{
    store_case *cs;
    size_t n = 0;
    if (store_case_list_for_wa(b->in->store, b->in->ar, b->in->agency->id, b->fx->wa_id, 20, &cs,
                               &n) != ERR_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cs[i].status, st1) || (st2 && !strcmp(cs[i].status, st2)))
            return store_case_get(b->in->store, b->in->ar, cs[i].id, c) == ERR_OK;
    return false;
}

static json_t *survey_obj(sv *b, int64_t case_id, bool reset)
{
    json_t *o = json_object_get(b->draft, "survey");
    if (reset || !json_is_object(o) ||
        json_integer_value(json_object_get(o, "case")) != (json_int_t)case_id) {
        o = json_pack("{s:I, s:[]}", "case", (json_int_t)case_id, "a");
        json_object_set_new(b->draft, "survey", o);
    }
    return o;
}

static int64_t survey_case(sv *b)
{
    return (int64_t)json_integer_value(
        json_object_get(json_object_get(b->draft, "survey"), "case"));
}

static size_t answered(sv *b)
{
    return json_array_size(json_object_get(json_object_get(b->draft, "survey"), "a"));
}

/* Asks unsur u (0-based) of the survey of case_id. */
static bool ask_question(sv *b, int64_t case_id, int u)
{
    arena_t *ar = b->in->ar;
    char n[16];
    snprintf(n, sizeof n, "%d", u + 1);
    json_t *rows = json_array();
    for (int v = 4; rows && v >= 1; v--) {
        const char *full = ikm_answer_label(u, v, b->lang);
        json_t *r = json_pack("{s:s, s:s}", "id",
                              arena_printf(ar, "ikm:%lld:%d:%d", (long long)case_id, u + 1, v),
                              "title", cut(ar, full, ROW_TITLE_MAX));
        if (r && text_utf8_len(full) > ROW_TITLE_MAX)
            json_object_set_new(r, "description", json_string(cut(ar, full, ROW_DESC_MAX)));
        json_array_append_new(rows, r);
    }
    const char *body =
        wa_textf(ar, "sv_question", b->lang, "n", n, "unsur", ikm_unsur_name(u, b->lang),
                 "question", ikm_unsur_question(u, b->lang), NULL);
    out(b, dump(ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:{s:s, s:[{s:s, s:o}]}}}",
                              "messaging_product", "whatsapp", "recipient_type", "individual", "to",
                              b->fx->wa_id, "type", "interactive", "interactive", "type", "list",
                              "body", "text", cut(ar, body, BODY_MAX), "action", "button",
                              cut(ar, wa_text("sv_answer_button", b->lang), BUTTON_TITLE_MAX),
                              "sections", "title", cut(ar, ikm_unsur_code(u), ROW_TITLE_MAX),
                              "rows", rows)));
    return finish(b, "sv_q");
}

static void ask_comment(sv *b, int64_t case_id)
{
    const char *ids[] = {arena_printf(b->in->ar, "svy:skip:%lld", (long long)case_id)};
    const char *titles[] = {wa_text("sv_skip", b->lang)};
    out(b,
        msg_buttons(b->in->ar, b->fx->wa_id, wa_text("sv_ask_comment", b->lang), ids, titles, 1));
    finish(b, "sv_comment");
}

/* Starts (or, when already answered, declines) the survey of case c. */
static bool start_survey(sv *b, const store_case *c)
{
    bool invited, done;
    err_t e = store_survey_status(b->in->store, c->id, &invited, &done);
    if (e != ERR_OK) {
        b->err = e;
        return true;
    }
    if (done) {
        say(b, wa_textf(b->in->ar, "sv_already", b->lang, "code", shown(b, c), NULL));
        return finish(b, "idle");
    }
    if (strcmp(c->status, "closed") != 0) {
        say(b, wa_textf(b->in->ar, "sv_not_resolved", b->lang, "code", shown(b, c), "status",
                        label(c->status, b->lang), NULL));
        return finish(b, "idle");
    }
    survey_obj(b, c->id, true);
    return ask_question(b, c->id, 0);
}

static bool submit(sv *b, const char *comment)
{
    int64_t case_id = survey_case(b);
    json_t *a = json_object_get(json_object_get(b->draft, "survey"), "a");
    if (!case_id || json_array_size(a) < IKM_UNSUR) {
        /* The answers are gone (e.g. the dialogue was restarted). */
        say(b, wa_text("sv_none", b->lang));
        return finish(b, "idle");
    }
    int answers[STORE_SURVEY_UNSUR] = {0};
    for (size_t i = 0; i < STORE_SURVEY_UNSUR && i < json_array_size(a); i++)
        answers[i] = (int)json_integer_value(json_array_get(a, i));
    err_t e = store_survey_submit(b->in->store, case_id, answers, comment, survey_day(b->in->now),
                                  b->in->now);
    if (e == ERR_OK)
        log_info("wa", "event=survey_answered agency_id=%lld", (long long)b->in->agency->id);
    else if (e == ERR_NOT_FOUND) {
        say(b, wa_text("sv_none", b->lang));
        return finish(b, "idle");
    } else if (e != ERR_CONFLICT) {
        /* ERR_CONFLICT: answered already (e.g. this very message, retried). */
        b->err = e;
        return true;
    }
    b->fx->msg_body = HIDDEN_ANSWER;
    say(b, wa_text("sv_done", b->lang));
    return finish(b, "idle");
}

/* A tapped or typed answer v (1..4) to unsur u (1-based) of case_id. */
static bool on_answer(sv *b, int64_t case_id, int u, int v)
{
    store_case c;
    b->fx->msg_body = HIDDEN_ANSWER;
    if (!own_case(b, case_id, &c) || v < 1 || v > 4 || u < 1 || u > IKM_UNSUR) {
        say(b, wa_text("sv_none", b->lang));
        return finish(b, "idle");
    }
    if (u == 1 && (survey_case(b) != case_id || answered(b) != 0))
        survey_obj(b, case_id, true); /* a fresh start, e.g. from an old list */
    if (survey_case(b) != case_id || (size_t)(u - 1) != answered(b)) {
        /* Not the question we are at: ask that one again. */
        if (survey_case(b) != case_id)
            return start_survey(b, &c);
        if (answered(b) >= IKM_UNSUR) {
            ask_comment(b, case_id);
            return true;
        }
        return ask_question(b, case_id, (int)answered(b));
    }
    bool invited, done;
    if (store_survey_status(b->in->store, case_id, &invited, &done) == ERR_OK && done) {
        say(b, wa_textf(b->in->ar, "sv_already", b->lang, "code", shown(b, &c), NULL));
        return finish(b, "idle");
    }
    if (strcmp(c.status, "closed") != 0) {
        /* An old list of a case reopened since. */
        say(b, wa_textf(b->in->ar, "sv_not_resolved", b->lang, "code", shown(b, &c), "status",
                        label(c.status, b->lang), NULL));
        return finish(b, "idle");
    }
    json_array_append_new(json_object_get(json_object_get(b->draft, "survey"), "a"),
                          json_integer(v));
    if (u < IKM_UNSUR)
        return ask_question(b, case_id, u);
    ask_comment(b, case_id);
    return true;
}

/* Sudah (yes) or Belum (no) about the resolved case c. */
static bool on_confirm(sv *b, store_case *c, bool yes)
{
    const char *code = shown(b, c);
    if (yes) {
        if (strcmp(c->status, "resolved") == 0) {
            err_t e =
                survey_reporter_action(b->in->store, b->in->ar, c, ACT_CLOSE,
                                       "Pelapor menyatakan masalah sudah selesai.", b->in->now);
            if (e != ERR_OK && e != ERR_CONFLICT) {
                b->err = e;
                return true;
            }
            if (store_case_get(b->in->store, b->in->ar, c->id, c) != ERR_OK) {
                b->err = ERR_DB;
                return true;
            }
        }
        if (strcmp(c->status, "closed") != 0) {
            say(b, wa_textf(b->in->ar, "sv_not_resolved", b->lang, "code", code, "status",
                            label(c->status, b->lang), NULL));
            return finish(b, "idle");
        }
        /* The invitation is this answer: the close's update will not
         * invite again. */
        err_t e = store_survey_invite(b->in->store, c->id, 0, NULL, NULL, b->in->now, NULL);
        if (e != ERR_OK) {
            b->err = e;
            return true;
        }
        say(b, wa_textf(b->in->ar, "sv_closed", b->lang, "code", code, NULL));
        return start_survey(b, c);
    }
    if (strcmp(c->status, "resolved") != 0 && strcmp(c->status, "closed") != 0) {
        say(b, wa_textf(b->in->ar, "sv_not_resolved", b->lang, "code", code, "status",
                        label(c->status, b->lang), NULL));
        return finish(b, "idle");
    }
    json_object_set_new(b->draft, "survey", json_pack("{s:I}", "case", (json_int_t)c->id));
    say(b, wa_textf(b->in->ar, "sv_ask_reason", b->lang, "code", code, NULL));
    return finish(b, "sv_reason");
}

static bool on_reason(sv *b, const char *text)
{
    store_case c;
    const char *p;
    size_t len = text ? text_trim(text, &p) : 0;
    if (!own_case(b, survey_case(b), &c)) {
        say(b, wa_text("sv_none", b->lang));
        return finish(b, "idle");
    }
    if (len < REASON_MIN) {
        say(b, wa_text("sv_reason_short", b->lang));
        return finish(b, "sv_reason");
    }
    const char *code = shown(b, &c);
    if (strcmp(c.status, "resolved") == 0 || strcmp(c.status, "closed") == 0) {
        const char *reason = cut(b->in->ar, arena_strndup(b->in->ar, p, len), SURVEY_REASON_MAX);
        err_t e =
            survey_reporter_action(b->in->store, b->in->ar, &c, ACT_REOPEN, reason, b->in->now);
        if (e != ERR_OK && e != ERR_CONFLICT) {
            b->err = e;
            return true;
        }
        if (e == ERR_OK || (store_case_get(b->in->store, b->in->ar, c.id, &c) == ERR_OK &&
                            strcmp(c.status, "reopened") == 0)) {
            say(b, wa_textf(b->in->ar, "sv_reopened", b->lang, "code", code, NULL));
            return finish(b, "idle");
        }
    }
    say(b, wa_textf(b->in->ar, "sv_not_resolved", b->lang, "code", code, "status",
                    label(c.status, b->lang), NULL));
    return finish(b, "idle");
}

static bool word(const char *text, const char *a, const char *b2)
{
    if (!text)
        return false;
    const char *p;
    size_t n = text_trim(text, &p);
    return (strlen(a) == n && strncasecmp(p, a, n) == 0) ||
           (b2 && strlen(b2) == n && strncasecmp(p, b2, n) == 0);
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

bool wa_survey_step(const wa_bot_in *in, store_wa_effects *fx, const char *state, const char *lang,
                    json_t *draft, err_t *err)
{
    sv b = {in, fx, lang, draft, ERR_OK};
    const wa_event *ev = in->ev;
    const char *id = ev->reply_id;
    store_case c;
    int64_t k;
    int u = 0, v = 0;
    bool done = false;
    bool idle = !strcmp(state, "idle") || !strcmp(state, "menu");
    if (id) {
        if ((k = id_case(id, "res:yes:", NULL, NULL)) || (k = id_case(id, "res:no:", NULL, NULL))) {
            if (own_case(&b, k, &c))
                done = on_confirm(&b, &c, id[4] == 'y');
            else {
                say(&b, wa_text("sv_none", lang));
                done = finish(&b, "idle");
            }
        } else if ((k = id_case(id, "svy:start:", NULL, NULL))) {
            if (own_case(&b, k, &c))
                done = start_survey(&b, &c);
            else {
                say(&b, wa_text("sv_none", lang));
                done = finish(&b, "idle");
            }
        } else if ((k = id_case(id, "svy:later:", NULL, NULL))) {
            say(&b, wa_text("sv_later_ok", lang));
            done = finish(&b, "idle");
        } else if ((k = id_case(id, "svy:skip:", NULL, NULL))) {
            if (!strcmp(state, "sv_comment") && survey_case(&b) == k)
                done = submit(&b, NULL);
            else {
                say(&b, wa_text("sv_none", lang));
                done = finish(&b, "idle");
            }
        } else if ((k = id_case(id, "ikm:", &u, &v))) {
            done = on_answer(&b, k, u, v);
        }
    } else if (!strcmp(state, "sv_reason")) {
        done = on_reason(&b, ev->text);
    } else if (!strcmp(state, "sv_q") && ev->text && survey_case(&b) == 0) {
        say(&b, wa_text("sv_none", lang));
        done = finish(&b, "idle");
    } else if (!strcmp(state, "sv_q") && ev->text) {
        const char *p;
        size_t n = text_trim(ev->text, &p);
        if (n == 1 && *p >= '1' && *p <= '4')
            done = on_answer(&b, survey_case(&b), (int)answered(&b) + 1, *p - '0');
        else
            done = ask_question(&b, survey_case(&b), (int)answered(&b) % IKM_UNSUR);
    } else if (!strcmp(state, "sv_comment") && ev->text) {
        if (word(ev->text, "lewati", "skip"))
            done = submit(&b, NULL);
        else {
            const char *p;
            size_t n = text_trim(ev->text, &p);
            done =
                submit(&b, n ? cut(in->ar, arena_strndup(in->ar, p, n), SURVEY_COMMENT_MAX) : NULL);
        }
    } else if (!idle) {
        /* Elsewhere in the dialogue the words below mean something else. */
    } else if (ev->text && (word(ev->text, "sudah", "belum") || word(ev->text, "yes", "not yet"))) {
        bool yes = word(ev->text, "sudah", "yes");
        if (newest_case(&b, "resolved", yes ? NULL : "closed", &c))
            done = on_confirm(&b, &c, yes);
    } else if (ev->text && word(ev->text, "survei", "survey")) {
        store_case *cs;
        size_t n = 0;
        bool found = false;
        if (store_case_list_for_wa(in->store, in->ar, in->agency->id, fx->wa_id, 20, &cs, &n) ==
            ERR_OK)
            for (size_t i = 0; i < n && !found; i++) {
                bool invited, answered_;
                if (!strcmp(cs[i].status, "closed") &&
                    store_survey_status(in->store, cs[i].id, &invited, &answered_) == ERR_OK &&
                    !answered_) {
                    found = true;
                    if (store_case_get(in->store, in->ar, cs[i].id, &c) == ERR_OK)
                        done = start_survey(&b, &c);
                    else
                        b.err = ERR_DB;
                }
            }
        if (!found) {
            say(&b, wa_text("sv_none", lang));
            done = finish(&b, "idle");
        }
    }
    *err = b.err;
    return done || b.err != ERR_OK;
}

/* ---- outgoing ----------------------------------------------------------------- */

static const char *invite_buttons(arena_t *ar, const char *to, const char *lead, const char *code,
                                  int64_t case_id, const char *lang)
{
    const char *body = wa_textf(ar, "sv_invite", lang, "code", code, NULL);
    if (lead)
        body = arena_printf(ar, "%s\n\n%s", lead, body);
    const char *ids[] = {arena_printf(ar, "svy:start:%lld", (long long)case_id),
                         arena_printf(ar, "svy:later:%lld", (long long)case_id)};
    const char *titles[] = {wa_text("sv_start", lang), wa_text("sv_later", lang)};
    return msg_buttons(ar, to, body, ids, titles, 2);
}

static const char *invite_template(arena_t *ar, const char *to, const char *code, int64_t case_id)
{
    const char *params[] = {code};
    return msg_template(ar, to, WA_TEMPLATE_SURVEY, params, 1,
                        arena_printf(ar, "svy:start:%lld", (long long)case_id),
                        arena_printf(ar, "svy:later:%lld", (long long)case_id));
}

err_t wa_survey_render(store_t *s, arena_t *ar, const store_case *c, const store_event *ev,
                       const char *wa_id, const char *lang, const char *text, const char **payload,
                       const char **template)
{
    char code[IDS_SHOWN_BUF];
    ids_tracking_format(c->tracking_code, code);
    if (!strcmp(ev->to_status, "resolved") && !strcmp(c->status, "resolved")) {
        const char *ids[] = {arena_printf(ar, "res:yes:%lld", (long long)c->id),
                             arena_printf(ar, "res:no:%lld", (long long)c->id)};
        const char *titles[] = {wa_text("sv_yes", lang), wa_text("sv_no", lang)};
        *payload =
            msg_buttons(ar, wa_id, arena_printf(ar, "%s\n\n%s", text, wa_text("sv_confirm", lang)),
                        ids, titles, 2);
        /* The result the reporter confirms: the message to them, never the
         * internal note. */
        const char *params[] = {code, ev->public_note};
        *template = msg_template(ar, wa_id, WA_TEMPLATE_CONFIRM, params, 2, ids[0], ids[1]);
        return *payload && *template ? ERR_OK : ERR_NOMEM;
    }
    if (!strcmp(ev->to_status, "closed")) {
        bool mine = false;
        err_t e = store_survey_invite(s, c->id, ev->id, NULL, NULL, clock_now(), &mine);
        if (e != ERR_OK || !mine)
            return e;
        *payload = invite_buttons(ar, wa_id, text, code, c->id, lang);
        *template = invite_template(ar, wa_id, code, c->id);
        return *payload && *template ? ERR_OK : ERR_NOMEM;
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
    if (!case_on_whatsapp(&c))
        return store_survey_invite(s, case_id, 0, NULL, NULL, now, NULL);
    const char *lang = "id";
    if (store_conv_get(s, ar, c.agency_id, WA_CHANNEL, c.reporter_wa_id, &conv) == ERR_OK &&
        conv.lang && !strcmp(conv.lang, "en"))
        lang = "en";
    ids_tracking_format(c.tracking_code, code);
    const char *payload = invite_buttons(ar, c.reporter_wa_id, NULL, code, c.id, lang);
    const char *template = invite_template(ar, c.reporter_wa_id, code, c.id);
    if (!payload || !template)
        return ERR_NOMEM;
    return store_survey_invite(s, case_id, 0, payload, template, now, NULL);
}

#include "channels/bot.h"

#include "channels/dialog.h"
#include "channels/survey_dialog.h"
#include "channels/svc_dialog.h"
#include "channels/texts.h"
#include "channels/whatsapp/wa.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/text.h"
#include "domain/lifecycle.h"
#include "domain/regions.h"
#include "domain/withdraw.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DESCRIPTION_MIN 10
/* An emergency's description gathers the citizen's own words: the opening
 * message, what is typed before the location, what comes after. Cases
 * hold at most this many characters (CASE_DESCRIPTION_MAX). */
#define DESCRIPTION_MAX 4000
#define WORDS_MAX       1000
/* An opening shorter than this ("p", "1", "tes") says nothing. */
#define WORDS_MIN 5
/* A typed address: shorter says nothing; longer is cut (characters). */
#define ADDRESS_MIN 5
#define ADDRESS_MAX 500

const char *bot_status_text(arena_t *ar, const char *tracking_code, const char *kind,
                            const store_event *ev, const char *lang)
{
    char shown[IDS_SHOWN_BUF];
    int st = status_parse(ev->to_status);
    const char *label = st >= 0 ? status_label((case_status_t)st, lang) : ev->to_status;
    const char *note = ev->public_note ? text_cut(ar, ev->public_note, 600) : NULL;
    if (!note && strcmp(ev->action, "withdraw") == 0)
        note = withdrawn_label(lang);
    ids_tracking_format(tracking_code, shown);
    bool service = kind && strcmp(kind, "service") == 0;
    return bot_textf(ar, service ? "svc_status_update" : "status_update", lang, "code", shown,
                     "status", label, "note", note ? arena_printf(ar, "\n%s", note) : "", NULL);
}

err_t bot_render_status(store_t *s, arena_t *ar, int64_t case_id, int64_t event_id,
                        const char *lang, const char **message, const char **template)
{
    store_case c;
    store_event *ev;
    size_t n;
    char shown[IDS_SHOWN_BUF];
    err_t e = store_case_get(s, ar, case_id, &c);
    if (e == ERR_OK)
        e = store_case_events(s, ar, case_id, &ev, &n);
    if (e != ERR_OK)
        return e;
    const store_event *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (ev[i].id == event_id)
            found = &ev[i];
    if (!found)
        return ERR_NOT_FOUND;
    int st = status_parse(found->to_status);
    const char *label = st >= 0 ? status_label((case_status_t)st, lang) : found->to_status;
    ids_tracking_format(c.tracking_code, shown);
    /* Only the message to the reporter: staff's internal note never leaves. */
    const char *note = found->public_note ? text_cut(ar, found->public_note, 600) : NULL;
    const char *text = bot_status_text(ar, c.tracking_code, c.kind, found, lang);
    channel_msg plain = {.kind = CHANNEL_MSG_TEXT, .text = text};
    *message = channel_msg_json(ar, &plain);
    /* The agency's approved template, in its language (Indonesian unless
     * set otherwise) whatever the dialogue's language. */
    store_agency ag;
    const char *tname = BOT_TEMPLATE_STATUS, *tlang = "id";
    if (store_agency_get(s, ar, c.agency_id, &ag) == ERR_OK && ag.template_status) {
        tname = ag.template_status;
        tlang = ag.template_lang ? ag.template_lang : "id";
    }
    const char *params[] = {
        shown, st >= 0 ? status_label((case_status_t)st, strcmp(tlang, "en") ? "id" : "en") : label,
        note};
    channel_msg intent = {.kind = CHANNEL_MSG_TEMPLATE,
                          .template = tname,
                          .lang = tlang,
                          .params = params,
                          .nparams = 3};
    *template = channel_msg_json(ar, &intent);
    if (!*message || !*template)
        return ERR_NOMEM;
    /* Issue #8: a resolved case asks for confirmation, a close invites the survey. */
    return survey_render(s, ar, &c, found, lang, text, message, template);
}

static void decref(void *p) { json_decref(p); }

/* ---- the draft ---------------------------------------------------------------- */

static json_t *report(dlg *d) { return dlg_draft_obj(d, "report"); }

/* A copy in the arena: the draft's own strings go when the report does. */
static const char *rget(dlg *d, const char *k) { return dlg_draft_str(d, "report", k); }

static void rset(dlg *d, const char *k, json_t *v) { json_object_set_new(report(d), k, v); }

static bool en(const dlg *d) { return strcmp(d->lang, "en") == 0; }

/* Leaves the conversation in st: the effects get the state's name, the
 * draft and the language. */
static void finish(dlg *d, dlg_state st)
{
    const char *name = dlg_name(d->in->ar, st, d->arg);
    if (!name) {
        log_error("wa", "event=bad_next_state state=%d", (int)st);
        st = DLG_IDLE;
        name = "idle";
    }
    d->fx->state = name;
    if (st != DLG_E_AFTER)
        json_object_del(d->draft, "after_code");
    /* A new answer (or a new step) starts the count of misunderstandings anew. */
    if (!d->reasked) {
        json_object_del(d->draft, "reask_state");
        json_object_del(d->draft, "reask_n");
    }
    if (st == DLG_IDLE) {
        json_object_del(d->draft, "report");
        json_object_del(d->draft, "said");
    }
    d->fx->draft = channel_dump(d->in->ar, json_incref(d->draft));
    d->fx->lang = d->lang;
}

/* The answer as a choice id: a tapped button/row, or a number typed for
 * the n-th of the offered choices, or a yes/no word. */
static const char *choice(dlg *d, const char *const *offered, int n)
{
    const wa_event *ev = d->in->ev;
    if (ev->reply_id)
        return ev->reply_id;
    if (!ev->text)
        return NULL;
    const char *p;
    size_t len = text_trim(ev->text, &p);
    if (len == 1 && *p >= '1' && *p < '1' + n)
        return offered[*p - '1'];
    if (dlg_is_word(ev->text, "ya", "yes") || dlg_is_word(ev->text, "kirim", "send"))
        return offered[0];
    return NULL;
}

/* An answer the step cannot use. The first time, the question comes again
 * with help; the second time, one line on how to get out; after that the
 * bot stays quiet rather than repeat itself (the message is still kept). */
static dlg_state reask(dlg *d, dlg_state st)
{
    const char *name = dlg_name(d->in->ar, st, d->arg);
    const char *was = json_string_value(json_object_get(d->draft, "reask_state"));
    json_int_t n = was && strcmp(was, name) == 0
                       ? json_integer_value(json_object_get(d->draft, "reask_n"))
                       : 0;
    dlg_state next = st;
    if (n == 0) {
        dlg_say(d, arena_printf(d->in->ar, "%s %s", bot_text("not_understood", d->lang),
                                bot_text("use_buttons", d->lang)));
        next = dlg_enter(d, st);
    } else if (n == 1) {
        dlg_say(d, bot_text("stuck", d->lang));
    }
    json_object_set_new(d->draft, "reask_state", json_string(name));
    json_object_set_new(d->draft, "reask_n", json_integer(n + 1));
    d->reasked = true;
    return next;
}

/* ---- the questions (on_enter) ----------------------------------------------------- */

dlg_state dlg_menu(dlg *d)
{
    store_category *k;
    size_t n = 0;
    bool service = false;
    if (store_category_list(d->in->store, d->in->ar, d->in->agency->id, &k, &n) == ERR_OK)
        for (size_t i = 0; i < n; i++)
            service |= k[i].active && strcmp(k[i].kind, "service") == 0;
    dlg_choice rows[4] = {
        {"menu:report", bot_text("menu_report", d->lang), bot_text("menu_report_desc", d->lang)},
        {"menu:status", bot_text("menu_status", d->lang), bot_text("menu_status_desc", d->lang)},
        {"menu:help", bot_text("menu_help", d->lang), bot_text("menu_help_desc", d->lang)},
        {"menu:service", bot_text("menu_service", d->lang), bot_text("menu_service_desc", d->lang)},
    };
    dlg_list(d, bot_textf(d->in->ar, "greeting", d->lang, "agency", d->in->agency->name, NULL),
             bot_text("menu_button", d->lang), bot_text("menu_button", d->lang), rows,
             service ? 4 : 3);
    return DLG_MENU;
}

static dlg_state ask_consent(dlg *d)
{
    dlg_choice c[] = {{"consent:yes", bot_text("consent_yes", d->lang), NULL},
                      {"consent:anon", bot_text("consent_anon", d->lang), NULL},
                      {"consent:no", bot_text("consent_no", d->lang), NULL}};
    dlg_buttons(d, bot_text("consent", d->lang), c, 3);
    return DLG_CONSENT;
}

static dlg_state ask_category(dlg *d)
{
    store_category *k;
    size_t n = 0;
    dlg_choice rows[DLG_ROWS_MAX];
    int nr = 0;
    if (!json_integer_value(json_object_get(d->draft, "consent")))
        return ask_consent(d);
    if (store_category_list(d->in->store, d->in->ar, d->in->agency->id, &k, &n) == ERR_OK)
        for (size_t i = 0; i < n && nr < DLG_ROWS_MAX; i++)
            if (k[i].active && strcmp(k[i].kind, "service") != 0)
                rows[nr++] = (dlg_choice){arena_printf(d->in->ar, "cat:%lld", (long long)k[i].id),
                                          en(d) ? k[i].name_en : k[i].name_id,
                                          strcmp(k[i].kind, "emergency") != 0 ? NULL
                                          : en(d)                             ? "EMERGENCY"
                                                                              : "DARURAT"};
    dlg_list(d, bot_text("choose_category", d->lang), bot_text("choose_button", d->lang),
             bot_text("menu_button", d->lang), rows, nr);
    json_object_del(d->draft, "report");
    return DLG_CATEGORY;
}

/* A registered community reporter may mark any report urgent: it then
 * takes the emergency path (issue #6). */
static dlg_state ask_urgent(dlg *d)
{
    store_group g;
    if (store_group_of(d->in->store, d->in->ar, d->in->agency->id, d->fx->address, &g) != ERR_OK)
        return dlg_enter(d, DLG_DESCRIBE);
    dlg_choice c[] = {{"urgent:yes", bot_text("urgent_yes", d->lang), NULL},
                      {"urgent:no", bot_text("urgent_no", d->lang), NULL}};
    dlg_buttons(d,
                bot_textf(d->in->ar, "ask_urgent", d->lang, "category", rget(d, "cat_name"),
                          "group", g.name, NULL),
                c, 2);
    return DLG_URGENT;
}

static dlg_state ask_description(dlg *d)
{
    dlg_say(d, bot_textf(d->in->ar, "describe", d->lang, "category", rget(d, "cat_name"), NULL));
    return DLG_DESCRIBE;
}

static dlg_state ask_location(dlg *d)
{
    dlg_ask_location(d, bot_text("ask_location", d->lang), bot_text("ask_address", d->lang));
    return DLG_LOCATION;
}

static dlg_state ask_photos(dlg *d)
{
    dlg_choice c[] = {{"photos:next", bot_text("next", d->lang), NULL},
                      {"photos:skip", bot_text("skip", d->lang), NULL}};
    dlg_buttons(d, bot_text("ask_photos", d->lang), c, 2);
    return DLG_PHOTOS;
}

static dlg_state ask_kecamatan(dlg *d)
{
    store_region *g;
    size_t n = 0;
    dlg_choice rows[DLG_ROWS_MAX];
    if (store_region_list(d->in->store, d->in->ar, &g, &n) != ERR_OK)
        n = 0;
    if (n == 0)
        return ask_photos(d);
    if (n > DLG_ROWS_MAX)
        n = DLG_ROWS_MAX;
    for (size_t i = 0; i < n; i++)
        rows[i] = (dlg_choice){arena_printf(d->in->ar, "kec:%s", g[i].code), g[i].name, NULL};
    dlg_list(d, bot_text("ask_kecamatan", d->lang), bot_text("kecamatan_button", d->lang),
             bot_text("menu_button", d->lang), rows, (int)n);
    return DLG_KECAMATAN;
}

static dlg_state summary(dlg *d)
{
    json_t *r = report(d);
    char count[24];
    snprintf(count, sizeof count, "%zu", json_array_size(json_object_get(r, "media")));
    const char *where = rget(d, "address");
    if (!where)
        where = json_is_true(json_object_get(r, "has_loc")) ? bot_text("location_shared", d->lang)
                                                            : "-";
    dlg_choice c[] = {{"confirm:send", bot_text("send", d->lang), NULL},
                      {"confirm:edit", bot_text("edit", d->lang), NULL},
                      {"confirm:cancel", bot_text("cancel", d->lang), NULL}};
    dlg_buttons(d,
                bot_textf(d->in->ar, "summary", d->lang, "category", rget(d, "cat_name"),
                          "description", rget(d, "desc"), "location", where, "count", count, NULL),
                c, 3);
    return DLG_CONFIRM;
}

/* Location first: the case is created the moment it arrives. */
static dlg_state emergency_path(dlg *d)
{
    rset(d, "emergency", json_true());
    const char *cat = rget(d, "cat_name");
    dlg_ask_location(d, bot_textf(d->in->ar, "emergency_location", d->lang, "category", cat, NULL),
                     bot_textf(d->in->ar, "emergency_address", d->lang, "category", cat, NULL));
    return DLG_E_LOCATION;
}

/* ---- the case ------------------------------------------------------------------- */

/* True when now is outside the office hours (Monday to Friday, local). */
static bool after_hours(const bot_in *in, char *hours, size_t cap)
{
    time_t t = (time_t)in->now;
    struct tm tm;
    localtime_r(&t, &tm);
    unsigned m = (unsigned)(tm.tm_hour * 60 + tm.tm_min);
    snprintf(hours, cap, "%02u.%02u–%02u.%02u", in->office_open / 60, in->office_open % 60,
             in->office_close / 60, in->office_close % 60);
    return tm.tm_wday == 0 || tm.tm_wday == 6 || m < in->office_open || m >= in->office_close;
}

/* True (with the refusal said) when the citizen reached the daily limit. */
static bool over_limit(dlg *d)
{
    store_case *cs;
    size_t n = 0, recent = 0;
    unsigned limit = d->in->daily_limit ? d->in->daily_limit : 5;
    if (bot_cases_of(d->in, d->fx->address, limit + 1, &cs, &n) != ERR_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        if (d->in->now - cs[i].created_at < 24 * 3600)
            recent++;
    if (recent < limit)
        return false;
    char count[24];
    snprintf(count, sizeof count, "%zu", recent);
    dlg_say(d, bot_textf(d->in->ar, "daily_limit", d->lang, "count", count, NULL));
    return true;
}

/* The evidence files of the draft, for the case. */
static void take_media(dlg *d, json_t *r)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r, "media"), i, m)
    {
        if (d->fx->nmedia >= STORE_WA_MEDIA_MAX)
            break;
        d->fx->media[d->fx->nmedia++] = (store_media){
            arena_strdup(d->in->ar, json_string_value(json_object_get(m, "id"))),
            arena_strdup(d->in->ar, json_string_value(json_object_get(m, "mime"))),
            arena_strdup(d->in->ar, json_string_value(json_object_get(m, "sha256"))),
            arena_strdup(d->in->ar, json_string_value(json_object_get(m, "filename")))};
    }
}

/* Creates the case from the draft (in fx: applied with the rest). */
static err_t create_case(dlg *d, bool emergency)
{
    const bot_in *in = d->in;
    /* Spam protection, never in the way of an emergency. */
    if (!emergency && over_limit(d))
        return ERR_OK;
    store_case *c = arena_alloc(in->ar, sizeof *c);
    char code[IDS_CODE_BUF], shown[IDS_SHOWN_BUF];
    if (!c)
        return ERR_NOMEM;
    json_t *r = report(d);
    ids_tracking_new(code);
    ids_tracking_format(code, shown);
    c->agency_id = in->agency->id;
    c->category_id = (int64_t)json_integer_value(json_object_get(r, "cat"));
    c->kind = emergency ? "emergency" : "complaint";
    c->channel = bot_channel(in);
    c->status = "received";
    c->priority = emergency ? "urgent" : "normal";
    c->description = rget(d, "desc");
    if (emergency) {
        /* The citizen's own words: what opened the conversation, then what
         * was typed while the bot asked for the location. */
        const char *said = json_string_value(json_object_get(d->draft, "said"));
        if (said && c->description)
            c->description = arena_printf(in->ar, "%s\n%s", said, c->description);
        else if (said)
            c->description = arena_strdup(in->ar, said);
        c->description = text_cut(in->ar, c->description, DESCRIPTION_MAX);
        json_object_del(d->draft, "said");
    }
    if (!c->description)
        c->description =
            arena_printf(in->ar, "%s (%s)", rget(d, "cat_name"), bot_channel_title(in));
    c->has_location = json_is_true(json_object_get(r, "has_loc"));
    c->lat = json_real_value(json_object_get(r, "lat"));
    c->lon = json_real_value(json_object_get(r, "lon"));
    c->address = rget(d, "address");
    c->kecamatan_code = rget(d, "kec");
    /* A shared location names its kecamatan (the imported boundaries); a
     * point outside all of them keeps none. */
    if (!c->kecamatan_code && c->has_location &&
        region_locate(in->store, in->ar, c->lat, c->lon, &c->kecamatan_code) != ERR_OK)
        c->kecamatan_code = NULL;
    /* SP4N: reports from WhatsApp are confidential by default. */
    c->rahasia = true;
    c->anonim = json_is_true(json_object_get(d->draft, "anonim"));
    c->tracking_code = arena_strdup(in->ar, code);
    c->created_at = in->now;
    d->fx->new_case = c;
    take_media(d, r);
    const char *url = arena_printf(in->ar, "%s/t/%s", in->public_url, code);
    const char *text = bot_textf(in->ar, emergency ? "emergency_created" : "created", d->lang,
                                 "code", shown, "url", url, NULL);
    char hours[32];
    if (!emergency && text && after_hours(in, hours, sizeof hours))
        text = arena_printf(in->ar, "%s\n\n%s", text,
                            bot_textf(in->ar, "after_hours", d->lang, "hours", hours, NULL));
    dlg_say_for_case(d, text);
    return ERR_OK;
}

static void add_media(dlg *d, const wa_event *ev)
{
    json_t *media = json_object_get(report(d), "media");
    if (!json_is_array(media)) {
        media = json_array();
        rset(d, "media", media);
    }
    char count[24];
    if (json_array_size(media) >= BOT_MEDIA_PER_CASE) {
        snprintf(count, sizeof count, "%zu", json_array_size(media));
        dlg_say(d, bot_textf(d->in->ar, "photos_full", d->lang, "count", count, NULL));
        return;
    }
    json_array_append_new(media, json_pack("{s:s, s:s?, s:s?, s:s?}", "id", ev->media_id, "mime",
                                           ev->media_mime, "sha256", ev->media_sha256, "filename",
                                           ev->media_filename));
    snprintf(count, sizeof count, "%zu", json_array_size(media));
    dlg_choice c[] = {{"photos:next", bot_text("next", d->lang), NULL}};
    dlg_buttons(d, bot_textf(d->in->ar, "photo_received", d->lang, "count", count, NULL), c, 1);
}

/* The emergency case, from the draft: what follows joins it. */
static dlg_state emergency_created(dlg *d)
{
    d->err = create_case(d, true);
    /* Photos and details may follow: they join this case. */
    json_object_del(d->draft, "report");
    if (d->fx->new_case)
        json_object_set_new(d->draft, "after_code", json_string(d->fx->new_case->tracking_code));
    return DLG_E_AFTER;
}

static bool have_regions(dlg *d)
{
    store_region *g;
    size_t n = 0;
    return store_region_list(d->in->store, d->in->ar, &g, &n) == ERR_OK && n > 0;
}

/* ---- status checks ----------------------------------------------------------------- */

static void status_check(dlg *d, const char *code_text)
{
    store_case *cs;
    size_t n = 0;
    char want[IDS_CODE_BUF] = "", shown[IDS_SHOWN_BUF], date[CLOCK_ISO_BUF];
    if (code_text && ids_tracking_normalize(code_text, want) != 0)
        snprintf(want, sizeof want, "?");
    if (bot_cases_of(d->in, d->fx->address, 5, &cs, &n) != ERR_OK || n == 0) {
        dlg_say(d, bot_text("status_none", d->lang));
        return;
    }
    char *out = arena_strdup(d->in->ar, bot_text("status_head", d->lang));
    int shown_n = 0;
    for (size_t i = 0; out && i < n; i++) {
        if (*want && strcmp(want, cs[i].tracking_code) != 0)
            continue;
        int st = status_parse(cs[i].status);
        ids_tracking_format(cs[i].tracking_code, shown);
        clock_format(cs[i].created_at, date);
        date[10] = '\0';
        out = arena_printf(d->in->ar, "%s\n%s", out,
                           bot_textf(d->in->ar, "status_line", d->lang, "code", shown, "category",
                                     en(d) ? cs[i].category_name_en : cs[i].category_name_id,
                                     "status", st >= 0 ? status_label(st, d->lang) : cs[i].status,
                                     "date", date, NULL));
        shown_n++;
    }
    if (*want && shown_n == 0)
        dlg_say(d, bot_textf(d->in->ar, "status_unknown", d->lang, "code", code_text, NULL));
    else
        dlg_say(d, out);
}

/* Following a case from its public page (issue 18): IKUTI <code> sends the
 * case's public updates to this contact from now on (writing it from their
 * own number is their opt-in), BERHENTI <code> stops them. Only a case of
 * this agency that its public page shows (not rahasia, not a civil-registry
 * request): any other code gets the same answer, as on /t/. */
static void follow(dlg *d, const char *code_text, bool on)
{
    char code[IDS_CODE_BUF], shown[IDS_SHOWN_BUF];
    store_case c;
    if (ids_tracking_normalize(code_text, code) != 0 ||
        store_case_by_code(d->in->store, d->in->ar, code, &c) != ERR_OK ||
        c.agency_id != d->in->agency->id || c.rahasia || strcmp(c.kind, "service") == 0) {
        dlg_say(d, bot_textf(d->in->ar, "follow_unknown", d->lang, "code", code_text, NULL));
        return;
    }
    ids_tracking_format(c.tracking_code, shown);
    d->fx->watch_case_id = c.id;
    d->fx->watch = on ? 1 : -1;
    dlg_say(d, bot_textf(d->in->ar, on ? "follow_on" : "follow_off", d->lang, "code", shown, "link",
                         arena_printf(d->in->ar, "%s/t/%s", d->in->public_url, shown), NULL));
}

/* The words after a command word (cmd, or its English en) followed by a
 * space, or NULL when p[0..n) is not that command with an argument. */
static const char *command_arg(arena_t *ar, const char *p, size_t n, const char *cmd,
                               const char *en)
{
    for (int i = 0; i < 2; i++) {
        const char *w = i ? en : cmd;
        size_t k = strlen(w);
        if (n > k + 1 && strncasecmp(p, w, k) == 0 && p[k] == ' ')
            return arena_strndup(ar, p + k + 1, n - k - 1);
    }
    return NULL;
}

/* ---- the reporter withdraws a filed case (issue 16) ----------------------------------- */

/* The reporter's own case with this code (one of the cases sent from this
 * contact); false for any other code, someone else's included. */
static bool own_case(dlg *d, const char *code_text, store_case *out)
{
    char code[IDS_CODE_BUF];
    store_case *cs;
    size_t n = 0;
    if (ids_tracking_normalize(code_text, code) != 0 ||
        bot_cases_of(d->in, d->fx->address, STORE_LIST_MAX, &cs, &n) != ERR_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(cs[i].tracking_code, code) == 0) {
            *out = cs[i];
            return true;
        }
    return false;
}

/* Asks Ya/Tidak before withdrawing c, or says it is being handled. */
static dlg_state ask_withdraw(dlg *d, const store_case *c, dlg_state st)
{
    char shown[IDS_SHOWN_BUF];
    const char *why;
    ids_tracking_format(c->tracking_code, shown);
    if (case_withdraw_allowed(c, &why) != ERR_OK) {
        dlg_say(d, bot_textf(d->in->ar, "wd_handled", d->lang, "code", shown, NULL));
        return st == DLG_WITHDRAW ? DLG_IDLE : st;
    }
    d->arg = c->id;
    dlg_choice ch[] = {{"wd:yes", bot_text("wd_yes", d->lang), NULL},
                       {"wd:no", bot_text("wd_no", d->lang), NULL}};
    dlg_buttons(d,
                bot_textf(d->in->ar, "wd_ask", d->lang, "code", shown, "category",
                          en(d) ? c->category_name_en : c->category_name_id, NULL),
                ch, 2);
    return DLG_WITHDRAW;
}

/* BATAL <code>: the reporter's own case only. */
static dlg_state withdraw_code(dlg *d, const char *code_text, dlg_state st)
{
    store_case c;
    if (!own_case(d, code_text, &c)) {
        dlg_say(d, bot_textf(d->in->ar, "wd_unknown", d->lang, "code", code_text, NULL));
        return st == DLG_WITHDRAW ? DLG_IDLE : st;
    }
    return ask_withdraw(d, &c, st);
}

/* BATAL alone with no report being written: the one case the reporter can
 * still withdraw, or which code to type when there are several; DLG_PASS
 * (today's answer) when there is none. */
static dlg_state withdraw_only(dlg *d, dlg_state st)
{
    store_case *cs;
    size_t n = 0, open = 0, one = 0;
    const char *why, *list = "";
    char shown[IDS_SHOWN_BUF];
    if (bot_cases_of(d->in, d->fx->address, STORE_LIST_MAX, &cs, &n) != ERR_OK)
        return DLG_PASS;
    for (size_t i = 0; i < n; i++) {
        if (case_withdraw_allowed(&cs[i], &why) != ERR_OK)
            continue;
        ids_tracking_format(cs[i].tracking_code, shown);
        list = arena_printf(d->in->ar, "%s\n- %s (%s)", list, shown,
                            en(d) ? cs[i].category_name_en : cs[i].category_name_id);
        one = i;
        open++;
    }
    if (open == 0)
        return DLG_PASS;
    if (open == 1)
        return ask_withdraw(d, &cs[one], st);
    dlg_say(d, bot_textf(d->in->ar, "wd_which", d->lang, "list", list, NULL));
    return st == DLG_WITHDRAW ? DLG_IDLE : st;
}

/* Ya or Tidak to withdrawing case d->arg; read again: a team may have
 * taken it since the question (the store's compare-and-set holds the
 * rest). */
static dlg_state on_withdraw(dlg *d)
{
    static const char *const o[] = {"wd:yes", "wd:no"};
    const char *id = choice(d, o, 2);
    char shown[IDS_SHOWN_BUF];
    store_case c;
    const char *why;
    if (!id && dlg_is_word(d->in->ev->text, "tidak", "no"))
        id = "wd:no";
    if (!id || (strcmp(id, "wd:yes") != 0 && strcmp(id, "wd:no") != 0))
        return reask(d, DLG_WITHDRAW);
    err_t e = store_case_get(d->in->store, d->in->ar, d->arg, &c);
    if (e == ERR_NOT_FOUND)
        return dlg_menu(d);
    if (e != ERR_OK) {
        d->err = e;
        return DLG_IDLE;
    }
    ids_tracking_format(c.tracking_code, shown);
    if (strcmp(id, "wd:no") == 0) {
        dlg_say(d, bot_textf(d->in->ar, "wd_kept", d->lang, "code", shown, NULL));
        return DLG_IDLE;
    }
    if (case_withdraw_allowed(&c, &why) != ERR_OK) {
        dlg_say(d, bot_textf(d->in->ar, "wd_handled", d->lang, "code", shown, NULL));
        return DLG_IDLE;
    }
    d->fx->withdraw_case_id = c.id;
    d->fx->withdraw_status = c.status;
    dlg_say(d, bot_textf(d->in->ar, "wd_done", d->lang, "code", shown, NULL));
    return DLG_IDLE;
}

/* ---- the answers (on_input) --------------------------------------------------------- */

/* The opening message: the menu. What opens a conversation often is the
 * whole story ("ada kebakaran di ..."): an emergency report keeps it. */
static dlg_state on_idle(dlg *d)
{
    const wa_event *ev = d->in->ev;
    const char *p;
    size_t len = ev->text && !ev->reply_id ? text_trim(ev->text, &p) : 0;
    if (len >= WORDS_MIN)
        json_object_set_new(
            d->draft, "said",
            json_string(text_cut(d->in->ar, arena_strndup(d->in->ar, p, len), WORDS_MAX)));
    return dlg_menu(d);
}

static dlg_state on_menu(dlg *d)
{
    static const char *const o[] = {"menu:report", "menu:status", "menu:help", "menu:service"};
    const char *id = choice(d, o, 4);
    if (id && strcmp(id, "menu:report") == 0)
        return ask_category(d);
    if (id && strcmp(id, "menu:status") == 0) {
        status_check(d, NULL);
        return DLG_IDLE;
    }
    if (id && strcmp(id, "menu:help") == 0) {
        dlg_say(d, bot_text("help", d->lang));
        return DLG_IDLE;
    }
    if (id && strcmp(id, "menu:service") == 0)
        return dlg_enter(d, DLG_SVC_CHOOSE);
    return reask(d, DLG_MENU);
}

static dlg_state on_consent(dlg *d)
{
    static const char *const o[] = {"consent:yes", "consent:anon", "consent:no"};
    const wa_event *ev = d->in->ev;
    const char *id = choice(d, o, 3);
    if (!id && dlg_is_word(ev->text, "tidak", "no"))
        id = "consent:no";
    if (!id && dlg_is_word(ev->text, "anonim", "anonymous"))
        id = "consent:anon";
    if (id && strcmp(id, "consent:no") == 0) {
        dlg_say(d, bot_text("consent_refused", d->lang));
        return DLG_IDLE;
    }
    if (!id || strncmp(id, "consent:", 8) != 0)
        return reask(d, DLG_CONSENT);
    json_object_set_new(d->draft, "consent", json_integer(d->in->now));
    json_object_set_new(d->draft, "anonim", json_boolean(strcmp(id, "consent:anon") == 0));
    return ask_category(d);
}

/* A category picked (id "cat:<id>"): the emergency path, the question
 * whether it is urgent, or the description. */
static dlg_state pick_category(dlg *d, const char *id)
{
    store_category k;
    long long cat = id && strncmp(id, "cat:", 4) == 0 ? strtoll(id + 4, NULL, 10) : 0;
    if (!cat || store_category_get(d->in->store, d->in->ar, cat, &k) != ERR_OK ||
        k.agency_id != d->in->agency->id || !k.active || strcmp(k.kind, "service") == 0)
        return reask(d, DLG_CATEGORY);
    json_object_del(d->draft, "report");
    rset(d, "cat", json_integer(cat));
    rset(d, "cat_name", json_string(en(d) ? k.name_en : k.name_id));
    if (strcmp(k.kind, "emergency") == 0)
        return emergency_path(d);
    return ask_urgent(d);
}

static dlg_state on_category(dlg *d)
{
    const wa_event *ev = d->in->ev;
    if (ev->reply_id || !ev->text)
        return pick_category(d, ev->reply_id);
    store_category *k;
    size_t n = 0, seen = 0;
    const char *p;
    size_t len = text_trim(ev->text, &p);
    long pick = (len && len < 3) ? strtol(p, NULL, 10) : 0;
    if (pick > 0 &&
        store_category_list(d->in->store, d->in->ar, d->in->agency->id, &k, &n) == ERR_OK)
        for (size_t i = 0; i < n; i++)
            if (k[i].active && strcmp(k[i].kind, "service") != 0 && (long)++seen == pick)
                return pick_category(d, arena_printf(d->in->ar, "cat:%lld", (long long)k[i].id));
    return reask(d, DLG_CATEGORY);
}

/* A registered reporter's answer: urgent or not. */
static dlg_state on_urgent(dlg *d)
{
    static const char *const o[] = {"urgent:yes", "urgent:no"};
    const char *t = d->in->ev->text;
    const char *id = choice(d, o, 2);
    if (!id && (dlg_is_word(t, "darurat", "emergency") || dlg_is_word(t, "urgent", "mendesak")))
        id = o[0];
    if (!id && (dlg_is_word(t, "tidak", "no") || dlg_is_word(t, "tidak darurat", "not urgent")))
        id = o[1];
    if (id && strcmp(id, o[0]) == 0)
        return emergency_path(d);
    if (id && strcmp(id, o[1]) == 0)
        return ask_description(d);
    return reask(d, DLG_URGENT);
}

static dlg_state on_describe(dlg *d)
{
    const wa_event *ev = d->in->ev;
    const char *p;
    size_t len = ev->text && !ev->reply_id ? text_trim(ev->text, &p) : 0;
    if (len < DESCRIPTION_MIN) {
        dlg_say(d, bot_text("describe_short", d->lang));
        return DLG_DESCRIBE;
    }
    rset(d, "desc",
         json_string(text_cut(d->in->ar, arena_strndup(d->in->ar, p, len), DESCRIPTION_MAX)));
    return ask_location(d);
}

/* A shared location goes into the report. */
static void take_location(dlg *d)
{
    const wa_event *ev = d->in->ev;
    rset(d, "has_loc", json_true());
    rset(d, "lat", json_real(ev->lat));
    rset(d, "lon", json_real(ev->lon));
    const char *addr = ev->loc_address ? ev->loc_address : ev->loc_name;
    if (addr)
        rset(d, "address", json_string(text_cut(d->in->ar, addr, ADDRESS_MAX)));
}

static dlg_state on_location(dlg *d)
{
    const wa_event *ev = d->in->ev;
    if (ev->has_location) {
        take_location(d);
        return ask_photos(d);
    }
    if (ev->text && !ev->reply_id && strlen(ev->text) >= ADDRESS_MIN) {
        rset(d, "address", json_string(text_cut(d->in->ar, ev->text, ADDRESS_MAX)));
        return ask_kecamatan(d);
    }
    return ask_location(d);
}

static dlg_state on_kecamatan(dlg *d)
{
    const char *id = d->in->ev->reply_id;
    if (!id || strncmp(id, "kec:", 4) != 0 || store_region_exists(d->in->store, id + 4) != ERR_OK)
        return reask(d, DLG_KECAMATAN);
    rset(d, "kec", json_string(id + 4));
    /* An emergency told by its address (no location sharing) is sent now. */
    if (json_is_true(json_object_get(report(d), "emergency")))
        return emergency_created(d);
    return ask_photos(d);
}

static dlg_state on_photos(dlg *d)
{
    const wa_event *ev = d->in->ev;
    if (ev->media_id && (!strcmp(ev->type, "image") || !strcmp(ev->type, "video"))) {
        add_media(d, ev);
        return DLG_PHOTOS;
    }
    if ((ev->reply_id && strncmp(ev->reply_id, "photos:", 7) == 0) ||
        dlg_is_word(ev->text, "lanjut", "lewati") || dlg_is_word(ev->text, "next", "skip") ||
        dlg_is_word(ev->text, "selesai", "done"))
        return summary(d);
    return reask(d, DLG_PHOTOS);
}

static dlg_state on_confirm(dlg *d)
{
    static const char *const o[] = {"confirm:send", "confirm:edit", "confirm:cancel"};
    const wa_event *ev = d->in->ev;
    const char *id = choice(d, o, 3);
    if (!id && (dlg_is_word(ev->text, "ubah", "edit")))
        id = "confirm:edit";
    if (!id && (dlg_is_word(ev->text, "tidak", "no")))
        id = "confirm:cancel";
    if (id && strcmp(id, "confirm:send") == 0) {
        d->err = create_case(d, false);
        return DLG_IDLE;
    }
    if (id && strcmp(id, "confirm:edit") == 0)
        return pick_category(
            d, arena_printf(d->in->ar, "cat:%lld",
                            (long long)json_integer_value(json_object_get(report(d), "cat"))));
    if (id && strcmp(id, "confirm:cancel") == 0) {
        dlg_say(d, bot_text("cancelled", d->lang));
        return DLG_IDLE;
    }
    return reask(d, DLG_CONFIRM);
}

static dlg_state on_e_location(dlg *d)
{
    const wa_event *ev = d->in->ev;
    if (ev->has_location) {
        take_location(d);
        return emergency_created(d);
    }
    /* A channel that cannot share a location: the typed address and its
     * kecamatan, then the case. */
    const char *p;
    size_t len = ev->text && !ev->reply_id ? text_trim(ev->text, &p) : 0;
    if (!d->caps->location_request && len >= ADDRESS_MIN) {
        rset(d, "address",
             json_string(text_cut(d->in->ar, arena_strndup(d->in->ar, p, len), ADDRESS_MAX)));
        return have_regions(d) ? ask_kecamatan(d) : emergency_created(d);
    }
    /* Words typed instead of the location still describe the emergency:
     * keep them for the case. */
    if (len) {
        const char *was = rget(d, "desc");
        const char *now = text_cut(d->in->ar, arena_strndup(d->in->ar, p, len), WORDS_MAX);
        rset(
            d, "desc",
            json_string(text_cut(d->in->ar, was ? arena_printf(d->in->ar, "%s\n%s", was, now) : now,
                                 DESCRIPTION_MAX)));
    }
    dlg_ask_location(
        d, bot_text("emergency_text_location", d->lang),
        bot_textf(d->in->ar, "emergency_address", d->lang, "category", rget(d, "cat_name"), NULL));
    return DLG_E_LOCATION;
}

/* After an emergency report: what the reporter sends next is more about
 * the same incident, until they start something else. */
static dlg_state on_e_after(dlg *d)
{
    const wa_event *ev = d->in->ev;
    const char *code = json_string_value(json_object_get(d->draft, "after_code"));
    bool media = ev->media_id != NULL;
    if (!code || ev->reply_id || (!media && !ev->text))
        return dlg_menu(d);
    char shown[IDS_SHOWN_BUF];
    d->fx->case_code = arena_strdup(d->in->ar, code);
    if (media && d->fx->nmedia < STORE_WA_MEDIA_MAX)
        d->fx->media[d->fx->nmedia++] =
            (store_media){ev->media_id, ev->media_mime, ev->media_sha256, ev->media_filename};
    /* More words about the incident (a text, a photo's caption) join the
     * case's description. */
    const char *p;
    size_t len = ev->text ? text_trim(ev->text, &p) : 0;
    if (len)
        d->fx->case_text = arena_printf(
            d->in->ar, "\n%s", text_cut(d->in->ar, arena_strndup(d->in->ar, p, len), WORDS_MAX));
    ids_tracking_format(code, shown);
    dlg_say(d, bot_textf(d->in->ar, "added_to_case", d->lang, "code", shown, NULL));
    return DLG_E_AFTER;
}

/* ---- the tables ---------------------------------------------------------------------- */

static const dlg_step report_steps[] = {
    {DLG_IDLE, "idle", NULL, on_idle, 0},
    {DLG_MENU, "menu", dlg_menu, on_menu, 0},
    {DLG_CONSENT, "consent", ask_consent, on_consent, DLG_DRAFTING},
    {DLG_CATEGORY, "category", ask_category, on_category, DLG_DRAFTING},
    {DLG_URGENT, "urgent", ask_urgent, on_urgent, DLG_DRAFTING},
    {DLG_DESCRIBE, "describe", ask_description, on_describe, DLG_DRAFTING},
    {DLG_LOCATION, "location", ask_location, on_location, DLG_DRAFTING},
    {DLG_KECAMATAN, "kecamatan", ask_kecamatan, on_kecamatan, DLG_DRAFTING},
    {DLG_PHOTOS, "photos", ask_photos, on_photos, DLG_DRAFTING},
    {DLG_CONFIRM, "confirm", summary, on_confirm, DLG_DRAFTING},
    {DLG_WITHDRAW, "withdraw", NULL, on_withdraw, DLG_WITH_ID},
};
const dlg_part dlg_report = {"report", report_steps, sizeof report_steps / sizeof *report_steps};

static const dlg_step emergency_steps[] = {
    {DLG_E_LOCATION, "e_location", emergency_path, on_e_location, DLG_DRAFTING},
    {DLG_E_AFTER, "e_after", NULL, on_e_after, 0},
};
const dlg_part dlg_emergency = {"emergency", emergency_steps,
                                sizeof emergency_steps / sizeof *emergency_steps};

/* ---- the step ------------------------------------------------------------------------ */

/* Words that mean the same wherever the citizen is in the dialogue
 * (st: where it was; a service request is a "permohonan"). Returns the
 * next state, or DLG_PASS for other words. */
static dlg_state global_words(dlg *d, dlg_state st)
{
    const wa_event *ev = d->in->ev;
    const char *t = ev->text;
    if (!t || ev->reply_id)
        return DLG_PASS;
    const char *p;
    size_t n = text_trim(t, &p);
    const char *arg;
    char code[IDS_CODE_BUF];
    /* BATAL <code> withdraws a filed case (issue 16), wherever the
     * dialogue is; only words that are a tracking code count as one. */
    if (((arg = command_arg(d->in->ar, p, n, "batal", "cancel")) != NULL) &&
        ids_tracking_normalize(arg, code) == 0)
        return withdraw_code(d, arg, st);
    if (dlg_is_word(t, "batal", "cancel") &&
        (st == DLG_IDLE || st == DLG_MENU || st == DLG_WITHDRAW)) {
        dlg_state next = withdraw_only(d, st);
        if (next != DLG_PASS)
            return next;
    }
    if (dlg_is_word(t, "batal", "cancel")) {
        bool svc = dlg_part_of(st) == &dlg_service;
        dlg_say(d, bot_text(svc ? "svc_cancelled" : "cancelled", d->lang));
        return DLG_IDLE;
    }
    if (dlg_is_word(t, "english", NULL) || dlg_is_word(t, "indonesia", NULL)) {
        d->lang = dlg_is_word(t, "english", NULL) ? "en" : "id";
        return dlg_menu(d);
    }
    if (dlg_is_word(t, "menu", "mulai") || dlg_is_word(t, "halo", "hi"))
        return dlg_menu(d);
    if (n >= 6 && strncasecmp(p, "status", 6) == 0 && (n == 6 || p[6] == ' ')) {
        status_check(d, n > 7 ? arena_strndup(d->in->ar, p + 7, n - 7) : NULL);
        return st;
    }
    if ((arg = command_arg(d->in->ar, p, n, "ikuti", "follow")) != NULL ||
        (arg = command_arg(d->in->ar, p, n, "berhenti", "unfollow")) != NULL) {
        /* The word says the language the follower read the page in
         * (/t/ offers "IKUTI" in Indonesian, "FOLLOW" in English): their
         * answer and the case's updates to them come in it (kept as the
         * conversation's language). */
        bool en_word = strncasecmp(p, "follow", 6) == 0 || strncasecmp(p, "unfollow", 8) == 0;
        d->lang = en_word ? "en" : "id";
        follow(d, arg, strncasecmp(p, "ikuti", 5) == 0 || strncasecmp(p, "follow", 6) == 0);
        return st;
    }
    return DLG_PASS;
}

bool bot_state_drafting(const char *state)
{
    dlg_state st = dlg_parse(state, NULL);
    const dlg_step *s = state ? dlg_step_of(st) : NULL;
    return s && (s->flags & DLG_DRAFTING);
}

/* Reactions, edits, deletions and system notices need no answer. */
static bool quiet(const wa_event *ev)
{
    return !strcmp(ev->type, "reaction") || !strcmp(ev->type, "edit") ||
           !strcmp(ev->type, "revoke") || !strcmp(ev->type, "system") ||
           !strcmp(ev->type, "errors");
}

/* A message the dialogue can take: words, a choice, a place or a file. */
static bool usable(const wa_event *ev)
{
    return ev->text || ev->reply_id || ev->has_location ||
           (ev->media_id && (!strcmp(ev->type, "image") || !strcmp(ev->type, "video") ||
                             !strcmp(ev->type, "document")));
}

/* The state a stored name no table knows (a row written by another
 * version, or by hand): an error an operator sees, and the menu. */
static dlg_state unknown_state(dlg *d)
{
    char shown[48];
    const char *s = d->in->conv.state;
    size_t i = 0;
    /* The name as stored, printable and short (it is no personal data). */
    for (; s[i] && i < sizeof shown - 1; i++)
        shown[i] = s[i] > ' ' && s[i] < 0x7f && s[i] != '"' ? s[i] : '?';
    shown[i] = '\0';
    log_warn("wa", "event=unknown_state state=\"%s\" agency_id=%lld", shown,
             (long long)d->in->agency->id);
    metrics_dialogue_unknown_state();
    return dlg_menu(d);
}

/* Drops a draft nobody touched for too long; *st becomes idle. */
static void expire(dlg *d, dlg_state *st)
{
    const bot_in *in = d->in;
    if (*st == DLG_E_AFTER && in->now - in->conv.updated_at > BOT_FOLLOWUP_TTL) {
        *st = DLG_IDLE; /* nothing was left unfinished: no notice */
        json_object_del(d->draft, "after_code");
    } else if (*st != DLG_IDLE && in->conv.updated_at &&
               in->now - in->conv.updated_at > BOT_DRAFT_TTL) {
        bool svc = dlg_part_of(*st) == &dlg_service;
        dlg_say(d, bot_text(svc ? "svc_expired" : "expired", d->lang));
        *st = DLG_IDLE;
        json_object_del(d->draft, "report");
        json_object_del(d->draft, "svc");
        json_object_del(d->draft, "said");
    }
}

/* The message in state st (known, not expired): the next state. */
static dlg_state route(dlg *d, dlg_state st)
{
    const wa_event *ev = d->in->ev;
    dlg_state next = global_words(d, st);
    if (next != DLG_PASS)
        return next;
    if (survey_step(d, st, &next))
        return next;
    if (!usable(ev)) {
        dlg_say(d, bot_text("unsupported", d->lang));
        return st;
    }
    if (st == DLG_IDLE || st == DLG_MENU) {
        /* A file from a resident whose service request waits for one. */
        next = svc_idle_file(d);
        if (next != DLG_PASS || d->err != ERR_OK)
            return next != DLG_PASS ? next : st;
    }
    const dlg_step *s = dlg_step_of(st);
    return s && s->on_input ? s->on_input(d) : dlg_menu(d);
}

/* The step itself; *state_in is the state the message was taken in (after
 * an expired draft was dropped). */
static err_t step_once(const bot_in *in, const channel_caps *caps, store_dialog_effects *fx,
                       dlg_state *state_in)
{
    const wa_event *ev = in->ev;
    json_error_t je;
    dlg d = {in,     fx,   in->conv.lang && !strcmp(in->conv.lang, "en") ? "en" : "id",
             NULL,   caps, 0,
             ERR_OK, false};
    fx->seen_key = arena_printf(in->ar, "m:%s", ev->wamid);
    fx->agency_id = in->agency->id;
    fx->address = ev->from;
    fx->channel = bot_channel(in);
    /* A WhatsApp id is a mobile number; a Telegram chat id is not. */
    fx->mobile = caps->mobile_address ? ev->from : NULL;
    fx->phone_number_id = in->phone_number_id;
    fx->profile_name = ev->profile_name;
    fx->wamid = ev->wamid;
    fx->msg_type = ev->type;
    fx->msg_body = ev->text;
    fx->msg_media_id = ev->media_id;
    fx->msg_has_location = ev->has_location;
    fx->msg_lat = ev->lat;
    fx->msg_lon = ev->lon;
    fx->msg_time = ev->timestamp;
    fx->expect_version = in->conv.version;
    fx->now = in->now;
    d.draft = json_loads(in->conv.draft ? in->conv.draft : "{}", 0, &je);
    if (!json_is_object(d.draft)) {
        json_decref(d.draft);
        d.draft = json_object();
    }
    if (!d.draft || arena_on_destroy(in->ar, decref, d.draft) != 0)
        return ERR_NOMEM;
    dlg_state st = dlg_parse(in->conv.state, &d.arg);
    *state_in = st;
    if (quiet(ev)) {
        if (st == DLG_UNKNOWN) {
            fx->state = in->conv.state; /* kept as it was, for the next message to tell */
            /* the draft too, unless it was not a JSON object: then empty */
            fx->draft = channel_dump(in->ar, json_incref(d.draft));
            fx->lang = d.lang;
        } else {
            finish(&d, st);
        }
        return ERR_OK;
    }
    if (st == DLG_UNKNOWN) {
        finish(&d, unknown_state(&d));
        return d.err;
    }
    /* A number typed for one of the numbered options offered last (a
     * channel without buttons) is that option's tap. */
    bot_in tapped_in;
    wa_event tapped;
    const char *pick = ev->reply_id ? NULL : dlg_numbered_pick(d.draft, ev->text);
    if (pick) {
        tapped = *ev;
        tapped.reply_id = arena_strdup(in->ar, pick);
        tapped_in = *in;
        tapped_in.ev = &tapped;
        d.in = &tapped_in;
        ev = &tapped;
    }
    json_object_del(d.draft, "offered");
    expire(&d, &st);
    *state_in = st;
    /* A dialogue starts: its first message, for the case it may become. */
    if (st == DLG_IDLE)
        json_object_set_new(d.draft, "flow_from", json_string(ev->wamid));
    dlg_state next = route(&d, st);
    if (d.err != ERR_OK)
        return d.err;
    finish(&d, next);
    return ERR_OK;
}

const char *bot_channel(const bot_in *in) { return in->channel ? in->channel : WA_CHANNEL; }

const char *bot_channel_title(const bot_in *in)
{
    const channel_driver *d = channel_find(bot_channel(in));
    return d && d->title ? d->title : "WhatsApp";
}

err_t bot_cases_of(const bot_in *in, const char *address, unsigned limit, store_case **out,
                   size_t *n)
{
    const channel_driver *d = channel_find(bot_channel(in));
    if (!d || d->caps.mobile_address)
        return store_case_list_for_mobile(in->store, in->ar, in->agency->id, address, limit, out,
                                          n);
    return store_case_list_for_contact(in->store, in->ar, in->agency->id, d->name, address, limit,
                                       out, n);
}

err_t bot_step(const bot_in *in, store_dialog_effects *fx)
{
    /* The dialogue's inbound is WhatsApp's for now (wa_event). */
    return bot_step_caps(in, &wa_driver.caps, fx);
}

err_t bot_step_caps(const bot_in *in, const channel_caps *caps, store_dialog_effects *fx)
{
    dlg_state state = DLG_IDLE;
    err_t e = step_once(in, caps, fx, &state);
    /* A message of a report being composed belongs to the case the report
     * becomes, or to no case when the draft is cancelled or expires. */
    const dlg_step *was = dlg_step_of(state);
    fx->msg_draft = (was && (was->flags & DLG_DRAFTING)) || bot_state_drafting(fx->state);
    if (e == ERR_OK && fx->new_case && fx->draft) {
        /* The dialogue's messages since its first one join the new case. */
        json_error_t je;
        json_t *j = json_loads(fx->draft, 0, &je);
        fx->flow_from = arena_strdup(in->ar, json_string_value(json_object_get(j, "flow_from")));
        json_decref(j);
    }
    return e;
}

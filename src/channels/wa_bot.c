#include "channels/wa_bot.h"

#include "channels/wa_survey.h"
#include "channels/wa_service.h"
#include "channels/whatsapp/wa_text.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/text.h"
#include "domain/lifecycle.h"
#include "domain/regions.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* WhatsApp's limits on interactive messages (CLOUD-API-NOTES.md §4). */
#define LIST_ROWS_MAX   10
#define ROW_TITLE_MAX   24
#define ROW_DESC_MAX    72
#define DESCRIPTION_MIN 10
/* An emergency's description gathers the citizen's own words: the opening
 * message, what is typed before the location, what comes after. Cases
 * hold at most this many characters (CASE_DESCRIPTION_MAX). */
#define DESCRIPTION_MAX 4000
#define WORDS_MAX       1000
/* An opening shorter than this ("p", "1", "tes") says nothing. */
#define WORDS_MIN 5

typedef struct {
    const wa_bot_in *in;
    store_wa_effects *fx;
    const char *lang;
    json_t *draft; /* the conversation's JSON: consent, anonim, and the report */
} bot;

static void decref(void *p) { json_decref(p); }
static const char *cut(arena_t *ar, const char *s, size_t max);

/* JSON text of j in the arena; takes j. */
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

const char *wa_msg_text(arena_t *ar, const char *to, const char *body)
{
    return dump(ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:b, s:s}}", "messaging_product", "whatsapp",
                              "recipient_type", "individual", "to", to, "type", "text", "text",
                              "preview_url", 0, "body", body));
}

const char *wa_template_value(arena_t *ar, const char *v)
{
    /* Meta refuses template values with new lines, tabs or more than four
     * spaces in a row, and long ones: fold and cut them. */
    if (!v)
        return NULL;
    char *o = arena_strdup(ar, v);
    for (char *p = o; p && *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    return cut(ar, o, WA_TEMPLATE_VALUE_MAX);
}

const char *wa_msg_template(arena_t *ar, const char *to, const char *name, const char *lang,
                            const char *const *params, int n)
{
    json_t *ps = json_array();
    for (int i = 0; ps && i < n; i++)
        json_array_append_new(ps, json_pack("{s:s, s:s}", "type", "text", "text",
                                            params[i] && *params[i] ? params[i] : "-"));
    return dump(ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:[{s:s, s:o}]}}",
                              "messaging_product", "whatsapp", "recipient_type", "individual", "to",
                              to, "type", "template", "template", "name", name, "language", "code",
                              lang, "components", "type", "body", "parameters", ps));
}

const char *wa_status_text(arena_t *ar, const char *tracking_code, const char *kind,
                           const store_event *ev, const char *lang)
{
    char shown[IDS_SHOWN_BUF];
    int st = status_parse(ev->to_status);
    const char *label = st >= 0 ? status_label((case_status_t)st, lang) : ev->to_status;
    const char *note = ev->public_note ? cut(ar, ev->public_note, 600) : NULL;
    ids_tracking_format(tracking_code, shown);
    bool service = kind && strcmp(kind, "service") == 0;
    return wa_textf(ar, service ? "svc_status_update" : "status_update", lang, "code", shown,
                    "status", label, "note", note ? arena_printf(ar, "\n%s", note) : "", NULL);
}

err_t wa_render_status(store_t *s, arena_t *ar, int64_t case_id, int64_t event_id,
                       const char *wa_id, const char *lang, const char **payload,
                       const char **template)
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
    const char *note = found->public_note ? cut(ar, found->public_note, 600) : NULL;
    const char *text = wa_status_text(ar, c.tracking_code, c.kind, found, lang);
    *payload = wa_msg_text(ar, wa_id, text);
    /* The agency's approved template, in its language (Indonesian unless
     * set otherwise) whatever the dialogue's language. */
    store_agency ag;
    const char *tname = WA_TEMPLATE_STATUS, *tlang = "id";
    if (store_agency_get(s, ar, c.agency_id, &ag) == ERR_OK && ag.wa_template_status) {
        tname = ag.wa_template_status;
        tlang = ag.wa_template_lang ? ag.wa_template_lang : "id";
    }
    const char *params[] = {
        shown, st >= 0 ? status_label((case_status_t)st, strcmp(tlang, "en") ? "id" : "en") : label,
        wa_template_value(ar, note)};
    *template = wa_msg_template(ar, wa_id, tname, tlang, params, 3);
    if (!*payload || !*template)
        return ERR_NOMEM;
    /* Issue #8: a resolved case asks for confirmation, a close invites the survey. */
    return wa_survey_render(s, ar, &c, found, wa_id, lang, text, payload, template);
}

static void reply(bot *b, const char *payload)
{
    store_wa_effects *fx = b->fx;
    if (payload && fx->nout < STORE_WA_OUT_MAX)
        fx->out[fx->nout++] = (store_wa_out){"reply", payload, NULL, false};
}

static void say(bot *b, const char *text) { reply(b, wa_msg_text(b->in->ar, b->fx->wa_id, text)); }

/* Cuts s to at most max code points (WhatsApp counts characters). */
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

static void buttons(bot *b, const char *body, const char *ids[], const char *titles[], int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:{s:s, s:s}}", "type", "reply", "reply", "id",
                                             ids[i], "title", cut(b->in->ar, titles[i], 20)));
    reply(b, dump(b->in->ar,
                  json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:{s:o}}}", "messaging_product",
                            "whatsapp", "recipient_type", "individual", "to", b->fx->wa_id, "type",
                            "interactive", "interactive", "type", "button", "body", "text", body,
                            "action", "buttons", arr)));
}

typedef struct {
    const char *id, *title, *desc;
} row;

static void list(bot *b, const char *body, const char *button, const row *rows, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n && i < LIST_ROWS_MAX; i++) {
        json_t *r = json_pack("{s:s, s:s}", "id", rows[i].id, "title",
                              cut(b->in->ar, rows[i].title, ROW_TITLE_MAX));
        if (r && rows[i].desc)
            json_object_set_new(r, "description",
                                json_string(cut(b->in->ar, rows[i].desc, ROW_DESC_MAX)));
        json_array_append_new(arr, r);
    }
    reply(b, dump(b->in->ar,
                  json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:{s:s, s:[{s:s, s:o}]}}}",
                            "messaging_product", "whatsapp", "recipient_type", "individual", "to",
                            b->fx->wa_id, "type", "interactive", "interactive", "type", "list",
                            "body", "text", body, "action", "button", cut(b->in->ar, button, 20),
                            "sections", "title",
                            cut(b->in->ar, wa_text("menu_button", b->lang), 24), "rows", arr)));
}

/* ---- the draft ---------------------------------------------------------------- */

static json_t *report(bot *b)
{
    json_t *r = json_object_get(b->draft, "report");
    if (!json_is_object(r)) {
        r = json_object();
        json_object_set_new(b->draft, "report", r);
    }
    return r;
}

/* A copy in the arena: the draft's own strings go when the report does. */
static const char *rget(bot *b, const char *k)
{
    return arena_strdup(b->in->ar, json_string_value(json_object_get(report(b), k)));
}

static void rset(bot *b, const char *k, json_t *v) { json_object_set_new(report(b), k, v); }

static void finish(bot *b, const char *state)
{
    b->fx->state = state;
    if (strcmp(state, "e_after") != 0)
        json_object_del(b->draft, "after_code");
    /* A new answer (or a new step) starts the count of misunderstandings anew. */
    json_object_del(b->draft, "reask_state");
    json_object_del(b->draft, "reask_n");
    if (strcmp(state, "idle") == 0) {
        json_object_del(b->draft, "report");
        json_object_del(b->draft, "said");
    }
    b->fx->draft = dump(b->in->ar, json_incref(b->draft));
    b->fx->lang = b->lang;
}

/* ---- steps --------------------------------------------------------------------- */

static void menu(bot *b)
{
    store_category *k;
    size_t n = 0;
    bool service = false;
    if (store_category_list(b->in->store, b->in->ar, b->in->agency->id, &k, &n) == ERR_OK)
        for (size_t i = 0; i < n; i++)
            service |= k[i].active && strcmp(k[i].kind, "service") == 0;
    row rows[4] = {
        {"menu:report", wa_text("menu_report", b->lang), wa_text("menu_report_desc", b->lang)},
        {"menu:status", wa_text("menu_status", b->lang), wa_text("menu_status_desc", b->lang)},
        {"menu:help", wa_text("menu_help", b->lang), wa_text("menu_help_desc", b->lang)},
        {"menu:service", wa_text("menu_service", b->lang), wa_text("menu_service_desc", b->lang)},
    };
    list(b, wa_textf(b->in->ar, "greeting", b->lang, "agency", b->in->agency->name, NULL),
         wa_text("menu_button", b->lang), rows, service ? 4 : 3);
    finish(b, "menu");
}

static void ask_consent(bot *b)
{
    const char *ids[] = {"consent:yes", "consent:anon", "consent:no"};
    const char *titles[] = {wa_text("consent_yes", b->lang), wa_text("consent_anon", b->lang),
                            wa_text("consent_no", b->lang)};
    buttons(b, wa_text("consent", b->lang), ids, titles, 3);
    finish(b, "consent");
}

static void ask_category(bot *b)
{
    store_category *k;
    size_t n = 0;
    row rows[LIST_ROWS_MAX];
    int nr = 0;
    if (!json_integer_value(json_object_get(b->draft, "consent"))) {
        ask_consent(b);
        return;
    }
    if (store_category_list(b->in->store, b->in->ar, b->in->agency->id, &k, &n) == ERR_OK)
        for (size_t i = 0; i < n && nr < LIST_ROWS_MAX; i++)
            if (k[i].active && strcmp(k[i].kind, "service") != 0)
                rows[nr++] = (row){arena_printf(b->in->ar, "cat:%lld", (long long)k[i].id),
                                   strcmp(b->lang, "en") == 0 ? k[i].name_en : k[i].name_id,
                                   strcmp(k[i].kind, "emergency") != 0 ? NULL
                                   : strcmp(b->lang, "en") == 0        ? "EMERGENCY"
                                                                       : "DARURAT"};
    list(b, wa_text("choose_category", b->lang), wa_text("choose_button", b->lang), rows, nr);
    json_object_del(b->draft, "report");
    finish(b, "category");
}

static void ask_photos(bot *b)
{
    const char *ids[] = {"photos:next", "photos:skip"};
    const char *titles[] = {wa_text("next", b->lang), wa_text("skip", b->lang)};
    buttons(b, wa_text("ask_photos", b->lang), ids, titles, 2);
    finish(b, "photos");
}

static void summary(bot *b)
{
    json_t *r = report(b);
    char count[24];
    snprintf(count, sizeof count, "%zu", json_array_size(json_object_get(r, "media")));
    const char *where = rget(b, "address");
    if (!where)
        where =
            json_is_true(json_object_get(r, "has_loc")) ? wa_text("location_shared", b->lang) : "-";
    const char *ids[] = {"confirm:send", "confirm:edit", "confirm:cancel"};
    const char *titles[] = {wa_text("send", b->lang), wa_text("edit", b->lang),
                            wa_text("cancel", b->lang)};
    buttons(b,
            cut(b->in->ar,
                wa_textf(b->in->ar, "summary", b->lang, "category", rget(b, "cat_name"),
                         "description", rget(b, "desc"), "location", where, "count", count, NULL),
                1024),
            ids, titles, 3);
    finish(b, "confirm");
}

/* True when now is outside the office hours (Monday to Friday, local). */
static bool after_hours(const wa_bot_in *in, char *hours, size_t cap)
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
static bool over_limit(bot *b)
{
    store_case *cs;
    size_t n = 0, recent = 0;
    unsigned limit = b->in->daily_limit ? b->in->daily_limit : 5;
    if (store_case_list_for_wa(b->in->store, b->in->ar, b->in->agency->id, b->fx->wa_id, limit + 1,
                               &cs, &n) != ERR_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        if (b->in->now - cs[i].created_at < 24 * 3600)
            recent++;
    if (recent < limit)
        return false;
    char count[24];
    snprintf(count, sizeof count, "%zu", recent);
    say(b, wa_textf(b->in->ar, "daily_limit", b->lang, "count", count, NULL));
    return true;
}

/* Creates the case from the draft (in fx: applied with the rest). */
static err_t create_case(bot *b, bool emergency)
{
    const wa_bot_in *in = b->in;
    /* Spam protection, never in the way of an emergency. */
    if (!emergency && over_limit(b))
        return ERR_OK;
    store_case *c = arena_alloc(in->ar, sizeof *c);
    char code[IDS_CODE_BUF], shown[IDS_SHOWN_BUF];
    if (!c)
        return ERR_NOMEM;
    json_t *r = report(b);
    ids_tracking_new(code);
    ids_tracking_format(code, shown);
    c->agency_id = in->agency->id;
    c->category_id = (int64_t)json_integer_value(json_object_get(r, "cat"));
    c->kind = emergency ? "emergency" : "complaint";
    c->channel = "whatsapp";
    c->status = "received";
    c->priority = emergency ? "urgent" : "normal";
    c->description = rget(b, "desc");
    if (emergency) {
        /* The citizen's own words: what opened the conversation, then what
         * was typed while the bot asked for the location. */
        const char *said = json_string_value(json_object_get(b->draft, "said"));
        if (said && c->description)
            c->description = arena_printf(in->ar, "%s\n%s", said, c->description);
        else if (said)
            c->description = arena_strdup(in->ar, said);
        c->description = cut(in->ar, c->description, DESCRIPTION_MAX);
        json_object_del(b->draft, "said");
    }
    if (!c->description)
        c->description = arena_printf(in->ar, "%s (WhatsApp)", rget(b, "cat_name"));
    c->has_location = json_is_true(json_object_get(r, "has_loc"));
    c->lat = json_real_value(json_object_get(r, "lat"));
    c->lon = json_real_value(json_object_get(r, "lon"));
    c->address = rget(b, "address");
    c->kecamatan_code = rget(b, "kec");
    /* A shared location names its kecamatan (the imported boundaries); a
     * point outside all of them keeps none. */
    if (!c->kecamatan_code && c->has_location &&
        region_locate(in->store, in->ar, c->lat, c->lon, &c->kecamatan_code) != ERR_OK)
        c->kecamatan_code = NULL;
    /* SP4N: reports from WhatsApp are confidential by default. */
    c->rahasia = true;
    c->anonim = json_is_true(json_object_get(b->draft, "anonim"));
    c->tracking_code = arena_strdup(in->ar, code);
    c->created_at = in->now;
    b->fx->new_case = c;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r, "media"), i, m)
    {
        if (b->fx->nmedia >= STORE_WA_MEDIA_MAX)
            break;
        b->fx->media[b->fx->nmedia++] = (store_wa_media){
            arena_strdup(in->ar, json_string_value(json_object_get(m, "id"))),
            arena_strdup(in->ar, json_string_value(json_object_get(m, "mime"))),
            arena_strdup(in->ar, json_string_value(json_object_get(m, "sha256"))),
            arena_strdup(in->ar, json_string_value(json_object_get(m, "filename")))};
    }
    const char *url = arena_printf(in->ar, "%s/t/%s", in->public_url, code);
    const char *text = wa_textf(in->ar, emergency ? "emergency_created" : "created", b->lang,
                                "code", shown, "url", url, NULL);
    char hours[32];
    if (!emergency && text && after_hours(in, hours, sizeof hours))
        text = arena_printf(in->ar, "%s\n\n%s", text,
                            wa_textf(in->ar, "after_hours", b->lang, "hours", hours, NULL));
    const char *payload = wa_msg_text(in->ar, b->fx->wa_id, text);
    if (payload && b->fx->nout < STORE_WA_OUT_MAX)
        b->fx->out[b->fx->nout++] = (store_wa_out){"reply", payload, NULL, true};
    return ERR_OK;
}

static void add_media(bot *b, const wa_event *ev)
{
    json_t *media = json_object_get(report(b), "media");
    if (!json_is_array(media)) {
        media = json_array();
        rset(b, "media", media);
    }
    char count[24];
    if (json_array_size(media) >= WA_MEDIA_PER_CASE) {
        snprintf(count, sizeof count, "%zu", json_array_size(media));
        say(b, wa_textf(b->in->ar, "photos_full", b->lang, "count", count, NULL));
        return;
    }
    json_array_append_new(media, json_pack("{s:s, s:s?, s:s?, s:s?}", "id", ev->media_id, "mime",
                                           ev->media_mime, "sha256", ev->media_sha256, "filename",
                                           ev->media_filename));
    snprintf(count, sizeof count, "%zu", json_array_size(media));
    const char *ids[] = {"photos:next"};
    const char *titles[] = {wa_text("next", b->lang)};
    buttons(b, wa_textf(b->in->ar, "photo_received", b->lang, "count", count, NULL), ids, titles,
            1);
}

static bool is_word(const char *text, const char *a, const char *b2)
{
    if (!text)
        return false;
    const char *p;
    size_t n = text_trim(text, &p);
    return (strlen(a) == n && strncasecmp(p, a, n) == 0) ||
           (b2 && strlen(b2) == n && strncasecmp(p, b2, n) == 0);
}

/* The answer as a choice id: a tapped button/row, or a number typed for
 * the n-th of the offered choices, or a yes/no word. */
static const char *choice(bot *b, const char *const *offered, int n)
{
    const wa_event *ev = b->in->ev;
    if (ev->reply_id)
        return ev->reply_id;
    if (!ev->text)
        return NULL;
    const char *p;
    size_t len = text_trim(ev->text, &p);
    if (len == 1 && *p >= '1' && *p < '1' + n)
        return offered[*p - '1'];
    if (is_word(ev->text, "ya", "yes") || is_word(ev->text, "kirim", "send"))
        return offered[0];
    return NULL;
}

static void ask_kecamatan(bot *b)
{
    store_region *g;
    size_t n = 0;
    row rows[LIST_ROWS_MAX];
    if (store_region_list(b->in->store, b->in->ar, &g, &n) != ERR_OK)
        n = 0;
    for (size_t i = 0; i < n && i < LIST_ROWS_MAX; i++)
        rows[i] = (row){arena_printf(b->in->ar, "kec:%s", g[i].code), g[i].name, NULL};
    if (n == 0) {
        ask_photos(b);
        return;
    }
    list(b, wa_text("ask_kecamatan", b->lang), wa_text("kecamatan_button", b->lang), rows,
         (int)(n < LIST_ROWS_MAX ? n : LIST_ROWS_MAX));
    finish(b, "kecamatan");
}

static err_t on_category(bot *b, const char *id);

/* An answer the step cannot use. The first time, the question comes again
 * with help; the second time, one line on how to get out; after that the
 * bot stays quiet rather than repeat itself (the message is still kept). */
static void reask(bot *b, const char *state)
{
    const char *was = json_string_value(json_object_get(b->draft, "reask_state"));
    json_int_t n = was && strcmp(was, state) == 0
                       ? json_integer_value(json_object_get(b->draft, "reask_n"))
                       : 0;
    if (n == 0) {
        say(b, arena_printf(b->in->ar, "%s %s", wa_text("not_understood", b->lang),
                            wa_text("use_buttons", b->lang)));
        if (strcmp(state, "menu") == 0)
            menu(b);
        else if (strcmp(state, "consent") == 0)
            ask_consent(b);
        else if (strcmp(state, "category") == 0)
            ask_category(b);
        else if (strcmp(state, "kecamatan") == 0)
            ask_kecamatan(b);
        else if (strcmp(state, "photos") == 0)
            ask_photos(b);
        else if (strcmp(state, "confirm") == 0)
            summary(b);
        else if (strcmp(state, "urgent") == 0)
            on_category(
                b, arena_printf(b->in->ar, "cat:%lld",
                                (long long)json_integer_value(json_object_get(report(b), "cat"))));
        else
            finish(b, state);
    } else {
        if (n == 1)
            say(b, wa_text("stuck", b->lang));
        finish(b, state);
    }
    json_object_set_new(b->draft, "reask_state", json_string(state));
    json_object_set_new(b->draft, "reask_n", json_integer(n + 1));
    b->fx->draft = dump(b->in->ar, json_incref(b->draft));
}

/* Location first: the case is created the moment it arrives. */
static void emergency_path(bot *b)
{
    rset(b, "emergency", json_true());
    say(b,
        wa_textf(b->in->ar, "emergency_location", b->lang, "category", rget(b, "cat_name"), NULL));
    finish(b, "e_location");
}

static void ask_description(bot *b)
{
    say(b, wa_textf(b->in->ar, "describe", b->lang, "category", rget(b, "cat_name"), NULL));
    finish(b, "describe");
}

static err_t on_category(bot *b, const char *id)
{
    store_category k;
    long long cat = id && strncmp(id, "cat:", 4) == 0 ? strtoll(id + 4, NULL, 10) : 0;
    if (!cat || store_category_get(b->in->store, b->in->ar, cat, &k) != ERR_OK ||
        k.agency_id != b->in->agency->id || !k.active || strcmp(k.kind, "service") == 0) {
        reask(b, "category");
        return ERR_OK;
    }
    json_object_del(b->draft, "report");
    rset(b, "cat", json_integer(cat));
    rset(b, "cat_name", json_string(strcmp(b->lang, "en") == 0 ? k.name_en : k.name_id));
    store_group g;
    if (strcmp(k.kind, "emergency") == 0) {
        emergency_path(b);
    } else if (store_group_of(b->in->store, b->in->ar, b->in->agency->id, b->fx->wa_id, &g) ==
               ERR_OK) {
        /* A registered community reporter may mark any report urgent: it
         * then takes the emergency path (issue #6). */
        const char *ids[] = {"urgent:yes", "urgent:no"};
        const char *titles[] = {wa_text("urgent_yes", b->lang), wa_text("urgent_no", b->lang)};
        buttons(b,
                wa_textf(b->in->ar, "ask_urgent", b->lang, "category", rget(b, "cat_name"), "group",
                         g.name, NULL),
                ids, titles, 2);
        finish(b, "urgent");
    } else {
        ask_description(b);
    }
    return ERR_OK;
}

/* A registered reporter's answer: urgent or not. */
static void on_urgent(bot *b)
{
    static const char *const o[] = {"urgent:yes", "urgent:no"};
    const char *id = choice(b, o, 2);
    if (!id && (is_word(b->in->ev->text, "darurat", "emergency") ||
                is_word(b->in->ev->text, "urgent", "mendesak")))
        id = o[0];
    if (!id && (is_word(b->in->ev->text, "tidak", "no") ||
                is_word(b->in->ev->text, "tidak darurat", "not urgent")))
        id = o[1];
    if (id && strcmp(id, o[0]) == 0)
        emergency_path(b);
    else if (id && strcmp(id, o[1]) == 0)
        ask_description(b);
    else
        reask(b, "urgent");
}

static void status_check(bot *b, const char *code_text)
{
    store_case *cs;
    size_t n = 0;
    char want[IDS_CODE_BUF] = "", shown[IDS_SHOWN_BUF], date[CLOCK_ISO_BUF];
    if (code_text && ids_tracking_normalize(code_text, want) != 0)
        snprintf(want, sizeof want, "?");
    if (store_case_list_for_wa(b->in->store, b->in->ar, b->in->agency->id, b->fx->wa_id, 5, &cs,
                               &n) != ERR_OK ||
        n == 0) {
        say(b, wa_text("status_none", b->lang));
        return;
    }
    char *out = arena_strdup(b->in->ar, wa_text("status_head", b->lang));
    int shown_n = 0;
    for (size_t i = 0; out && i < n; i++) {
        if (*want && strcmp(want, cs[i].tracking_code) != 0)
            continue;
        int st = status_parse(cs[i].status);
        ids_tracking_format(cs[i].tracking_code, shown);
        clock_format(cs[i].created_at, date);
        date[10] = '\0';
        out = arena_printf(
            b->in->ar, "%s\n%s", out,
            wa_textf(b->in->ar, "status_line", b->lang, "code", shown, "category",
                     strcmp(b->lang, "en") == 0 ? cs[i].category_name_en : cs[i].category_name_id,
                     "status", st >= 0 ? status_label(st, b->lang) : cs[i].status, "date", date,
                     NULL));
        shown_n++;
    }
    if (*want && shown_n == 0)
        say(b, wa_textf(b->in->ar, "status_unknown", b->lang, "code", code_text, NULL));
    else
        say(b, out);
}

/* Words that mean the same wherever the citizen is in the dialogue
 * (state: where it was; a service request is a "permohonan"). */
static bool global_words(bot *b, const char *state)
{
    const wa_event *ev = b->in->ev;
    const char *t = ev->text;
    if (!t || ev->reply_id)
        return false;
    const char *p;
    size_t n = text_trim(t, &p);
    if (is_word(t, "batal", "cancel")) {
        say(b, wa_text(strncmp(state, "svc", 3) == 0 ? "svc_cancelled" : "cancelled", b->lang));
        finish(b, "idle");
        return true;
    }
    if (is_word(t, "english", NULL) || is_word(t, "indonesia", NULL)) {
        b->lang = is_word(t, "english", NULL) ? "en" : "id";
        menu(b);
        return true;
    }
    if (is_word(t, "menu", "mulai") || is_word(t, "halo", "hi")) {
        menu(b);
        return true;
    }
    if (n >= 6 && strncasecmp(p, "status", 6) == 0 && (n == 6 || p[6] == ' ')) {
        status_check(b, n > 7 ? arena_strndup(b->in->ar, p + 7, n - 7) : NULL);
        finish(b, b->in->conv.state);
        return true;
    }
    return false;
}

static err_t step(bot *b, const char *state)
{
    const wa_event *ev = b->in->ev;
    const char *id;
    if (strcmp(state, "consent") == 0) {
        static const char *const o[] = {"consent:yes", "consent:anon", "consent:no"};
        id = choice(b, o, 3);
        if (!id && is_word(ev->text, "tidak", "no"))
            id = "consent:no";
        if (!id && is_word(ev->text, "anonim", "anonymous"))
            id = "consent:anon";
        if (!id) {
            reask(b, state);
        } else if (strcmp(id, "consent:no") == 0) {
            say(b, wa_text("consent_refused", b->lang));
            finish(b, "idle");
        } else if (strncmp(id, "consent:", 8) == 0) {
            json_object_set_new(b->draft, "consent", json_integer(b->in->now));
            json_object_set_new(b->draft, "anonim", json_boolean(strcmp(id, "consent:anon") == 0));
            ask_category(b);
        } else {
            reask(b, state);
        }
    } else if (strcmp(state, "menu") == 0) {
        static const char *const o[] = {"menu:report", "menu:status", "menu:help", "menu:service"};
        id = choice(b, o, 4);
        if (id && strcmp(id, "menu:report") == 0) {
            ask_category(b);
        } else if (id && strcmp(id, "menu:status") == 0) {
            status_check(b, NULL);
            finish(b, "idle");
        } else if (id && strcmp(id, "menu:help") == 0) {
            say(b, wa_text("help", b->lang));
            finish(b, "idle");
        } else if (id && strcmp(id, "menu:service") == 0) {
            wa_svc sv = {b->in, b->fx, b->draft, b->lang};
            finish(b, wa_service_start(&sv));
        } else {
            reask(b, state);
        }
    } else if (strcmp(state, "category") == 0) {
        if (ev->reply_id || !ev->text)
            return on_category(b, ev->reply_id);
        store_category *k;
        size_t n = 0, seen = 0;
        const char *p;
        size_t len = text_trim(ev->text, &p);
        long pick = (len && len < 3) ? strtol(p, NULL, 10) : 0;
        if (pick > 0 &&
            store_category_list(b->in->store, b->in->ar, b->in->agency->id, &k, &n) == ERR_OK)
            for (size_t i = 0; i < n; i++)
                if (k[i].active && strcmp(k[i].kind, "service") != 0 && (long)++seen == pick)
                    return on_category(b, arena_printf(b->in->ar, "cat:%lld", (long long)k[i].id));
        reask(b, state);
    } else if (strcmp(state, "urgent") == 0) {
        on_urgent(b);
    } else if (strcmp(state, "describe") == 0) {
        const char *p;
        size_t len = ev->text && !ev->reply_id ? text_trim(ev->text, &p) : 0;
        if (len < DESCRIPTION_MIN) {
            say(b, wa_text("describe_short", b->lang));
            finish(b, state);
        } else {
            rset(b, "desc", json_string(cut(b->in->ar, arena_strndup(b->in->ar, p, len), 4000)));
            say(b, wa_text("ask_location", b->lang));
            finish(b, "location");
        }
    } else if (strcmp(state, "location") == 0 || strcmp(state, "e_location") == 0) {
        bool emergency = strcmp(state, "e_location") == 0;
        if (ev->has_location) {
            rset(b, "has_loc", json_true());
            rset(b, "lat", json_real(ev->lat));
            rset(b, "lon", json_real(ev->lon));
            const char *addr = ev->loc_address ? ev->loc_address : ev->loc_name;
            if (addr)
                rset(b, "address", json_string(cut(b->in->ar, addr, 500)));
            if (emergency) {
                err_t e = create_case(b, true);
                /* Photos and details may follow: they join this case. */
                json_object_del(b->draft, "report");
                if (b->fx->new_case)
                    json_object_set_new(b->draft, "after_code",
                                        json_string(b->fx->new_case->tracking_code));
                finish(b, "e_after");
                return e;
            }
            ask_photos(b);
        } else if (emergency) {
            /* Words typed instead of the location still describe the
             * emergency: keep them for the case. */
            const char *p;
            size_t len = ev->text && !ev->reply_id ? text_trim(ev->text, &p) : 0;
            if (len) {
                const char *was = rget(b, "desc");
                const char *now = cut(b->in->ar, arena_strndup(b->in->ar, p, len), WORDS_MAX);
                rset(b, "desc",
                     json_string(cut(b->in->ar,
                                     was ? arena_printf(b->in->ar, "%s\n%s", was, now) : now,
                                     DESCRIPTION_MAX)));
            }
            say(b, wa_text("emergency_text_location", b->lang));
            finish(b, state);
        } else if (ev->text && !ev->reply_id && strlen(ev->text) >= 5) {
            rset(b, "address", json_string(cut(b->in->ar, ev->text, 500)));
            ask_kecamatan(b);
        } else {
            say(b, wa_text("ask_location", b->lang));
            finish(b, state);
        }
    } else if (strcmp(state, "kecamatan") == 0) {
        id = ev->reply_id;
        if (id && strncmp(id, "kec:", 4) == 0 &&
            store_region_exists(b->in->store, id + 4) == ERR_OK) {
            rset(b, "kec", json_string(id + 4));
            ask_photos(b);
        } else {
            reask(b, state);
        }
    } else if (strcmp(state, "photos") == 0) {
        if (ev->media_id && (!strcmp(ev->type, "image") || !strcmp(ev->type, "video"))) {
            add_media(b, ev);
            finish(b, state);
        } else if ((ev->reply_id && strncmp(ev->reply_id, "photos:", 7) == 0) ||
                   is_word(ev->text, "lanjut", "lewati") || is_word(ev->text, "next", "skip") ||
                   is_word(ev->text, "selesai", "done")) {
            summary(b);
        } else {
            reask(b, state);
        }
    } else if (strcmp(state, "confirm") == 0) {
        static const char *const o[] = {"confirm:send", "confirm:edit", "confirm:cancel"};
        id = choice(b, o, 3);
        if (!id && (is_word(ev->text, "ubah", "edit")))
            id = "confirm:edit";
        if (!id && (is_word(ev->text, "tidak", "no")))
            id = "confirm:cancel";
        if (id && strcmp(id, "confirm:send") == 0) {
            err_t e = create_case(b, false);
            finish(b, "idle");
            return e;
        } else if (id && strcmp(id, "confirm:edit") == 0) {
            return on_category(
                b, arena_printf(b->in->ar, "cat:%lld",
                                (long long)json_integer_value(json_object_get(report(b), "cat"))));
        } else if (id && strcmp(id, "confirm:cancel") == 0) {
            say(b, wa_text("cancelled", b->lang));
            finish(b, "idle");
        } else {
            reask(b, state);
        }
    } else if (strcmp(state, "e_after") == 0) {
        /* After an emergency report: what the reporter sends next is more
         * about the same incident, until they start something else. */
        const char *code = json_string_value(json_object_get(b->draft, "after_code"));
        bool media = ev->media_id != NULL;
        if (!code || ev->reply_id || (!media && !ev->text)) {
            menu(b);
            return ERR_OK;
        }
        char shown[IDS_SHOWN_BUF];
        b->fx->case_code = arena_strdup(b->in->ar, code);
        if (media && b->fx->nmedia < STORE_WA_MEDIA_MAX)
            b->fx->media[b->fx->nmedia++] = (store_wa_media){ev->media_id, ev->media_mime,
                                                             ev->media_sha256, ev->media_filename};
        /* More words about the incident (a text, a photo's caption) join
         * the case's description. */
        const char *p;
        size_t len = ev->text ? text_trim(ev->text, &p) : 0;
        if (len)
            b->fx->case_text = arena_printf(
                b->in->ar, "\n%s", cut(b->in->ar, arena_strndup(b->in->ar, p, len), WORDS_MAX));
        ids_tracking_format(code, shown);
        say(b, wa_textf(b->in->ar, "added_to_case", b->lang, "code", shown, NULL));
        finish(b, state);
    } else if (strncmp(state, "svc", 3) == 0) {
        wa_svc sv = {b->in, b->fx, b->draft, b->lang};
        err_t e = ERR_OK;
        finish(b, wa_service_step(&sv, state, &e));
        return e;
    } else {
        menu(b);
    }
    return ERR_OK;
}

bool wa_state_drafting(const char *state)
{
    static const char *const steps[] = {"consent",    "category",  "urgent", "describe", "location",
                                        "e_location", "kecamatan", "photos", "confirm"};
    if (!state)
        return false;
    if (strncmp(state, "svc_", 4) == 0) /* a request being composed, not one sent back */
        return strncmp(state, "svc_resend", 10) != 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (strcmp(state, steps[i]) == 0)
            return true;
    return false;
}

static err_t bot_step(const wa_bot_in *in, store_wa_effects *fx, const char **state_in);

err_t wa_bot_step(const wa_bot_in *in, store_wa_effects *fx)
{
    const char *state = NULL;
    err_t e = bot_step(in, fx, &state);
    /* A message of a report being composed belongs to the case the report
     * becomes, or to no case when the draft is cancelled or expires. */
    fx->msg_draft = wa_state_drafting(state) || wa_state_drafting(fx->state);
    if (e == ERR_OK && fx->new_case && fx->draft) {
        /* The dialogue's messages since its first one join the new case. */
        json_error_t je;
        json_t *d = json_loads(fx->draft, 0, &je);
        fx->flow_from = arena_strdup(in->ar, json_string_value(json_object_get(d, "flow_from")));
        json_decref(d);
    }
    return e;
}

/* The step itself; *state_in is the state the message was taken in (after
 * an expired draft was dropped). */
static err_t bot_step(const wa_bot_in *in, store_wa_effects *fx, const char **state_in)
{
    const wa_event *ev = in->ev;
    json_error_t je;
    bot b = {in, fx, in->conv.lang && !strcmp(in->conv.lang, "en") ? "en" : "id", NULL};
    fx->seen_key = arena_printf(in->ar, "m:%s", ev->wamid);
    fx->agency_id = in->agency->id;
    fx->wa_id = ev->from;
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
    b.draft = json_loads(in->conv.draft ? in->conv.draft : "{}", 0, &je);
    if (!json_is_object(b.draft)) {
        json_decref(b.draft);
        b.draft = json_object();
    }
    if (!b.draft || arena_on_destroy(in->ar, decref, b.draft) != 0)
        return ERR_NOMEM;
    const char *state = in->conv.state ? in->conv.state : "idle";
    /* Reactions, edits, deletions and system notices need no answer. */
    if (!strcmp(ev->type, "reaction") || !strcmp(ev->type, "edit") || !strcmp(ev->type, "revoke") ||
        !strcmp(ev->type, "system") || !strcmp(ev->type, "errors")) {
        finish(&b, state);
        return ERR_OK;
    }
    if (strcmp(state, "e_after") == 0 && in->now - in->conv.updated_at > WA_FOLLOWUP_TTL) {
        state = "idle"; /* nothing was left unfinished: no notice */
        json_object_del(b.draft, "after_code");
    } else if (strcmp(state, "idle") != 0 && in->conv.updated_at &&
               in->now - in->conv.updated_at > WA_DRAFT_TTL) {
        say(&b, wa_text(strncmp(state, "svc", 3) == 0 ? "svc_expired" : "expired", b.lang));
        state = "idle";
        json_object_del(b.draft, "report");
        json_object_del(b.draft, "svc");
        json_object_del(b.draft, "said");
    }
    *state_in = state;
    /* A dialogue starts: its first message, for the case it may become. */
    if (strcmp(state, "idle") == 0)
        json_object_set_new(b.draft, "flow_from", json_string(ev->wamid));
    if (global_words(&b, state))
        return ERR_OK;
    err_t survey_err = ERR_OK;
    if (wa_survey_step(in, fx, state, b.lang, b.draft, &survey_err))
        return survey_err;
    bool usable = ev->text || ev->reply_id || ev->has_location ||
                  (ev->media_id && (!strcmp(ev->type, "image") || !strcmp(ev->type, "video") ||
                                    !strcmp(ev->type, "document")));
    if (!usable) {
        say(&b, wa_text("unsupported", b.lang));
        finish(&b, state);
        return ERR_OK;
    }
    if (strcmp(state, "idle") == 0 || strcmp(state, "menu") == 0) {
        /* A file from a resident whose service request waits for one. */
        wa_svc sv = {in, fx, b.draft, b.lang};
        err_t e = ERR_OK;
        const char *next = wa_service_idle_file(&sv, &e);
        if (next || e != ERR_OK) {
            finish(&b, next ? next : state);
            return e;
        }
    }
    if (strcmp(state, "idle") == 0) {
        /* What opens a conversation often is the whole story ("ada
         * kebakaran di ..."): an emergency report keeps it. */
        const char *p;
        size_t len = ev->text && !ev->reply_id ? text_trim(ev->text, &p) : 0;
        menu(&b);
        if (len >= WORDS_MIN) {
            json_object_set_new(b.draft, "said",
                                json_string(cut(in->ar, arena_strndup(in->ar, p, len), WORDS_MAX)));
            fx->draft = dump(in->ar, json_incref(b.draft));
        }
        return ERR_OK;
    }
    return step(&b, state);
}

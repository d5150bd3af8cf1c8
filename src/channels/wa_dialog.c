#include "channels/wa_dialog.h"

#include "channels/whatsapp/wa_text.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* WhatsApp's limits on interactive messages (CLOUD-API-NOTES.md §4). */
#define TEXT_MAX         4000
#define BODY_MAX         1024
#define BUTTON_TITLE_MAX 20
#define ROW_TITLE_MAX    24
#define ROW_DESC_MAX     72

const dlg_caps DLG_CAPS_WHATSAPP = {3, true, true};

/* ---- states -------------------------------------------------------------------- */

static const dlg_part *const parts[] = {&dlg_report, &dlg_emergency, &dlg_service, &dlg_survey};
#define NPARTS (sizeof parts / sizeof parts[0])

/* The id after the name of a DLG_WITH_ID step, or 0 when s is not one. */
static int64_t id_after(const char *s, const char *prefix)
{
    size_t np = strlen(prefix);
    if (strncmp(s, prefix, np) != 0)
        return 0;
    char *end;
    long long id = strtoll(s + np, &end, 10);
    return id > 0 && !*end && s[np] >= '1' && s[np] <= '9' ? id : 0;
}

dlg_state dlg_parse(const char *name, int64_t *arg)
{
    if (arg)
        *arg = 0;
    if (!name)
        return DLG_IDLE;
    for (size_t p = 0; p < NPARTS; p++)
        for (size_t i = 0; i < parts[p]->n; i++) {
            const dlg_step *s = &parts[p]->steps[i];
            int64_t id = s->flags & DLG_WITH_ID ? id_after(name, s->name) : 0;
            if (id && arg)
                *arg = id;
            if (id || (!(s->flags & DLG_WITH_ID) && strcmp(s->name, name) == 0))
                return s->state;
        }
    return DLG_UNKNOWN;
}

static const dlg_step *find(dlg_state st, const dlg_part **part)
{
    for (size_t p = 0; p < NPARTS; p++)
        for (size_t i = 0; i < parts[p]->n; i++)
            if (parts[p]->steps[i].state == st) {
                if (part)
                    *part = parts[p];
                return &parts[p]->steps[i];
            }
    return NULL;
}

const dlg_step *dlg_step_of(dlg_state st) { return find(st, NULL); }

const dlg_part *dlg_part_of(dlg_state st)
{
    const dlg_part *p = NULL;
    return find(st, &p) ? p : NULL;
}

const char *dlg_name(arena_t *ar, dlg_state st, int64_t arg)
{
    const dlg_step *s = find(st, NULL);
    if (!s)
        return NULL;
    if (s->flags & DLG_WITH_ID)
        return arena_printf(ar, "%s%lld", s->name, (long long)arg);
    return s->name;
}

dlg_state dlg_enter(dlg *d, dlg_state st)
{
    const dlg_step *s = find(st, NULL);
    return s && s->on_enter ? s->on_enter(d) : st;
}

json_t *dlg_draft_obj(dlg *d, const char *key)
{
    json_t *r = json_object_get(d->draft, key);
    if (!json_is_object(r)) {
        r = json_object();
        json_object_set_new(d->draft, key, r);
    }
    return r;
}

const char *dlg_draft_str(dlg *d, const char *key, const char *k)
{
    return arena_strdup(d->in->ar, json_string_value(json_object_get(dlg_draft_obj(d, key), k)));
}

/* ---- the builders ------------------------------------------------------------------ */

const char *dlg_cut(arena_t *ar, const char *s, size_t max)
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

const char *dlg_dump(arena_t *ar, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return NULL;
    char *out = arena_strdup(ar, s);
    free(s);
    return out;
}

/* WhatsApp's payloads (declared in wa_bot.h). */

const char *wa_msg_text(arena_t *ar, const char *to, const char *body)
{
    return dlg_dump(ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:b, s:s}}", "messaging_product",
                                  "whatsapp", "recipient_type", "individual", "to", to, "type",
                                  "text", "text", "preview_url", 0, "body", body));
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
    return dlg_cut(ar, o, WA_TEMPLATE_VALUE_MAX);
}

const char *wa_msg_template(arena_t *ar, const char *to, const char *name, const char *lang,
                            const char *const *params, int n)
{
    json_t *ps = json_array();
    for (int i = 0; ps && i < n; i++)
        json_array_append_new(ps, json_pack("{s:s, s:s}", "type", "text", "text",
                                            params[i] && *params[i] ? params[i] : "-"));
    return dlg_dump(ar,
                    json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:[{s:s, s:o}]}}",
                              "messaging_product", "whatsapp", "recipient_type", "individual", "to",
                              to, "type", "template", "template", "name", name, "language", "code",
                              lang, "components", "type", "body", "parameters", ps));
}

static void reply(dlg *d, const char *payload)
{
    store_dialog_effects *fx = d->fx;
    if (payload && fx->nout < STORE_WA_OUT_MAX)
        fx->out[fx->nout++] = (store_dialog_out){"reply", payload, NULL, false};
}

bool dlg_is_word(const char *text, const char *a, const char *b)
{
    if (!text)
        return false;
    const char *p;
    size_t n = text_trim(text, &p);
    return (strlen(a) == n && strncasecmp(p, a, n) == 0) ||
           (b && strlen(b) == n && strncasecmp(p, b, n) == 0);
}

void dlg_say_for_case(dlg *d, const char *text)
{
    const char *payload = wa_msg_text(d->in->ar, d->fx->address, text);
    if (payload && d->fx->nout < STORE_WA_OUT_MAX)
        d->fx->out[d->fx->nout++] = (store_dialog_out){"reply", payload, NULL, true};
}

void dlg_say(dlg *d, const char *text)
{
    reply(d, wa_msg_text(d->in->ar, d->fx->address, dlg_cut(d->in->ar, text, TEXT_MAX)));
}

/* The options as numbered lines under the body, for a channel that cannot
 * show them as buttons or a list; the draft remembers what each number
 * picks (dlg_numbered_pick). */
static void numbered(dlg *d, const char *body, const dlg_choice *c, int n)
{
    arena_t *ar = d->in->ar;
    json_t *ids = json_array();
    const char *text = arena_printf(ar, "%s\n", body);
    for (int i = 0; text && i < n; i++) {
        text = arena_printf(ar, "%s\n%d. %s%s%s", text, i + 1, c[i].title, c[i].desc ? " — " : "",
                            c[i].desc ? c[i].desc : "");
        json_array_append_new(ids, json_string(c[i].id));
    }
    json_object_set_new(d->draft, "offered", ids);
    dlg_say(d, arena_printf(ar, "%s\n\n%s", text, wa_text("choose_number", d->lang)));
}

const char *dlg_buttons_msg(arena_t *ar, const char *to, const char *body, const dlg_choice *c,
                            int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:{s:s, s:s}}", "type", "reply", "reply", "id",
                                             c[i].id, "title",
                                             dlg_cut(ar, c[i].title, BUTTON_TITLE_MAX)));
    return dlg_dump(ar,
                    json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:{s:o}}}",
                              "messaging_product", "whatsapp", "recipient_type", "individual", "to",
                              to, "type", "interactive", "interactive", "type", "button", "body",
                              "text", dlg_cut(ar, body, BODY_MAX), "action", "buttons", arr));
}

void dlg_buttons(dlg *d, const char *body, const dlg_choice *c, int n)
{
    if (n <= d->caps->max_buttons)
        reply(d, dlg_buttons_msg(d->in->ar, d->fx->address, body, c, n));
    else if (d->caps->has_lists)
        dlg_list(d, body, wa_text("menu_button", d->lang), wa_text("menu_button", d->lang), c, n);
    else
        numbered(d, body, c, n);
}

void dlg_list(dlg *d, const char *body, const char *button, const char *section,
              const dlg_choice *c, int n)
{
    arena_t *ar = d->in->ar;
    if (n > DLG_ROWS_MAX)
        n = DLG_ROWS_MAX;
    if (!d->caps->has_lists) {
        numbered(d, body, c, n);
        return;
    }
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        json_t *r =
            json_pack("{s:s, s:s}", "id", c[i].id, "title", dlg_cut(ar, c[i].title, ROW_TITLE_MAX));
        if (r && c[i].desc)
            json_object_set_new(r, "description",
                                json_string(dlg_cut(ar, c[i].desc, ROW_DESC_MAX)));
        json_array_append_new(arr, r);
    }
    reply(d,
          dlg_dump(ar, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:s}, s:{s:s, s:[{s:s, s:o}]}}}",
                                 "messaging_product", "whatsapp", "recipient_type", "individual",
                                 "to", d->fx->address, "type", "interactive", "interactive", "type",
                                 "list", "body", "text", dlg_cut(ar, body, BODY_MAX), "action",
                                 "button", dlg_cut(ar, button, BUTTON_TITLE_MAX), "sections",
                                 "title", dlg_cut(ar, section, ROW_TITLE_MAX), "rows", arr)));
}

void dlg_ask_location(dlg *d, const char *share, const char *typed)
{
    dlg_say(d, d->caps->has_location ? share : typed);
}

const char *dlg_numbered_pick(const json_t *draft, const char *text)
{
    const json_t *ids = json_object_get(draft, "offered");
    const char *p;
    size_t n = text && json_is_array(ids) ? text_trim(text, &p) : 0;
    if (n == 0 || n > 2)
        return NULL;
    char *end;
    long k = strtol(p, &end, 10);
    if (end != p + n || k < 1 || (size_t)k > json_array_size(ids))
        return NULL;
    return json_string_value(json_array_get(ids, (size_t)k - 1));
}

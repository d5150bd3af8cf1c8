#include "channels/dialog.h"

#include "channels/texts.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* m as one of the effects' messages (about the case the effects create
 * when for_case). */
static void queue(dlg *d, const channel_msg *m, bool for_case)
{
    store_dialog_effects *fx = d->fx;
    const char *json = channel_msg_json(d->in->ar, m);
    if (json && fx->nout < STORE_WA_OUT_MAX)
        fx->out[fx->nout++] =
            (store_dialog_out){.kind = "reply", .message = json, .for_new_case = for_case};
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
    channel_msg m = {.kind = CHANNEL_MSG_TEXT, .text = text};
    queue(d, &m, true);
}

void dlg_say(dlg *d, const char *text)
{
    channel_msg m = {.kind = CHANNEL_MSG_TEXT, .text = text};
    queue(d, &m, false);
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
    dlg_say(d, arena_printf(ar, "%s\n\n%s", text, bot_text("choose_number", d->lang)));
}

const char *dlg_buttons_json(arena_t *ar, const char *body, const dlg_choice *c, int n)
{
    channel_msg m = {.kind = CHANNEL_MSG_CHOICES, .text = body, .choices = c, .nchoices = n};
    return channel_msg_json(ar, &m);
}

void dlg_buttons(dlg *d, const char *body, const dlg_choice *c, int n)
{
    if (n <= (int)d->caps->buttons_max) {
        channel_msg m = {.kind = CHANNEL_MSG_CHOICES, .text = body, .choices = c, .nchoices = n};
        queue(d, &m, false);
    } else if (d->caps->list_rows_max) {
        dlg_list(d, body, bot_text("menu_button", d->lang), bot_text("menu_button", d->lang), c, n);
    } else {
        numbered(d, body, c, n);
    }
}

void dlg_list(dlg *d, const char *body, const char *button, const char *section,
              const dlg_choice *c, int n)
{
    if (n > DLG_ROWS_MAX)
        n = DLG_ROWS_MAX;
    if ((unsigned)n > d->caps->list_rows_max) {
        numbered(d, body, c, n);
        return;
    }
    channel_msg m = {.kind = CHANNEL_MSG_CHOICES,
                     .text = body,
                     .choices = c,
                     .nchoices = n,
                     .list_button = button,
                     .list_section = section};
    queue(d, &m, false);
}

void dlg_ask_location(dlg *d, const char *share, const char *typed)
{
    if (d->caps->location_request) {
        channel_msg m = {.kind = CHANNEL_MSG_LOCATION, .text = share};
        queue(d, &m, false);
    } else {
        dlg_say(d, typed);
    }
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

/* The WhatsApp driver's render (channels/channel.h): a neutral message as
 * a Graph API message body (CLOUD-API-NOTES.md §4-§5), with WhatsApp's
 * limits on what each part may hold. */
#include "channels/whatsapp/wa.h"

#include "core/text.h"

#include <jansson.h>

/* WhatsApp's limits on messages (CLOUD-API-NOTES.md §4). */
#define TEXT_MAX         4000
#define BODY_MAX         1024
#define BUTTON_TITLE_MAX 20
#define ROW_TITLE_MAX    24
#define ROW_DESC_MAX     72
#define CAPTION_MAX      1024

/* The envelope of every message to `to`, with its type. */
static json_t *envelope(const char *to, const char *type)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "messaging_product", "whatsapp", "recipient_type",
                     "individual", "to", to, "type", type);
}

/* env with the part of its type set to part; the message's JSON text. */
static const char *with(arena_t *ar, json_t *env, const char *type, json_t *part)
{
    if (env && part)
        json_object_set_new(env, type, part);
    else
        json_decref(part);
    return channel_dump(ar, env && part ? env : NULL);
}

static const char *msg_text(arena_t *ar, const char *to, const char *body)
{
    return with(ar, envelope(to, "text"), "text",
                json_pack("{s:b, s:s}", "preview_url", 0, "body", text_cut(ar, body, TEXT_MAX)));
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
    return text_cut(ar, o, WA_TEMPLATE_VALUE_MAX);
}

/* A template: a document header when m has one, the body's parameters,
 * then one quick-reply button per reply id. */
static const char *render_template(arena_t *ar, const char *to, const channel_msg *m)
{
    json_t *comps = json_array(), *ps = json_array();
    if (m->media)
        json_array_append_new(comps, json_pack("{s:s, s:[{s:s, s:{s:s, s:s?}}]}", "type", "header",
                                               "parameters", "type", "document", "document", "id",
                                               m->media, "filename", m->filename));
    for (int i = 0; ps && i < m->nparams; i++) {
        const char *v = m->params[i] && *m->params[i] ? wa_template_value(ar, m->params[i]) : "-";
        json_array_append_new(ps, json_pack("{s:s, s:s}", "type", "text", "text", v));
    }
    json_array_append_new(comps, json_pack("{s:s, s:o}", "type", "body", "parameters", ps));
    for (int i = 0; i < m->nchoices; i++)
        json_array_append_new(comps, json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}]}", "type", "button",
                                               "sub_type", "quick_reply", "index",
                                               arena_printf(ar, "%d", i), "parameters", "type",
                                               "payload", "payload", m->choices[i].id));
    return with(ar, envelope(to, "template"), "template",
                json_pack("{s:s, s:{s:s}, s:o}", "name", m->template, "language", "code",
                          m->lang ? m->lang : "id", "components", comps));
}

/* Up to three reply buttons, or a list of rows in one section. */
static const char *render_choices(arena_t *ar, const char *to, const channel_msg *m)
{
    json_t *arr = json_array(), *part;
    for (int i = 0; arr && i < m->nchoices; i++) {
        const channel_choice *c = &m->choices[i];
        json_t *r;
        if (!m->list_button) {
            r = json_pack("{s:s, s:{s:s, s:s}}", "type", "reply", "reply", "id", c->id, "title",
                          text_cut(ar, c->title, BUTTON_TITLE_MAX));
        } else {
            r = json_pack("{s:s, s:s}", "id", c->id, "title",
                          text_cut(ar, c->title, ROW_TITLE_MAX));
            if (r && c->desc)
                json_object_set_new(r, "description",
                                    json_string(text_cut(ar, c->desc, ROW_DESC_MAX)));
        }
        json_array_append_new(arr, r);
    }
    const char *body = text_cut(ar, m->text, BODY_MAX);
    if (!m->list_button)
        part = json_pack("{s:s, s:{s:s}, s:{s:o}}", "type", "button", "body", "text", body,
                         "action", "buttons", arr);
    else
        part = json_pack(
            "{s:s, s:{s:s}, s:{s:s, s:[{s:s, s:o}]}}", "type", "list", "body", "text", body,
            "action", "button", text_cut(ar, m->list_button, BUTTON_TITLE_MAX), "sections", "title",
            text_cut(ar, m->list_section ? m->list_section : m->list_button, ROW_TITLE_MAX), "rows",
            arr);
    return with(ar, envelope(to, "interactive"), "interactive", part);
}

const char *wa_render(arena_t *ar, const char *address, const channel_msg *m)
{
    switch (m->kind) {
    case CHANNEL_MSG_TEXT:
        return msg_text(ar, address, m->text);
    case CHANNEL_MSG_TEMPLATE:
        return render_template(ar, address, m);
    case CHANNEL_MSG_CHOICES:
        return render_choices(ar, address, m);
    case CHANNEL_MSG_DOCUMENT:
        return with(ar, envelope(address, "document"), "document",
                    json_pack("{s:s, s:s?, s:s?}", "id", m->media, "filename", m->filename,
                              "caption", text_cut(ar, m->text, CAPTION_MAX)));
    case CHANNEL_MSG_LOCATION:
        /* Asked in words: the citizen shares a location with the clip
         * button (or types the address). */
        return msg_text(ar, address, m->text);
    }
    return NULL;
}

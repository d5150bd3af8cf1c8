/* The registry of channel drivers (channel.h). A new channel adds its
 * driver here (docs/CHANNELS.md). */
#include "channels/channel.h"

#include "channels/telegram/tg.h"
#include "channels/email/email.h"
#include "channels/whatsapp/wa.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const channel_driver *const DRIVERS[] = {
    &wa_driver, &tg_driver, /* issue 16 §2 */
    &email_driver,          /* issue 16 §3 */
};

const channel_driver *channel_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof DRIVERS / sizeof DRIVERS[0]; i++)
        if (strcmp(DRIVERS[i]->name, name) == 0)
            return DRIVERS[i];
    return NULL;
}

const char *channel_for_mobile(void)
{
    for (size_t i = 0; i < sizeof DRIVERS / sizeof DRIVERS[0]; i++)
        if (DRIVERS[i]->caps.mobile_address)
            return DRIVERS[i]->name;
    return NULL;
}

int channel_poll_all(const config_t *cfg, struct store *s, int64_t now)
{
    int n = 0;
    for (size_t i = 0; i < sizeof DRIVERS / sizeof DRIVERS[0]; i++)
        if (DRIVERS[i]->poll)
            n += DRIVERS[i]->poll(cfg, s, now);
    return n;
}

const channel_driver *channel_at(size_t i)
{
    return i < sizeof DRIVERS / sizeof DRIVERS[0] ? DRIVERS[i] : NULL;
}

/* ---- the neutral message as JSON ----------------------------------------------- */

static const char *const KINDS[] = {"text", "template", "choices", "document", "location"};

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* Sets key to s unless s is NULL. */
static void put(json_t *o, const char *key, const char *s)
{
    if (s)
        json_object_set_new(o, key, json_string(s));
}

const char *channel_dump(arena_t *ar, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return NULL;
    char *out = arena_strdup(ar, s);
    free(s);
    return out;
}

const char *channel_msg_json(arena_t *ar, const channel_msg *m)
{
    if ((unsigned)m->kind >= sizeof KINDS / sizeof *KINDS)
        return NULL;
    json_t *o = json_pack("{s:s}", "kind", KINDS[m->kind]);
    if (!o)
        return NULL;
    if (m->kind == CHANNEL_MSG_TEMPLATE) {
        json_t *t = json_pack("{s:s?, s:s?}", "name", m->template, "lang", m->lang);
        json_t *ps = json_array(), *rs = json_array();
        for (int i = 0; ps && i < m->nparams; i++)
            json_array_append_new(ps, str_or_null(m->params[i]));
        for (int i = 0; rs && i < m->nchoices; i++)
            json_array_append_new(rs, str_or_null(m->choices[i].id));
        json_object_set_new(t, "params", ps);
        put(t, "media", m->media);
        put(t, "filename", m->filename);
        if (m->nchoices)
            json_object_set_new(t, "replies", rs);
        else
            json_decref(rs);
        json_object_set_new(o, "template", t);
        return channel_dump(ar, o);
    }
    put(o, "text", m->text);
    if (m->kind == CHANNEL_MSG_CHOICES) {
        json_t *cs = json_array();
        for (int i = 0; cs && i < m->nchoices; i++) {
            json_t *c =
                json_pack("{s:s?, s:s?}", "id", m->choices[i].id, "title", m->choices[i].title);
            if (c)
                put(c, "desc", m->choices[i].desc);
            json_array_append_new(cs, c);
        }
        json_object_set_new(o, "choices", cs);
        if (m->list_button)
            json_object_set_new(
                o, "list",
                json_pack("{s:s, s:s?}", "button", m->list_button, "section", m->list_section));
    } else if (m->kind == CHANNEL_MSG_DOCUMENT) {
        put(o, "media", m->media);
        put(o, "filename", m->filename);
    }
    return channel_dump(ar, o);
}

/* A copy in the arena of the string under key, NULL when there is none. */
static const char *get(arena_t *ar, const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? arena_strdup(ar, s) : NULL;
}

err_t channel_msg_parse(arena_t *ar, const char *json, channel_msg *m)
{
    json_error_t je;
    err_t rc = ERR_INVALID;
    json_t *o = json ? json_loads(json, 0, &je) : NULL;
    const char *kind = json_string_value(json_object_get(o, "kind"));
    memset(m, 0, sizeof *m);
    size_t k = 0;
    while (kind && k < sizeof KINDS / sizeof *KINDS && strcmp(KINDS[k], kind) != 0)
        k++;
    if (!kind || k == sizeof KINDS / sizeof *KINDS)
        goto out;
    m->kind = (channel_msg_kind)k;
    m->text = get(ar, o, "text");
    json_t *t = json_object_get(o, "template"), *arr, *v;
    if (m->kind == CHANNEL_MSG_TEMPLATE) {
        m->template = get(ar, t, "name");
        m->lang = get(ar, t, "lang");
        m->media = get(ar, t, "media");
        m->filename = get(ar, t, "filename");
        arr = json_object_get(t, "params");
        size_t n = json_array_size(arr), i;
        if (!m->template || n > CHANNEL_PARAMS_MAX)
            goto out;
        const char **ps = n ? arena_alloc(ar, n * sizeof *ps) : NULL;
        if (n && !ps) {
            rc = ERR_NOMEM;
            goto out;
        }
        json_array_foreach(arr, i, v) ps[i] =
            json_is_string(v) ? arena_strdup(ar, json_string_value(v)) : NULL;
        m->params = ps;
        m->nparams = (int)n;
        arr = json_object_get(t, "replies");
    } else {
        m->media = get(ar, o, "media");
        m->filename = get(ar, o, "filename");
        arr = json_object_get(o, "choices");
        json_t *l = json_object_get(o, "list");
        m->list_button = get(ar, l, "button");
        m->list_section = get(ar, l, "section");
    }
    size_t n = json_array_size(arr), i;
    if (n > CHANNEL_CHOICES_MAX)
        goto out;
    channel_choice *cs = n ? arena_alloc(ar, n * sizeof *cs) : NULL;
    if (n && !cs) {
        rc = ERR_NOMEM;
        goto out;
    }
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v)) { /* a template's reply: its id */
            cs[i] = (channel_choice){arena_strdup(ar, json_string_value(v)), NULL, NULL};
        } else {
            cs[i] = (channel_choice){get(ar, v, "id"), get(ar, v, "title"), get(ar, v, "desc")};
            if (!cs[i].id || !cs[i].title)
                goto out;
        }
    }
    m->choices = cs;
    m->nchoices = (int)n;
    /* Choices without options are the driver's to judge (WhatsApp's Graph
     * API refuses them, visibly, as before). */
    if ((m->kind == CHANNEL_MSG_DOCUMENT && !m->media) ||
        (m->kind != CHANNEL_MSG_TEMPLATE && m->kind != CHANNEL_MSG_DOCUMENT && !m->text))
        goto out;
    rc = ERR_OK;
out:
    json_decref(o);
    return rc;
}

const char *channel_render_json(arena_t *ar, const channel_driver *d, const char *address,
                                const char *json)
{
    channel_msg m;
    if (!d || channel_msg_parse(ar, json, &m) != ERR_OK)
        return NULL;
    return d->render(ar, address, &m);
}

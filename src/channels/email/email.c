/* The email driver's table, its rendering of neutral messages as the text
 * of a mail, its mailboxes' settings and the attachments it hands to the
 * media worker. */
#include "channels/email/email.h"

#include "core/secret.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

err_t email_box_read(arena_t *ar, const char *key, int64_t agency_id, const char *address,
                     const char *settings, const char *secret, email_box *out)
{
    json_t *j = json_loads(settings ? settings : "{}", 0, NULL);
    memset(out, 0, sizeof *out);
    if (!json_is_object(j)) {
        json_decref(j);
        return ERR_INVALID;
    }
#define S(k)                                                                                       \
    (json_is_string(json_object_get(j, k))                                                         \
         ? arena_strdup(ar, json_string_value(json_object_get(j, k)))                              \
         : NULL)
    out->agency_id = agency_id;
    out->address = arena_strdup(ar, address);
    out->imap = S("imap");
    out->smtp = S("smtp");
    out->user = S("user");
    out->from = S("from");
    const char *tls = S("starttls");
#undef S
    out->starttls_try = tls && strcmp(tls, "try") == 0;
    json_t *ps = json_object_get(j, "poll_seconds");
    out->poll_seconds = json_is_integer(ps) ? (int)json_integer_value(ps) : 60;
    if (out->poll_seconds < 1)
        out->poll_seconds = 1;
    /* Sealed with ADUAN_DATA_KEY when one was set at `email connect`. */
    if (secret && !strncmp(secret, SECRET_SEAL_PREFIX, strlen(SECRET_SEAL_PREFIX)))
        out->password = key && *key ? secret_open(ar, key, secret, NULL) : NULL;
    else
        out->password = secret ? arena_strdup(ar, secret) : NULL;
    if (!out->from)
        out->from = out->address;
    json_decref(j);
    return ERR_OK;
}

err_t email_box_get(store_t *s, arena_t *ar, const char *key, const char *address, email_box *out)
{
    store_endpoint ep;
    err_t e = store_endpoint_get(s, ar, EMAIL_CHANNEL, address, &ep);
    if (e == ERR_OK && !ep.active)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = email_box_read(ar, key, ep.agency_id, ep.endpoint, ep.settings, ep.secret, out);
    return e;
}

/* A neutral message as a mail's text, in a small JSON payload
 * {"to","text"}: the sender (email_smtp.c) adds the headers. Options
 * become numbered lines (the dialogue asks for a typed number when a
 * channel has no buttons); a template intent its values; documents none. */
/* The dialogue's texts mark bold WhatsApp's way (*ABCD-EFGH*): in a mail
 * the stars would show, so a star that opens (after a space or the start,
 * before a letter) or closes (after a letter, before a space, punctuation
 * or the end) such a span is dropped. Other stars stay. */
static const char *plain(arena_t *ar, const char *text)
{
    size_t n = strlen(text);
    char *out = arena_alloc(ar, n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '*') {
            char before = i ? text[i - 1] : ' ', after = text[i + 1];
            bool open = strchr(" \n\t(", before) && after && !strchr(" \n\t*", after);
            bool close = !strchr(" \n\t*", before) && (!after || strchr(" \n\t.,:;!?)", after));
            if (open || close)
                continue;
        }
        *o++ = text[i];
    }
    *o = 0;
    return out;
}

static const char *render(arena_t *ar, const char *address, const channel_msg *m)
{
    const char *text = m->text;
    switch (m->kind) {
    case CHANNEL_MSG_TEXT:
    case CHANNEL_MSG_LOCATION:
        break;
    case CHANNEL_MSG_CHOICES:
        for (int i = 0; i < m->nchoices; i++)
            text = arena_printf(ar, "%s\n%d. %s", text ? text : "", i + 1,
                                m->choices[i].title ? m->choices[i].title : "");
        break;
    case CHANNEL_MSG_TEMPLATE:
        /* Mail has no window that needs a template (can_send_text): the
         * intent's values in lines, should one ever be sent. */
        text = NULL;
        for (int i = 0; i < m->nparams; i++)
            if (m->params[i] && *m->params[i])
                text = text ? arena_printf(ar, "%s\n%s", text, m->params[i])
                            : arena_strdup(ar, m->params[i]);
        break;
    default:
        return NULL;
    }
    if (!text || !(text = plain(ar, text)))
        return NULL;
    return channel_dump(ar, json_pack("{s:s, s:s}", "to", address, "text", text));
}

/* Mail reaches a mailbox whenever it is sent: no re-engagement window. */
static bool can_send_text(int64_t last_inbound_at, int64_t now)
{
    (void)last_inbound_at;
    (void)now;
    return true;
}

/* Each mailbox carries its own servers (channel_endpoints): a mail is only
 * ever queued for an agency that connected one. */
static bool live(const config_t *cfg)
{
    (void)cfg;
    return true;
}

/* Not called: the outbox uses send_row (the mailbox's settings). */
static void send_plain(const config_t *cfg, struct store *s, void *curl, const char *endpoint,
                       const char *payload, channel_result *r)
{
    (void)cfg;
    (void)s;
    (void)curl;
    (void)endpoint;
    (void)payload;
    memset(r, 0, sizeof *r);
    snprintf(r->error, sizeof r->error, "email needs the mailbox's settings");
}

bool email_fetch_media(const config_t *cfg, struct store *s, void *curl, const char *media_id,
                       channel_fetch *f)
{
    (void)s;
    char path[CONFIG_PATH_MAX + 128];
    char buf[65536];
    (void)curl;
    f->mime[0] = f->stored[0] = f->error[0] = '\0';
    f->final = true;
    const char *hex = media_id + strlen(EMAIL_MEDIA_PREFIX);
    if (strncmp(media_id, EMAIL_MEDIA_PREFIX, strlen(EMAIL_MEDIA_PREFIX)) != 0 ||
        strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64) {
        snprintf(f->error, sizeof f->error, "not an email attachment id");
        return false;
    }
    snprintf(path, sizeof path, "%s/%s/%s", cfg->media_dir, EMAIL_SPOOL, hex);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(f->error, sizeof f->error, "the mail's attachment is no longer in the spool");
        return false;
    }
    size_t n;
    bool ok = true;
    while (ok && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        ok = f->sink(f->arg, buf, n);
    ok = ok && !ferror(fp);
    fclose(fp);
    if (!ok) {
        snprintf(f->error, sizeof f->error, "the attachment could not be handed over");
        f->final = false;
        return false;
    }
    /* The media worker keeps it by its sha256 (images re-encoded without
     * their metadata): the spooled copy goes. */
    unlink(path);
    return true;
}

const channel_driver email_driver = {
    .name = EMAIL_CHANNEL,
    .title = "Email",
    .caps = {.buttons_max = 0,
             .list_rows_max = 0,
             .location_request = false,
             .documents = false,
             .templates = false,
             .mobile_address = false,
             .reengage_seconds = 0},
    .render = render,
    .send = send_plain,
    .can_send_text = can_send_text,
    .live = live,
    .routes = NULL,
    .process = email_process,
    .fetch_media = email_fetch_media,
    .attach_document = NULL,
    .start_link = NULL,
    .send_row = email_send_row,
    .poll = email_poll,
};

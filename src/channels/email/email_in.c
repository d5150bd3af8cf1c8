/* Reading a mail with GMime 3.0 (never a MIME parser of our own): the
 * sender, subject, plain text, image and PDF attachments, the headers that
 * mark an auto-reply, a bounce or list mail, and the tracking code it
 * answers. The parser's critical findings (a multipart without a boundary,
 * a part without headers or content, nesting too deep) make the mail a
 * dead letter: parts of it may have been skipped. */
#include "channels/email/email.h"

#include "core/ids.h"

#include <ctype.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Longest text kept of a mail (the case's description holds 4000). */
#define TEXT_MAX 8000

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void init(void) { g_mime_init(); }

typedef struct {
    arena_t *ar;
    email_msg *m;
    const char *text, *html;
    const char *critical;
} walk;

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data)
{
    walk *w = data;
    (void)offset;
    (void)item;
    if (w->critical)
        return;
    switch (code) {
    case GMIME_CRIT_INVALID_HEADER_NAME:
        w->critical = "malformed MIME: an invalid header name";
        break;
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        w->critical = "malformed MIME: a multipart without a boundary";
        break;
    case GMIME_CRIT_NESTING_OVERFLOW:
        w->critical = "malformed MIME: nested too deep";
        break;
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        w->critical = "malformed MIME: a part without headers or content";
        break;
    case GMIME_CRIT_CONFLICTING_HEADER:
    case GMIME_CRIT_CONFLICTING_PARAMETER:
        w->critical = "malformed MIME: conflicting headers";
        break;
    default:
        break;
    }
}

/* The decoded content of part in the arena; NULL when empty. */
static const unsigned char *content(arena_t *ar, GMimePart *part, size_t *len)
{
    GMimeDataWrapper *dw = g_mime_part_get_content(part);
    *len = 0;
    if (!dw)
        return NULL;
    GMimeStream *out = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(dw, out);
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
    unsigned char *copy = NULL;
    if (ba && ba->len && ba->len <= EMAIL_RAW_MAX && (copy = arena_alloc(ar, ba->len + 1))) {
        memcpy(copy, ba->data, ba->len);
        copy[ba->len] = 0;
        *len = ba->len;
    }
    g_object_unref(out);
    return copy;
}

static void each_part(GMimeObject *parent, GMimeObject *obj, gpointer data)
{
    walk *w = data;
    (void)parent;
    if (!GMIME_IS_PART(obj))
        return;
    GMimePart *part = GMIME_PART(obj);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    bool attachment = g_mime_part_is_attachment(part);
    if (GMIME_IS_TEXT_PART(obj) && !attachment &&
        g_mime_content_type_is_type(ct, "text", "plain")) {
        if (!w->text) {
            char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));
            w->text = t ? arena_strdup(w->ar, t) : NULL;
            g_free(t);
        }
        return;
    }
    if (GMIME_IS_TEXT_PART(obj) && !attachment && g_mime_content_type_is_type(ct, "text", "html")) {
        if (!w->html) {
            char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));
            w->html = t ? arena_strdup(w->ar, t) : NULL;
            g_free(t);
        }
        return;
    }
    bool image = g_mime_content_type_is_type(ct, "image", "*");
    bool pdf = g_mime_content_type_is_type(ct, "application", "pdf");
    if (!image && !pdf)
        return;
    if (w->m->nparts >= EMAIL_MEDIA_MAX) {
        w->m->skipped_parts++;
        return;
    }
    email_part *p = &w->m->parts[w->m->nparts];
    p->data = content(w->ar, part, &p->len);
    if (!p->data) {
        w->m->skipped_parts++;
        return;
    }
    char *mime = g_mime_content_type_get_mime_type(ct);
    p->mime = mime ? arena_strdup(w->ar, mime) : NULL;
    g_free(mime);
    const char *fn = g_mime_part_get_filename(part);
    p->filename = fn ? arena_strdup(w->ar, fn) : NULL;
    w->m->nparts++;
}

/* html without its tags and with its entities as they are: a fallback for
 * a mail that has no plain text. */
static const char *untag(arena_t *ar, const char *html)
{
    size_t n = strlen(html);
    char *out = arena_alloc(ar, n + 1), *o = out;
    bool in_tag = false;
    if (!out)
        return NULL;
    for (const char *p = html; *p; p++) {
        if (*p == '<')
            in_tag = true;
        else if (*p == '>')
            in_tag = false;
        else if (!in_tag)
            *o++ = *p;
    }
    *o = 0;
    return out;
}

/* The citizen's own words: quoted lines ("> ...") and the quote's
 * introduction ("On ... wrote:", "Pada ... menulis:") dropped, blank lines
 * at both ends trimmed, cut to TEXT_MAX bytes. */
static const char *own_words(arena_t *ar, const char *text)
{
    size_t n = strlen(text);
    char *out = arena_alloc(ar, n + 1), *o = out;
    if (!out)
        return NULL;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        size_t tl = len;
        while (tl && (p[tl - 1] == '\r' || p[tl - 1] == ' '))
            tl--;
        bool quoted = len && p[0] == '>';
        bool intro = tl > 6 && ((tl >= 6 && memcmp(p + tl - 6, "wrote:", 6) == 0) ||
                                (tl >= 8 && memcmp(p + tl - 8, "menulis:", 8) == 0));
        if (!quoted && !intro && (size_t)(o - out) + tl + 1 <= TEXT_MAX) {
            memcpy(o, p, tl);
            o += tl;
            *o++ = '\n';
        }
        p += len + (eol ? 1 : 0);
    }
    while (o > out && (o[-1] == '\n' || o[-1] == ' '))
        o--;
    *o = 0;
    char *start = out;
    while (*start == '\n')
        start++;
    return start;
}

const char *email_find_code(arena_t *ar, const char *subject, const char *ids)
{
    char code[IDS_CODE_BUF], buf[16];
    const char *p = subject;
    while (p && (p = strchr(p, '['))) {
        p++;
        if (strncasecmp(p, "ADUAN ", 6) == 0) {
            const char *end = strchr(p + 6, ']');
            size_t len = end ? (size_t)(end - (p + 6)) : 0;
            if (len && len < sizeof buf) {
                memcpy(buf, p + 6, len);
                buf[len] = 0;
                if (ids_tracking_normalize(buf, code) == 0)
                    return arena_strdup(ar, code);
            }
        }
    }
    /* Our Message-IDs are <aduan.CODE.RANDOM@DOMAIN> (email_smtp.c). */
    p = ids;
    while (p && (p = strstr(p, "aduan."))) {
        p += 6;
        if (strlen(p) > IDS_CODE_LEN && p[IDS_CODE_LEN] == '.') {
            memcpy(buf, p, IDS_CODE_LEN);
            buf[IDS_CODE_LEN] = 0;
            if (ids_tracking_normalize(buf, code) == 0)
                return arena_strdup(ar, code);
        }
    }
    return NULL;
}

/* An address we may answer: printable ASCII without the characters that
 * would end it in an SMTP command or a header (<>, quotes, spaces, ...),
 * one @ with something on both sides, at most 254 bytes. Anything else is
 * no sender at all (a dead letter), never an SMTP command of its making. */
static bool address_ok(const char *a)
{
    size_t n = a ? strlen(a) : 0;
    const char *at = a ? strchr(a, '@') : NULL;
    if (!n || n > 254 || !at || at == a || !at[1] || strchr(at + 1, '@'))
        return false;
    for (const char *p = a; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("<>()[],;:\\\"", *p))
            return false;
    return true;
}

static const char *header(arena_t *ar, GMimeObject *o, const char *name)
{
    const char *v = g_mime_object_get_header(o, name);
    return v ? arena_strdup(ar, v) : NULL;
}

/* Why the mail is an automatic one (RFC 3834, bounces, mailing lists), or
 * NULL for a person's. */
static const char *automatic(GMimeMessage *msg, const char *from)
{
    GMimeObject *o = GMIME_OBJECT(msg), *top = g_mime_message_get_mime_part(msg);
    const char *v = g_mime_object_get_header(o, "Auto-Submitted");
    while (v && *v == ' ')
        v++;
    if (v && strncasecmp(v, "no", 2) != 0)
        return "Auto-Submitted";
    v = g_mime_object_get_header(o, "Precedence");
    while (v && *v == ' ')
        v++;
    if (v &&
        (!strncasecmp(v, "bulk", 4) || !strncasecmp(v, "list", 4) || !strncasecmp(v, "junk", 4)))
        return "Precedence";
    if (g_mime_object_get_header(o, "List-Id") || g_mime_object_get_header(o, "List-Unsubscribe"))
        return "List-Id";
    if (g_mime_object_get_header(o, "X-Autoreply") || g_mime_object_get_header(o, "X-Autorespond"))
        return "X-Autoreply";
    if (from && (!strncasecmp(from, "mailer-daemon@", 14) || !strncasecmp(from, "postmaster@", 11)))
        return "MAILER-DAEMON";
    GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
    if (ct && g_mime_content_type_is_type(ct, "multipart", "report"))
        return "delivery report";
    const char *rp = g_mime_object_get_header(o, "Return-Path");
    if (rp && strstr(rp, "<>"))
        return "empty Return-Path";
    return NULL;
}

err_t email_parse(arena_t *ar, const unsigned char *raw, size_t len, email_msg *out,
                  const char **why)
{
    pthread_once(&once, init);
    memset(out, 0, sizeof *out);
    *why = NULL;
    walk w = {.ar = ar, .m = out};
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *)raw, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeParserOptions *opts = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(opts, on_warning, &w);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
    err_t e = ERR_OK;
    if (!msg) {
        *why = "malformed MIME: not a mail message";
        e = ERR_INVALID;
        goto done;
    }
    GMimeObject *o = GMIME_OBJECT(msg);
    InternetAddressList *from = g_mime_message_get_from(msg);
    InternetAddress *ia = from && internet_address_list_length(from) > 0
                              ? internet_address_list_get_address(from, 0)
                              : NULL;
    if (ia && INTERNET_ADDRESS_IS_MAILBOX(ia)) {
        const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        if (address_ok(addr)) {
            char *lower = arena_strdup(ar, addr);
            for (char *c = lower; c && *c; c++)
                *c = (char)tolower((unsigned char)*c);
            out->from = lower;
        }
        const char *name = internet_address_get_name(ia);
        out->from_name = name && *name ? arena_strdup(ar, name) : NULL;
    }
    const char *mid = g_mime_message_get_message_id(msg);
    out->message_id = mid && *mid && strlen(mid) < 900 ? arena_strdup(ar, mid) : NULL;
    const char *subject = g_mime_message_get_subject(msg);
    out->subject = subject ? arena_strdup(ar, subject) : NULL;
    GDateTime *date = g_mime_message_get_date(msg);
    out->date = date ? (int64_t)g_date_time_to_unix(date) : 0;
    const char *irt = header(ar, o, "In-Reply-To"), *refs = header(ar, o, "References");
    out->in_reply_to = irt && refs ? arena_printf(ar, "%s %s", irt, refs) : irt ? irt : refs;
    out->automatic = automatic(msg, out->from);
    g_mime_message_foreach(msg, each_part, &w);
    const char *text = w.text ? w.text : w.html ? untag(ar, w.html) : NULL;
    out->text = text ? own_words(ar, text) : NULL;
    out->code = email_find_code(ar, out->subject, out->in_reply_to);
    if (w.critical) {
        *why = w.critical;
        e = ERR_INVALID;
    } else if (!out->from) {
        *why = "malformed MIME: no sender address (From)";
        e = ERR_INVALID;
    }
    g_object_unref(msg);
done:
    g_mime_parser_options_free(opts);
    g_object_unref(parser);
    g_object_unref(stream);
    return e;
}

/* Sending mail over SMTP with libcurl (channel_driver.send_row): the
 * mailbox's SMTP server, STARTTLS required on smtp:// (or, "starttls":
 * "try", used when offered: the tests' sink), smtps:// as it is. The mail
 * is built with GMime: From the mailbox, the subject carries the case's
 * tracking code ("[ADUAN ABCD-EFGH]", which threads the citizen's reply),
 * a Message-ID that names the case too, In-Reply-To and References the
 * citizen's last mail about the case, and "Auto-Submitted: auto-replied"
 * on everything no person wrote (RFC 3834), so that robots do not answer. */
#include "channels/email/email.h"

#include "core/ids.h"
#include "core/secret.h"
#include "store/store.h"

#include <curl/curl.h>
#include <gmime/gmime.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void init(void) { g_mime_init(); }

typedef struct {
    const char *data;
    size_t len, off;
} reader;

static size_t feed(char *p, size_t size, size_t n, void *arg)
{
    reader *rd = arg;
    size_t left = rd->len - rd->off, want = size * n;
    size_t take = left < want ? left : want;
    memcpy(p, rd->data + rd->off, take);
    rd->off += take;
    return take;
}

/* The mail as text with CRLF line ends (arena-owned). */
static const char *build(arena_t *ar, const email_box *box, const char *to, const char *text,
                         const char *subject, const char *message_id, const char *in_reply_to,
                         const char *automatic, const char *unsubscribe)
{
    pthread_once(&once, init);
    GMimeMessage *msg = g_mime_message_new(TRUE);
    GMimeObject *o = GMIME_OBJECT(msg);
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, NULL, box->from);
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, to);
    g_mime_message_set_subject(msg, subject, "utf-8");
    GDateTime *now = g_date_time_new_now_utc();
    g_mime_message_set_date(msg, now);
    g_date_time_unref(now);
    g_mime_message_set_message_id(msg, message_id);
    if (in_reply_to) {
        char *ref = g_strdup_printf("<%s>", in_reply_to);
        g_mime_object_set_header(o, "In-Reply-To", ref, NULL);
        g_mime_object_set_header(o, "References", ref, NULL);
        g_free(ref);
    }
    if (automatic)
        g_mime_object_set_header(o, "Auto-Submitted", automatic, NULL);
    if (unsubscribe) { /* a follower's update: one-click unsubscribe (RFC 2369, RFC 8058) */
        char *v = g_strdup_printf("<%s>", unsubscribe);
        g_mime_object_set_header(o, "List-Unsubscribe", v, NULL);
        g_mime_object_set_header(o, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click", NULL);
        g_free(v);
    }
    GMimeTextPart *body = g_mime_text_part_new_with_subtype("plain");
    g_mime_text_part_set_text(body, text);
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(body));
    g_object_unref(body);
    GMimeFormatOptions *fo = g_mime_format_options_clone(NULL);
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    char *s = g_mime_object_to_string(o, fo);
    g_mime_format_options_free(fo);
    g_object_unref(msg);
    const char *out = s ? arena_strdup(ar, s) : NULL;
    g_free(s);
    return out;
}

/* "<aduan.CODE.RANDOM@domain>" without the brackets: a reply's
 * In-Reply-To finds the case (email_find_code). */
static const char *new_message_id(arena_t *ar, const char *code, const char *from)
{
    unsigned char rnd[8];
    char hex[sizeof rnd * 2 + 1];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    const char *at = from ? strrchr(from, '@') : NULL;
    return arena_printf(ar, "aduan.%s.%s@%s", code ? code : "0", hex,
                        at && at[1] ? at + 1 : "aduan.invalid");
}

/* When to follows case_id by email (issue 18, http/follow_email.c): the
 * one-click unsubscribe URL, also written under *text; the mail is then a
 * notification (auto-generated). NULL for anyone else (the reporter). */
static const char *follower_link(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id,
                                 const char *to, const char **text, const char **auto_value)
{
    const char *kept = NULL, *token;
    if (store_email_follow_unsub_token(s, ar, case_id, to, &kept) != ERR_OK || !kept)
        return NULL;
    if (!strncmp(kept, SECRET_SEAL_PREFIX, strlen(SECRET_SEAL_PREFIX)))
        token = cfg->svc_data_key[0] ? secret_open(ar, cfg->svc_data_key, kept, NULL) : NULL;
    else
        token = kept;
    if (!token)
        return NULL;
    const char *url = arena_printf(ar, "%s/ikuti/berhenti?t=%s", cfg->public_url, token);
    const char *t = url ? arena_printf(ar,
                                       "%s\n\n--\nAnda menerima email ini karena mengikuti "
                                       "laporan ini. Berhenti mengikuti / Stop following:\n%s\n",
                                       *text, url)
                        : NULL;
    if (!t)
        return NULL;
    *text = t;
    *auto_value = "auto-generated";
    return url;
}

void email_send_row(const config_t *cfg, store_t *s, void *curl, arena_t *ar, const char *endpoint,
                    const char *kind, int64_t case_id, const char *payload, channel_result *r)
{
    CURL *c = curl;
    memset(r, 0, sizeof *r);
    json_t *j = json_loads(payload ? payload : "", 0, NULL);
    const char *to = json_string_value(json_object_get(j, "to"));
    const char *text = json_string_value(json_object_get(j, "text"));
    const char *subject = json_string_value(json_object_get(j, "subject"));
    to = to ? arena_strdup(ar, to) : NULL;
    text = text ? arena_strdup(ar, text) : NULL;
    subject = subject ? arena_strdup(ar, subject) : NULL;
    json_decref(j);
    if (!to || !text || !strchr(to, '@')) {
        snprintf(r->error, sizeof r->error, "not an email payload");
        return;
    }
    email_box box;
    err_t e = endpoint ? email_box_get(s, ar, cfg->svc_data_key, endpoint, &box) : ERR_NOT_FOUND;
    if (e != ERR_OK || !box.smtp) {
        r->retryable = e != ERR_NOT_FOUND && e != ERR_OK;
        snprintf(r->error, sizeof r->error, "the agency's mailbox is not connected (no SMTP)");
        return;
    }
    if (!c) {
        r->retryable = true;
        snprintf(r->error, sizeof r->error, "no connection handle");
        return;
    }
    const char *code = NULL, *shown_subject = "Laporan Anda / Your report";
    const char *in_reply_to = NULL;
    store_case k;
    if (case_id && store_case_get(s, ar, case_id, &k) == ERR_OK) {
        char shown[IDS_SHOWN_BUF];
        code = k.tracking_code;
        ids_tracking_format(code, shown);
        shown_subject = arena_printf(ar, "[ADUAN %s] Laporan Anda / Your report", shown);
        if (store_case_last_inbound(s, ar, case_id, &in_reply_to) != ERR_OK)
            in_reply_to = NULL;
    }
    bool automatic = !kind || strcmp(kind, "operator") != 0;
    const char *unsub = NULL, *auto_value = automatic ? "auto-replied" : NULL;
    if (kind && !strcmp(kind, "follow_confirm")) {
        auto_value = "auto-generated"; /* not an answer to anything the reader wrote */
        in_reply_to = NULL;
    } else if (case_id && automatic) {
        unsub = follower_link(cfg, s, ar, case_id, to, &text, &auto_value);
        if (unsub) /* a follower: the reporter's own mail is not theirs to reply to */
            in_reply_to = NULL;
        if (unsub && code && !subject) { /* not their own report */
            char shown[IDS_SHOWN_BUF];
            ids_tracking_format(code, shown);
            subject =
                arena_printf(ar, "[ADUAN %s] Laporan yang Anda ikuti / A report you follow", shown);
        }
    }
    const char *mid = new_message_id(ar, code, box.from);
    const char *mail = build(ar, &box, to, text, subject ? subject : shown_subject, mid,
                             in_reply_to, auto_value, unsub);
    if (!mail) {
        r->retryable = true;
        snprintf(r->error, sizeof r->error, "the mail could not be built");
        return;
    }
    reader rd = {mail, strlen(mail), 0};
    struct curl_slist *rcpt = curl_slist_append(NULL, arena_printf(ar, "<%s>", to));
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, box.smtp);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL, box.starttls_try ? CURLUSESSL_TRY : CURLUSESSL_ALL);
    if (box.user && box.password) {
        curl_easy_setopt(c, CURLOPT_USERNAME, box.user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, box.password);
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, arena_printf(ar, "<%s>", box.from));
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
    curl_easy_setopt(c, CURLOPT_READDATA, &rd);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)CHANNEL_SEND_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(rcpt);
    if (cc == CURLE_OK) {
        snprintf(r->provider_id, sizeof r->provider_id, "%s", mid);
        return;
    }
    r->code = status;
    const char *why =
        arena_printf(ar, "smtp: %s%s%s", curl_easy_strerror(cc), errbuf[0] ? ": " : "", errbuf);
    snprintf(r->error, sizeof r->error, "%.200s", why ? why : "smtp failed");
    if (cc == CURLE_LOGIN_DENIED || status == 535)
        r->auth_failed = true;
    else if (status >= 500 && status < 600) /* the server refused it for good */
        r->retryable = false;
    else
        r->retryable = cc != CURLE_URL_MALFORMAT && cc != CURLE_UNSUPPORTED_PROTOCOL;
}

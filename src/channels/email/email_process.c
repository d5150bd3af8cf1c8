/* The email driver's processing of a stored mail (channel_driver.process):
 * a new mail becomes a case at once (a mail says everything in one go: its
 * subject and text, its photos and PDFs as evidence, the sender as the
 * contact its updates go to), a reply is threaded onto its case, and
 * automatic mail (auto-replies, bounces, list mail) is recorded and left
 * unanswered so that no two robots write to each other for ever. The same
 * apply as the dialogue's (store_dialog_apply): one transaction, idempotent
 * on the Message-ID. */
#include "channels/email/email.h"

#include "core/ids.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/text.h"
#include "domain/regions.h"
#include "domain/withdraw.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define APPLY_RETRIES   5
#define DESCRIPTION_MAX 4000
/* A sender's replies are acknowledged at most this often (seconds). */
#define ACK_EVERY 3600

/* The category a mail is filed under until an operator picks the right
 * one: the agency's catch-all complaint category, else its first. */
static err_t pick_category(store_t *s, arena_t *ar, int64_t agency_id, int64_t *id)
{
    static const char *const catch_all[] = {"lainnya", "lain", "umum", "other"};
    store_category *k;
    size_t n;
    *id = 0;
    err_t e = store_category_list(s, ar, agency_id, &k, &n);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        if (!k[i].active || strcmp(k[i].kind, "complaint") != 0)
            continue;
        if (!*id)
            *id = k[i].id;
        for (size_t j = 0; j < sizeof catch_all / sizeof *catch_all; j++)
            if (strcasecmp(k[i].code, catch_all[j]) == 0) {
                *id = k[i].id;
                return ERR_OK;
            }
    }
    return e;
}

/* Writes an attachment into the spool, where fetch_media finds it. */
static bool spool(const config_t *cfg, const email_part *p, char hex[SECRET_DIGEST_BUF])
{
    char dir[CONFIG_PATH_MAX + 32], path[CONFIG_PATH_MAX + 128], tmp[CONFIG_PATH_MAX + 160];
    secret_sha256_hex(p->data, p->len, hex);
    snprintf(dir, sizeof dir, "%s/%s", cfg->media_dir, EMAIL_SPOOL);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return false;
    snprintf(path, sizeof path, "%s/%s", dir, hex);
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    size_t off = 0;
    while (off < p->len) {
        ssize_t w = write(fd, p->data + off, p->len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    bool ok = off == p->len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) == 0)
        return true;
    unlink(tmp);
    return false;
}

static const char *msg_text(arena_t *ar, const char *text)
{
    return channel_msg_json(ar, &(channel_msg){.kind = CHANNEL_MSG_TEXT, .text = text});
}

/* A reply whose first non-empty line is BATAL, batal or cancel (issue 16):
 * the reporter withdraws the case the thread is about. */
static bool wants_withdraw(const char *words)
{
    const char *p = words;
    while (p && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    if (!p || !*p)
        return false;
    size_t n = strcspn(p, "\r\n");
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '.' || p[n - 1] == '!'))
        n--;
    return (n == 5 && strncasecmp(p, "batal", 5) == 0) ||
           (n == 6 && strncasecmp(p, "cancel", 6) == 0);
}

/* Whether ids (In-Reply-To and References) name a mail we sent about
 * case_id: a withdrawal must answer one of ours, not only carry the code
 * in its subject and the reporter's address in a From anyone can write. */
static bool answers_our_mail(store_t *s, arena_t *ar, int64_t case_id, const char *ids)
{
    for (const char *p = ids; p && (p = strchr(p, '<'));) {
        const char *end = strchr(++p, '>');
        if (!end)
            break;
        bool yes = false;
        const char *id = arena_printf(ar, "%.*s", (int)(end - p), p);
        if (id && store_case_sent_mail(s, case_id, id, &yes) == ERR_OK && yes)
            return true;
        p = end + 1;
    }
    return false;
}

/* When the sender's last reply was acknowledged (the conversation's draft,
 * {"email_ack_at": t}); 0: never. */
static int64_t acked_at(const char *draft)
{
    json_t *j = draft ? json_loads(draft, 0, NULL) : NULL;
    int64_t t = (int64_t)json_integer_value(json_object_get(j, "email_ack_at"));
    json_decref(j);
    return t;
}

static const char *with_acked_at(arena_t *ar, const char *draft, int64_t now)
{
    json_t *j = draft ? json_loads(draft, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    json_object_set_new(j, "email_ack_at", json_integer((json_int_t)now));
    return channel_dump(ar, j);
}

/* What stays of the body once it is removed: ids, never words or the
 * sender. */
static const char *summary(arena_t *ar, const char *mailbox, json_int_t uid, const char *mid,
                           const char *what, size_t nparts)
{
    return channel_dump(ar, json_pack("{s:s?, s:I, s:s?, s:s, s:I}", "mailbox", mailbox, "uid", uid,
                                      "message_id", mid, "result", what, "attachments",
                                      (json_int_t)nparts));
}

err_t email_process(const config_t *cfg, store_t *s, arena_t *ar, int64_t inbound_id,
                    const char *body, int64_t now, channel_inbound *out)
{
    memset(out, 0, sizeof *out);
    json_t *j = json_loads(body, 0, NULL);
    const char *mailbox = json_string_value(json_object_get(j, "mailbox"));
    const char *b64 = json_string_value(json_object_get(j, "raw"));
    const char *text = json_string_value(json_object_get(j, "mail"));
    json_int_t uid = json_integer_value(json_object_get(j, "uid"));
    bool too_large = json_is_true(json_object_get(j, "too_large"));
    mailbox = mailbox ? arena_strdup(ar, mailbox) : NULL;
    size_t b64len = b64 ? strlen(b64) : 0;
    unsigned char *raw = NULL;
    size_t len = 0;
    bool ok;
    if (text) { /* a mail in UTF-8, kept as text */
        len = json_string_length(json_object_get(j, "mail"));
        raw = arena_alloc(ar, len + 1);
        if (raw)
            memcpy(raw, text, len + 1);
        ok = mailbox && raw;
    } else {
        raw = b64 ? arena_alloc(ar, b64len / 4 * 3 + 4) : NULL;
        ok = mailbox && raw &&
             sodium_base642bin(raw, b64len / 4 * 3 + 4, b64, b64len, NULL, &len, NULL,
                               sodium_base64_VARIANT_ORIGINAL) == 0;
    }
    json_decref(j);
    if (too_large && mailbox) {
        out->dead = "the mail is larger than the desk takes (25 MB)";
        out->summary = summary(ar, mailbox, uid, NULL, "dead", 0);
        return ERR_OK;
    }
    if (!ok) {
        out->dead = "not a stored mail (mailbox, uid, mail or raw)";
        return ERR_OK;
    }
    email_box box;
    err_t e = email_box_get(s, ar, cfg->svc_data_key, mailbox, &box);
    if (e == ERR_NOT_FOUND) {
        out->dead = "a mail for a mailbox no agency has";
        out->summary = summary(ar, mailbox, uid, NULL, "dead", 0);
        return ERR_OK;
    }
    if (e != ERR_OK)
        return e;
    email_msg m;
    const char *why;
    if (email_parse(ar, raw, len, &m, &why) != ERR_OK) {
        out->dead = why;
        out->summary = summary(ar, mailbox, uid, m.message_id, "dead", 0);
        log_info("email", "event=dead_letter inbox_id=%lld reason=\"%s\"", (long long)inbound_id,
                 why);
        return ERR_OK;
    }
    const char *mid = m.message_id;
    if (!mid) { /* named by its content: the same mail fetched twice is one */
        char hex[SECRET_DIGEST_BUF];
        secret_sha256_hex(raw, len, hex);
        mid = arena_printf(ar, "%s@no-message-id.invalid", hex);
    }
    if (m.automatic || strcasecmp(m.from, box.address) == 0 ||
        (box.from && strcasecmp(m.from, box.from) == 0)) {
        /* Never a case, never an answer: no mail loops. */
        out->summary = summary(ar, mailbox, uid, mid, "ignored", 0);
        log_info("email", "event=automatic_ignored inbox_id=%lld why=\"%s\"", (long long)inbound_id,
                 m.automatic ? m.automatic : "our own address");
        return ERR_OK;
    }
    store_agency agency;
    e = store_agency_get(s, ar, box.agency_id, &agency);
    if (e != ERR_OK)
        return e;
    /* A reply: the case it names, if it is this sender's at this agency. */
    store_case thread;
    bool threaded = false;
    if (m.code && store_case_by_code(s, ar, m.code, &thread) == ERR_OK &&
        thread.agency_id == agency.id && thread.notify_channel &&
        strcmp(thread.notify_channel, EMAIL_CHANNEL) == 0 && thread.notify_address &&
        strcasecmp(thread.notify_address, m.from) == 0)
        threaded = true;
    /* Spam protection, as WhatsApp's: at most the daily limit of new
     * cases per sender in 24 hours; more mail is kept without a case. */
    bool limited = false;
    if (!threaded) {
        int64_t recent = 0;
        unsigned limit = cfg->wa_daily_limit ? cfg->wa_daily_limit : 5;
        e = store_case_count_for_contact(s, agency.id, EMAIL_CHANNEL, m.from, now - 24 * 3600,
                                         &recent);
        if (e != ERR_OK)
            return e;
        limited = recent >= (int64_t)limit;
    }
    int64_t category = 0;
    if (!threaded && !limited) {
        e = pick_category(s, ar, agency.id, &category);
        if (e != ERR_OK)
            return e;
        if (!category) {
            out->dead = "the agency has no complaint category to file a mail under";
            out->summary = summary(ar, mailbox, uid, mid, "dead", 0);
            return ERR_OK;
        }
    }
    store_media media[EMAIL_MEDIA_MAX];
    size_t nmedia = 0;
    for (size_t i = 0; i < m.nparts; i++) {
        char hex[SECRET_DIGEST_BUF];
        if (!spool(cfg, &m.parts[i], hex))
            return ERR_IO; /* the disk: try again later */
        media[nmedia++] =
            (store_media){arena_printf(ar, "%s%s", EMAIL_MEDIA_PREFIX, hex), m.parts[i].mime,
                          arena_strdup(ar, hex), m.parts[i].filename};
    }
    const char *subject = m.subject && *m.subject ? m.subject : NULL;
    const char *words = m.text && *m.text ? m.text : NULL;
    const char *said = subject && words ? arena_printf(ar, "%s\n\n%s", subject, words)
                       : subject        ? subject
                       : words          ? words
                                        : "(email tanpa isi)";
    bool stray_withdraw = !threaded && nmedia == 0 && wants_withdraw(words);
    /* In the thread, but not answering a mail of ours (a forged From with
     * the code typed in the subject): an ordinary reply the staff read. */
    bool withdraw =
        threaded && wants_withdraw(words) && answers_our_mail(s, ar, thread.id, m.in_reply_to);
    e = ERR_CONFLICT;
    store_dialog_effects fx;
    for (int attempt = 0; attempt < APPLY_RETRIES && e == ERR_CONFLICT; attempt++) {
        store_conv conv;
        e = store_conv_get(s, ar, agency.id, EMAIL_CHANNEL, m.from, &conv);
        if (e != ERR_OK)
            break;
        const char *lang = conv.lang && !strcmp(conv.lang, "en") ? "en" : "id";
        memset(&fx, 0, sizeof fx);
        fx.seen_key = arena_printf(ar, "m:%s", mid);
        fx.agency_id = agency.id;
        fx.channel = EMAIL_CHANNEL;
        fx.address = m.from;
        fx.phone_number_id = box.address;
        fx.profile_name = m.from_name;
        fx.wamid = mid;
        fx.msg_type = "email";
        fx.msg_body = text_cut(ar, said, DESCRIPTION_MAX);
        fx.msg_media_id = nmedia ? media[0].media_id : NULL;
        fx.msg_time = m.date > 0 ? m.date : now;
        fx.expect_version = conv.version;
        fx.state = conv.state ? conv.state : "idle";
        fx.draft = conv.draft;
        fx.lang = lang;
        fx.now = now;
        fx.nmedia = nmedia;
        memcpy(fx.media, media, nmedia * sizeof *media);
        char code[IDS_CODE_BUF], shown[IDS_SHOWN_BUF];
        if (threaded && withdraw) {
            /* Issue 16: BATAL as the reply's first line withdraws the case,
             * read again on each attempt (a team may have taken it). */
            e = store_case_get(s, ar, thread.id, &thread);
            if (e != ERR_OK)
                break;
            ids_tracking_format(thread.tracking_code, shown);
            fx.case_code = thread.tracking_code;
            const char *refused;
            bool en = !strcmp(lang, "en");
            if (case_withdraw_allowed(&thread, &refused) == ERR_OK) {
                fx.withdraw_case_id = thread.id;
                fx.withdraw_status = thread.status;
                fx.out[fx.nout++] = (store_dialog_out){
                    "reply",
                    msg_text(ar, en ? arena_printf(ar,
                                                   "Report %s has been withdrawn at your request. "
                                                   "Thank you for letting us know.",
                                                   shown)
                                    : arena_printf(ar,
                                                   "Laporan %s sudah dibatalkan sesuai permintaan "
                                                   "Anda. Terima kasih telah memberi tahu kami.",
                                                   shown)),
                    NULL, false};
            } else if (acked_at(conv.draft) <= 0 || now - acked_at(conv.draft) >= ACK_EVERY) {
                fx.out[fx.nout++] = (store_dialog_out){
                    "reply",
                    msg_text(ar,
                             en ? arena_printf(ar,
                                               "Report %s is already being handled or is finished, "
                                               "so it cannot be withdrawn by mail. Reply with your "
                                               "reason and our staff will answer.",
                                               shown)
                                : arena_printf(ar,
                                               "Laporan %s sudah ditangani petugas atau sudah "
                                               "selesai, jadi tidak dapat dibatalkan lewat email. "
                                               "Balas dengan alasan Anda dan petugas kami akan "
                                               "menjawab.",
                                               shown)),
                    NULL, false};
                fx.draft = with_acked_at(ar, conv.draft, now);
            }
        } else if (threaded) {
            ids_tracking_format(thread.tracking_code, shown);
            fx.case_code = thread.tracking_code;
            fx.case_text = words ? arena_printf(ar, "\n\n[email] %s", words) : NULL;
            const char *ack =
                !strcmp(lang, "en")
                    ? arena_printf(ar, "Thank you, your message has been added to report %s.",
                                   shown)
                    : arena_printf(ar, "Terima kasih, pesan Anda sudah ditambahkan ke laporan %s.",
                                   shown);
            /* At most one acknowledgement an hour per sender: a robot
             * that answers without saying so (no Auto-Submitted) and keeps
             * the subject cannot start a loop. */
            int64_t last = acked_at(conv.draft);
            if (last <= 0 || now - last >= ACK_EVERY) {
                fx.out[fx.nout++] = (store_dialog_out){"reply", msg_text(ar, ack), NULL, false};
                fx.draft = with_acked_at(ar, conv.draft, now);
            }
        } else if (stray_withdraw) {
            /* BATAL outside any thread of this sender's (someone else's
             * thread, a new mail): there is nothing of theirs to withdraw,
             * and a case reading "BATAL" helps no one. The mail is kept;
             * the sender is told how withdrawing works. */
            int64_t last = acked_at(conv.draft);
            if (last <= 0 || now - last >= ACK_EVERY) {
                const char *say =
                    !strcmp(lang, "en")
                        ? "We found no report of yours from this address to withdraw. To "
                          "withdraw a report, reply BATAL on the first line to the mail that "
                          "gave you its code. To report something, send a new mail that says "
                          "what happened and where."
                        : "Kami tidak menemukan laporan Anda dari alamat ini yang dapat "
                          "dibatalkan. Untuk membatalkan laporan, balas email yang memuat kode "
                          "laporan Anda dengan kata BATAL di baris pertama. Untuk melapor, kirim "
                          "email baru berisi kejadian dan tempatnya.";
                fx.out[fx.nout++] = (store_dialog_out){"reply", msg_text(ar, say), NULL, false};
                fx.draft = with_acked_at(ar, conv.draft, now);
            }
        } else if (limited) {
            unsigned lim = cfg->wa_daily_limit ? cfg->wa_daily_limit : 5u;
            const char *say =
                !strcmp(lang, "en")
                    ? arena_printf(ar,
                                   "Sorry, this address has already sent %u reports in the last "
                                   "24 hours, the daily limit. Your mail is kept; for anything "
                                   "urgent, please call our office.",
                                   lim)
                    : arena_printf(ar,
                                   "Maaf, dari alamat email ini sudah ada %u laporan dalam 24 jam "
                                   "terakhir, batas per hari. Email Anda tetap kami simpan; bila "
                                   "ada hal mendesak, hubungi kantor kami.",
                                   lim);
            int64_t last = acked_at(conv.draft);
            if (say && (last <= 0 || now - last >= ACK_EVERY)) {
                fx.out[fx.nout++] = (store_dialog_out){"reply", msg_text(ar, say), NULL, false};
                fx.draft = with_acked_at(ar, conv.draft, now);
            }
        } else {
            store_case *c = arena_alloc(ar, sizeof *c);
            if (!c)
                return ERR_NOMEM;
            memset(c, 0, sizeof *c);
            ids_tracking_new(code);
            ids_tracking_format(code, shown);
            c->agency_id = agency.id;
            c->category_id = category;
            c->kind = "complaint";
            c->channel = EMAIL_CHANNEL;
            c->status = "received";
            c->priority = "normal";
            c->description = text_cut(ar, said, DESCRIPTION_MAX);
            c->rahasia = true; /* SP4N: as WhatsApp's, confidential by default */
            c->tracking_code = arena_strdup(ar, code);
            c->created_at = now;
            c->has_location = email_find_place(words, &c->lat, &c->lon) ||
                              email_find_place(subject, &c->lat, &c->lon);
            if (c->has_location &&
                (e = region_locate(s, ar, c->lat, c->lon, &c->kecamatan_code)) != ERR_OK)
                return e;
            fx.new_case = c;
            fx.flow_from = mid;
            const char *url = arena_printf(ar, "%s/t/%s", cfg->public_url, code);
            const char *ack =
                !strcmp(lang, "en")
                    ? arena_printf(ar,
                                   "Thank you, your report has been received with code %s. "
                                   "Keep this code.\nIts progress: %s\nReply to this mail to "
                                   "add to your report.",
                                   shown, url)
                    : arena_printf(ar,
                                   "Terima kasih, laporan Anda kami terima dengan kode %s. "
                                   "Simpan kode ini.\nPerkembangannya: %s\nBalas email ini "
                                   "untuk menambahkan keterangan.",
                                   shown, url);
            fx.out[fx.nout++] = (store_dialog_out){"reply", msg_text(ar, ack), NULL, true};
        }
        e = store_dialog_apply(s, ar, &fx);
    }
    if (e != ERR_OK)
        return e;
    const char *what = fx.duplicate     ? "duplicate"
                       : threaded       ? "threaded"
                       : stray_withdraw ? "no_case_to_withdraw"
                       : limited        ? "daily_limit"
                                        : "case";
    out->summary = summary(ar, mailbox, uid, mid, what, nmedia);
    if (!fx.duplicate && fx.new_case)
        log_info("email", "event=case_created case_id=%lld agency_id=%lld attachments=%zu",
                 (long long)fx.new_case->id, (long long)agency.id, nmedia);
    else if (!fx.duplicate)
        log_info("email", "event=%s inbox_id=%lld agency_id=%lld", what, (long long)inbound_id,
                 (long long)agency.id);
    return ERR_OK;
}

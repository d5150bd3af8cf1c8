/* The email channel (issue 16 §3, docs/CHANNELS.md "Email"): one mailbox
 * per agency (channel_endpoints: the address is the endpoint; settings
 * {"imap","smtp","user","from","starttls","poll_seconds"}; secret: the
 * password). New mail is fetched over IMAP with libcurl and stored in the
 * inbound table (email_imap.c), parsed with GMime and turned into a case
 * or threaded onto one (email_in.c, email_process.c); answers go out over
 * SMTP with libcurl (email_smtp.c). */
#ifndef ADUAN_EMAIL_H
#define ADUAN_EMAIL_H

#include "channels/channel.h"
#include "core/arena.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMAIL_CHANNEL "email"
/* Attachments kept per mail (images and PDFs), like a WhatsApp report. */
#define EMAIL_MEDIA_MAX 5
/* The largest mail taken (bytes); a bigger one is a dead letter. */
#define EMAIL_RAW_MAX (25 * 1024 * 1024)
/* Where a mail's attachments wait for the media worker, under the media
 * directory (fetch_media hands them over and removes them). */
#define EMAIL_SPOOL "email-in"
/* A media id of an attachment: this prefix and its sha256. */
#define EMAIL_MEDIA_PREFIX "email:"

extern const channel_driver email_driver;

/* A mailbox's settings, read from its channel_endpoints row. */
typedef struct {
    int64_t agency_id;
    const char *address; /* the endpoint: the mailbox's address */
    const char *imap, *smtp, *user, *password, *from;
    bool starttls_try; /* imap:// and smtp://: STARTTLS only when offered (tests); else required */
    int poll_seconds;
} email_box;

struct store;
/* The mailbox address's settings; ERR_NOT_FOUND when none is connected.
 * key: ADUAN_DATA_KEY (hex), which opens a sealed password; "" or NULL:
 * none. */
err_t email_box_get(struct store *s, arena_t *ar, const char *key, const char *address,
                    email_box *out) __attribute__((warn_unused_result));
/* Reads row settings (JSON) and secret (sealed with key when it starts
 * with SECRET_SEAL_PREFIX) into *out. */
err_t email_box_read(arena_t *ar, const char *key, int64_t agency_id, const char *address,
                     const char *settings, const char *secret, email_box *out)
    __attribute__((warn_unused_result));

/* One attachment kept as evidence. */
typedef struct {
    const char *mime, *filename;
    const unsigned char *data;
    size_t len;
} email_part;

/* A parsed mail: what the desk needs of it. Strings are the arena's. */
typedef struct {
    const char *message_id; /* without <>; NULL when the mail has none */
    const char *from;       /* the sender's address, lower case */
    const char *from_name;
    const char *subject;
    const char *text;        /* the plain text, quoted lines removed */
    const char *in_reply_to; /* and References, as one string */
    const char *automatic;   /* why it is an auto-reply, bounce or list mail; NULL: a person's */
    const char *code;        /* a tracking code in the subject or our Message-ID it answers */
    int64_t date;
    email_part parts[EMAIL_MEDIA_MAX];
    size_t nparts, skipped_parts;
} email_msg;

/* Parses raw (a whole RFC 5322 message). ERR_OK with *out, or ERR_INVALID
 * with *why when it is not a usable mail (malformed MIME, no sender). */
err_t email_parse(arena_t *ar, const unsigned char *raw, size_t len, email_msg *out,
                  const char **why) __attribute__((warn_unused_result));

/* The code (canonical) of "[ADUAN ABCD-EFGH]" in subject, or of our
 * Message-ID "<aduan.CODE.*>" in ids; NULL when neither has one. */
const char *email_find_code(arena_t *ar, const char *subject, const char *ids);

/* The first point a mail's text gives (a geo: URI, a maps link, "Lokasi:
 * lat, lon"; email_place.c): true with *lat, *lon. */
bool email_find_place(const char *text, double *lat, double *lon);

err_t email_process(const config_t *cfg, struct store *s, arena_t *ar, int64_t inbound_id,
                    const char *body, int64_t now, channel_inbound *out);
int email_poll(const config_t *cfg, struct store *s, int64_t now);
void email_send_row(const config_t *cfg, struct store *s, void *curl, arena_t *ar,
                    const char *endpoint, const char *kind, int64_t case_id, const char *payload,
                    channel_result *r);
bool email_fetch_media(const config_t *cfg, struct store *s, void *curl, const char *media_id,
                       channel_fetch *f);

/* `aduan email connect AGENCY ...` (main.c). */
int email_cli(const config_t *cfg, struct store *s, int argc, char **argv);
extern const char email_usage[];

#endif

/* channel: the driver interface of a complaint channel (issue 15, docs/
 * CHANNELS.md). A channel is {name, parse inbound -> events, render a
 * neutral message -> its payload, send, capabilities}; the core (store,
 * jobs, http) reaches a channel only through its driver, found by the
 * name stored with each contact, conversation and outbox row.
 *
 * WhatsApp (channels/whatsapp/) is the first driver; its simulator is a
 * mode of it (no access token: the outbox records what would be sent). */
#ifndef ADUAN_CHANNEL_H
#define ADUAN_CHANNEL_H

#include "core/arena.h"
#include "core/config.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_route; /* http/http.h: route_t */
struct store;      /* store/store.h: store_t */

/* What a channel can show; the dialogue degrades by these (no buttons:
 * numbered options; no location requests: the typed address). */
typedef struct {
    unsigned buttons_max;     /* reply buttons in one message, 0: none */
    unsigned list_rows_max;   /* rows of a list message, 0: no lists */
    bool location_request;    /* can ask for / receive a shared location */
    bool documents;           /* can carry a file (an issued document) */
    bool templates;           /* pre-approved templates (re-engagement) */
    bool mobile_address;      /* its addresses are mobile numbers (E.164 digits) */
    int64_t reengage_seconds; /* free text only this long after the contact's
                               * last message (0: always); then templates */
} channel_caps;

/* A neutral message, which a driver renders into its own payload. Kept in
 * outbox.message as JSON (channel_msg_json / channel_msg_parse):
 *   {"kind":"text","text":...}
 *   {"kind":"choices","text":...,"choices":[{"id":...,"title":...,"desc":...}],
 *    "list":{"button":...,"section":...}}        (no "list": reply buttons)
 *   {"kind":"document","media":...,"filename":...,"text":caption}
 *   {"kind":"location","text":...}              (asks for a shared location)
 *   {"kind":"template","template":{"name":...,"lang":...,"params":[...],
 *    "media":...,"filename":...,"replies":[...]}}
 * A row's template column holds the template intent (a "template" message)
 * that goes instead when the re-engagement rule forbids free text. */
typedef enum {
    CHANNEL_MSG_TEXT,
    CHANNEL_MSG_TEMPLATE,
    CHANNEL_MSG_CHOICES,  /* a question with options to tap (buttons or a list) */
    CHANNEL_MSG_DOCUMENT, /* a file, by the channel's media id, with a caption */
    CHANNEL_MSG_LOCATION  /* a question asking the contact to share a location */
} channel_msg_kind;

typedef struct {
    const char *id;    /* what a tap answers */
    const char *title; /* shown; the driver cuts it to its limit */
    const char *desc;  /* a list row's second line, or NULL */
} channel_choice;

typedef struct {
    channel_msg_kind kind;
    const char *text; /* TEXT, LOCATION: the text; CHOICES: the question; DOCUMENT: the caption */
    /* CHOICES: the options; TEMPLATE: its quick replies (their ids only). */
    const channel_choice *choices;
    int nchoices;
    /* CHOICES shown as a list: the label of its button and the title of
     * its one section; NULL: reply buttons. */
    const char *list_button, *list_section;
    const char *media, *filename; /* DOCUMENT, or a TEMPLATE's document header */
    const char *template, *lang;  /* CHANNEL_MSG_TEMPLATE: the intent */
    const char *const *params;    /* ...its body parameters */
    int nparams;
} channel_msg;

/* Options in one message of the model (the most any driver shows). */
#define CHANNEL_CHOICES_MAX 10
#define CHANNEL_PARAMS_MAX  10

/* m as JSON in the arena (the format above); NULL on failure. */
const char *channel_msg_json(arena_t *ar, const channel_msg *m);

/* Reads json (the format above) into *m, its strings and arrays in the
 * arena. ERR_INVALID for anything else. */
err_t channel_msg_parse(arena_t *ar, const char *json, channel_msg *m)
    __attribute__((warn_unused_result));

/* A driver's send returns within this many seconds (a send that has not
 * come back by then is retried). */
#define CHANNEL_SEND_TIMEOUT 15
/* A driver's request for one file (fetch_media's each, attach_document's
 * upload) returns within this many seconds: a few MB on a slow link. The
 * leases of the media worker and of the outbox cover it. */
#define CHANNEL_FILE_TIMEOUT 120

/* The answer to one send. */
typedef struct {
    char provider_id[256]; /* the channel's id of the message; "" when not accepted */
    bool retryable;        /* a transient failure: try again later */
    bool auth_failed;      /* the channel refused our credentials: pause sending */
    bool window_closed;    /* free text refused by the re-engagement rule */
    long code;             /* the channel's error code (metrics), 0: none */
    int64_t retry_after;   /* with retryable: the channel asks to wait this many
                            * seconds at least (Telegram's retry_after), 0: none */
    char error[256];       /* why, for outbox.last_error */
} channel_result;

/* Takes the next len bytes of a download; false aborts it. */
typedef bool (*channel_sink)(void *arg, const char *data, size_t len);

/* A download of a contact's file (channel_driver.fetch_media). */
typedef struct {
    channel_sink sink; /* in: where the file's bytes go, in order */
    void *arg;         /* in: sink's */
    char mime[128];    /* out: the type the channel declares, "" when none */
    char stored[65];   /* out: the sha256 (hex) of a file the channel put in the
                        * media directory itself (a simulator): nothing went
                        * to the sink; "" otherwise */
    bool final;        /* out, on failure: trying again cannot help */
    char error[1024];  /* out, on failure: why */
} channel_fetch;

/* What processing a stored inbound body left (channel_driver.process). */
typedef struct {
    const char *dead;    /* why the body is kept as a dead letter; NULL: done */
    const char *summary; /* what stays of the body once it is removed (JSON:
                          * ids, types, times; never the sender's address,
                          * name or words); NULL: nothing */
} channel_inbound;

typedef struct channel_driver {
    const char *name;  /* "whatsapp": contacts.channel, outbox.channel */
    const char *title; /* as people know it: "WhatsApp" */
    channel_caps caps;
    /* The message m to address, in the channel's payload (arena-owned);
     * NULL when m cannot be rendered. */
    const char *(*render)(arena_t *ar, const char *address, const channel_msg *m);
    /* Sends payload from the agency's endpoint; r says how it went. curl
     * is the caller's handle (a CURL *), reused across sends; s the store,
     * for a driver whose credentials are the endpoint's (channel_endpoints:
     * a Telegram bot's token). */
    void (*send)(const config_t *cfg, struct store *s, void *curl, const char *endpoint,
                 const char *payload, channel_result *r);
    /* Whether free text reaches a contact whose last message came at
     * last_inbound_at (0: never) at now: the re-engagement rule. */
    bool (*can_send_text)(int64_t last_inbound_at, int64_t now);
    /* Whether the driver would really send with cfg (false: the simulator
     * mode records the message as sent). */
    bool (*live)(const config_t *cfg);
    /* The driver's HTTP routes (its webhook, its simulator), which the
     * server serves after its own (http/server.c); *n gets how many. NULL
     * (or n 0) when the channel has none. */
    const struct http_route *(*routes)(size_t *n);
    /* Processes the stored inbound body of row inbound_id, as its webhook
     * delivered it: parses it into events and runs each, in order (the
     * dialogue, delivery statuses). ERR_OK when the body is finished, with
     * out->dead when it is to be kept as a dead letter; another error when
     * it should be tried again later (out->summary as far as it was
     * parsed). out's strings are ar's. The generic inbox worker
     * (jobs/inbox.c) claims the rows, orders, retries and records them. */
    err_t (*process)(const config_t *cfg, struct store *s, arena_t *ar, int64_t inbound_id,
                     const char *body, int64_t now, channel_inbound *out);
    /* Downloads the file a contact sent, which the channel calls media_id,
     * into f->sink; true when all of it went there (or, f->stored, it is
     * in the media directory already), false with f->error and f->final.
     * s as for send. curl is the caller's handle, NULL when the driver is not live. The
     * generic media worker (jobs/media.c) claims, checks, keeps the file by
     * its sha256 and retries. */
    bool (*fetch_media)(const config_t *cfg, struct store *s, void *curl, const char *media_id,
                        channel_fetch *f);
    /* Readies a document message from endpoint: sends the file at path
     * (a PDF whose sha256 is sha256, shown as filename) to the channel and
     * puts the channel's id of it into *payload and *template (either may
     * be NULL; the new strings are ar's). Not live, nothing leaves the
     * machine (curl is NULL then). Returns NULL when done, else why not
     * (in err, of cap bytes) with *final when trying again cannot help. */
    const char *(*attach_document)(const config_t *cfg, void *curl, arena_t *ar,
                                   const char *endpoint, const char *path, const char *sha256,
                                   const char *filename, const char **payload,
                                   const char **template, bool *final, char *err, size_t cap);
    /* A link that opens a conversation with the agency on this channel
     * with text ready to send (the follow button of a public page), in the
     * arena; NULL when the channel or the agency has none. */
    const char *(*start_link)(struct store *s, arena_t *ar, int64_t agency_id, const char *text);
    /* Optional (issue 16, email): a send that needs the store (the agency
     * endpoint's settings in channel_endpoints: a mailbox's SMTP server and
     * password) and what the outbox row is about. The outbox calls it
     * instead of send when set. kind is the row's ("operator": a person's
     * words; anything else is automatic), case_id its case (0: none). */
    void (*send_row)(const config_t *cfg, struct store *s, void *curl, arena_t *ar,
                     const char *endpoint, const char *kind, int64_t case_id, const char *payload,
                     channel_result *r);
    /* Optional: fetches what arrived since the last call (a mailbox polled
     * over IMAP) into the inbound table, each message committed before the
     * channel is told it was taken; called by the worker on every pass (the
     * driver paces itself). Returns how many were stored. */
    int (*poll)(const config_t *cfg, struct store *s, int64_t now);
} channel_driver;

/* The neutral message json rendered by d for address (arena-owned); NULL
 * when json is no message or d cannot render it. */
const char *channel_render_json(arena_t *ar, const channel_driver *d, const char *address,
                                const char *json);

/* The JSON text of j in the arena (compact, keys in insertion order);
 * takes j. NULL on failure. For drivers whose payloads are JSON. */
struct json_t;
const char *channel_dump(arena_t *ar, struct json_t *j);

/* The driver named name, NULL when there is none. */
const channel_driver *channel_find(const char *name);
/* The i-th registered driver, NULL past the last: for walking them all. */
const channel_driver *channel_at(size_t i);

/* The name of the channel that reaches a person at a mobile number (a
 * walk-in reporter who agreed to updates, an officer's notices): the first
 * driver whose addresses are mobile numbers; NULL when none is built in. */
const char *channel_for_mobile(void);

/* Runs every driver's poll (channel_driver.poll); how many were stored. */
int channel_poll_all(const config_t *cfg, struct store *s, int64_t now);

#endif

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

/* What a channel can show; the dialogue degrades by these (no buttons:
 * numbered options; no location requests: the typed address). */
typedef struct {
    unsigned buttons_max;     /* reply buttons in one message, 0: none */
    unsigned list_rows_max;   /* rows of a list message, 0: no lists */
    bool location_request;    /* can ask for / receive a shared location */
    bool documents;           /* can carry a file (an issued document) */
    bool templates;           /* pre-approved templates (re-engagement) */
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

/* The answer to one send. */
typedef struct {
    char provider_id[256]; /* the channel's id of the message; "" when not accepted */
    bool retryable;        /* a transient failure: try again later */
    bool auth_failed;      /* the channel refused our credentials: pause sending */
    bool window_closed;    /* free text refused by the re-engagement rule */
    long code;             /* the channel's error code (metrics), 0: none */
    char error[256];       /* why, for outbox.last_error */
} channel_result;

typedef struct channel_driver {
    const char *name; /* "whatsapp": contacts.channel, outbox.channel */
    channel_caps caps;
    /* The message m to address, in the channel's payload (arena-owned);
     * NULL when m cannot be rendered. */
    const char *(*render)(arena_t *ar, const char *address, const channel_msg *m);
    /* Sends payload from the agency's endpoint; r says how it went. curl
     * is the caller's handle (a CURL *), reused across sends. */
    void (*send)(const config_t *cfg, void *curl, const char *endpoint, const char *payload,
                 channel_result *r);
    /* Whether free text reaches a contact whose last message came at
     * last_inbound_at (0: never) at now: the re-engagement rule. */
    bool (*can_send_text)(int64_t last_inbound_at, int64_t now);
    /* Whether the driver would really send with cfg (false: the simulator
     * mode records the message as sent). */
    bool (*live)(const config_t *cfg);
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

#endif

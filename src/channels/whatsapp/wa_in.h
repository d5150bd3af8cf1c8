/* wa_in: reading a signed webhook body into events (CLOUD-API-NOTES.md §3).
 * One POST may carry several entries, changes, messages and statuses. */
#ifndef ADUAN_WA_IN_H
#define ADUAN_WA_IN_H

#include "channels/whatsapp/wa.h"
#include "core/arena.h"
#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { WA_EV_MESSAGE, WA_EV_STATUS } wa_ev_kind;

typedef struct {
    wa_ev_kind kind;
    const char *phone_number_id; /* metadata.phone_number_id: the agency's number */
    /* A message. */
    const char *wamid, *from, *profile_name;
    const char *type;     /* text, interactive, button, location, image, ... */
    int64_t timestamp;    /* Unix seconds */
    const char *text;     /* text body, a button's or a row's title, a caption */
    const char *reply_id; /* interactive button/list reply id, template payload */
    bool has_location;
    double lat, lon;
    const char *loc_name, *loc_address;
    const char *media_id, *media_mime, *media_sha256, *media_filename;
    /* A status of a message we sent. */
    const char *status, *recipient;
    const char *error; /* "code: title" of the first error, or NULL */
} wa_event;

/* Parses body. Returns ERR_OK with the events (owned by the arena; there
 * may be none), or ERR_BAD_JSON with *why when the body is not a WhatsApp
 * webhook at all. Parts that cannot be used (a message without an id) are
 * skipped and counted in *skipped. */
err_t wa_parse(arena_t *ar, const char *body, wa_event **out, size_t *n, size_t *skipped,
               const char **why) __attribute__((warn_unused_result));

#endif

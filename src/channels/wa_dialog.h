/* wa_dialog: what the citizen dialogue is made of (issue 15, item 3).
 *
 * - Its states, as an enum. The conversation row keeps a state's name (a
 *   string, so conversations in progress survive an upgrade); dlg_parse
 *   and dlg_name map one to the other through the sub-dialogues' tables.
 * - One table of steps per sub-dialogue: the report (wa_bot.c, with the
 *   idle and menu states every other one starts from and ends in), the
 *   emergency (wa_bot.c), the service request (wa_service.c) and the
 *   survey (wa_survey.c). A step is {state, name, on_enter, on_input}:
 *   on_enter asks the step's question, on_input takes a message in it;
 *   both return the state the conversation is left in.
 * - What the channel can show (dlg_caps), and the one builder per kind of
 *   message (text, buttons, list, location request): a channel without
 *   buttons or lists gets numbered options, and typing a number picks the
 *   option as a tap would.
 *
 * Every step only fills the effects (d->fx); wa_bot_step's caller applies
 * them in one transaction. */
#ifndef ADUAN_WA_DIALOG_H
#define ADUAN_WA_DIALOG_H

#include "channels/wa_bot.h"

#include <jansson.h>

typedef enum {
    DLG_PASS = -2,    /* on_input: not this step's message; the generic answer follows */
    DLG_UNKNOWN = -1, /* dlg_parse: a name no table has */
    DLG_IDLE = 0,
    DLG_MENU,
    /* the report */
    DLG_CONSENT,
    DLG_CATEGORY,
    DLG_URGENT,
    DLG_DESCRIBE,
    DLG_LOCATION,
    DLG_KECAMATAN,
    DLG_PHOTOS,
    DLG_CONFIRM,
    /* the emergency */
    DLG_E_LOCATION,
    DLG_E_AFTER,
    /* the service request */
    DLG_SVC_CHOOSE,
    DLG_SVC_CONSENT,
    DLG_SVC_NIK,
    DLG_SVC_NAME,
    DLG_SVC_DOC,
    DLG_SVC_CONFIRM,
    DLG_SVC_RESEND, /* "svc_resend:<case id>": files asked again, d->arg is the case */
    /* the survey */
    DLG_SV_REASON,
    DLG_SV_Q,
    DLG_SV_COMMENT,
    DLG__COUNT
} dlg_state;

/* What a channel can show. WhatsApp's are DLG_CAPS_WHATSAPP. */
typedef struct dlg_caps {
    int max_buttons;   /* reply buttons in one message; 0: none */
    bool has_lists;    /* a list of up to DLG_ROWS_MAX rows to pick from */
    bool has_location; /* the citizen can share a point on a map */
} dlg_caps;

extern const dlg_caps DLG_CAPS_WHATSAPP;

/* Rows in one list (WhatsApp's limit, CLOUD-API-NOTES.md §4). */
#define DLG_ROWS_MAX 10

/* The dialogue at one message. */
typedef struct {
    const wa_bot_in *in;
    store_dialog_effects *fx;
    const char *lang;     /* "id" or "en" */
    json_t *draft;        /* the conversation's JSON (borrowed) */
    const dlg_caps *caps; /* never NULL */
    int64_t arg;          /* the id of a DLG_WITH_ID state: DLG_SVC_RESEND's case */
    err_t err;            /* set by a step whose effects cannot be built */
    bool reasked;         /* the step asked again: keep counting misunderstandings */
} dlg;

typedef dlg_state (*dlg_fn)(dlg *d);

#define DLG_DRAFTING 1u /* composing a report or a request: its messages join the case */
#define DLG_WITH_ID  2u /* stored as the name followed by an id (d->arg), "svc_resend:12" */

typedef struct {
    dlg_state state;
    const char *name; /* as stored in the conversation row */
    dlg_fn on_enter;  /* asks the step's question; NULL: the step asks nothing again */
    dlg_fn on_input;  /* takes a message in the state */
    unsigned flags;   /* DLG_DRAFTING, DLG_WITH_ID */
} dlg_step;

typedef struct {
    const char *name; /* of the sub-dialogue, for logs and tests */
    const dlg_step *steps;
    size_t n;
} dlg_part;

/* The sub-dialogues (wa_bot.c, wa_service.c, wa_survey.c). */
extern const dlg_part dlg_report, dlg_emergency, dlg_service, dlg_survey;

/* The state of a stored name, and the id of a DLG_WITH_ID one in *arg
 * (may be NULL). NULL is DLG_IDLE; a name no table knows is DLG_UNKNOWN. */
dlg_state dlg_parse(const char *name, int64_t *arg);

/* The name to store for st (with arg for a DLG_WITH_ID one), owned by ar
 * or static; NULL for a value that is no state. */
const char *dlg_name(arena_t *ar, dlg_state st, int64_t arg);

/* The step of st; NULL for a value that is no state. */
const dlg_step *dlg_step_of(dlg_state st);

/* The sub-dialogue st belongs to (idle and menu: the report's); NULL for a
 * value that is no state. */
const dlg_part *dlg_part_of(dlg_state st);

/* Enters st: its on_enter when it has one, else st itself. */
dlg_state dlg_enter(dlg *d, dlg_state st);

/* The menu (wa_bot.c): every sub-dialogue falls back to it. */
dlg_state dlg_menu(dlg *d);

/* The object under key in the draft, made when missing (borrowed). */
json_t *dlg_draft_obj(dlg *d, const char *key);

/* A copy in the arena of the string k of that object; NULL when none. */
const char *dlg_draft_str(dlg *d, const char *key, const char *k);

/* ---- the builders: every message the dialogue sends goes through one --------------- */

typedef struct {
    const char *id;    /* what a tap (or its typed number) answers */
    const char *title; /* shown; cut to the channel's limit */
    const char *desc;  /* a list row's second line, or NULL */
} dlg_choice;

/* s cut to at most max code points, ending with an ellipsis (channels
 * count characters); s itself when it fits. */
const char *dlg_cut(arena_t *ar, const char *s, size_t max);

/* JSON text of j in the arena; takes j. NULL on failure. */
const char *dlg_dump(arena_t *ar, json_t *j);

/* True when text, trimmed, is the word a or b (b may be NULL), in any case. */
bool dlg_is_word(const char *text, const char *a, const char *b);

/* A text. */
void dlg_say(dlg *d, const char *text);

/* A text about the case the effects create: sent once it exists. */
void dlg_say_for_case(dlg *d, const char *text);

/* A question with up to 3 reply buttons; more than the channel shows
 * become a list or numbered options. */
void dlg_buttons(dlg *d, const char *body, const dlg_choice *c, int n);

/* The WhatsApp message of such a question to wa_id, outside a dialogue
 * step (an invitation, a confirmation request); owned by ar. */
const char *dlg_buttons_msg(arena_t *ar, const char *to, const char *body, const dlg_choice *c,
                            int n);

/* A question with a list of up to DLG_ROWS_MAX rows under the button
 * label, in one section with that title. */
void dlg_list(dlg *d, const char *body, const char *button, const char *section,
              const dlg_choice *c, int n);

/* Asks where something is: share says how to share a location (or type
 * the address), typed asks for the address alone, for a channel that
 * cannot share locations. */
void dlg_ask_location(dlg *d, const char *share, const char *typed);

/* The choice a typed number picks among the numbered options the last
 * message offered (a channel without buttons or lists); NULL when none. */
const char *dlg_numbered_pick(const json_t *draft, const char *text);

#endif

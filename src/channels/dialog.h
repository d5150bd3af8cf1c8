/* dialog: what the citizen dialogue is made of (issue 15, item 3).
 *
 * - Its states, as an enum. The conversation row keeps a state's name (a
 *   string, so conversations in progress survive an upgrade); dlg_parse
 *   and dlg_name map one to the other through the sub-dialogues' tables.
 * - One table of steps per sub-dialogue: the report (bot.c, with the
 *   idle and menu states every other one starts from and ends in), the
 *   emergency (bot.c), the service request (svc_dialog.c) and the
 *   survey (survey_dialog.c). A step is {state, name, on_enter, on_input}:
 *   on_enter asks the step's question, on_input takes a message in it;
 *   both return the state the conversation is left in.
 * - What the channel can show (its driver's channel_caps), and the one
 *   builder per kind of message (text, buttons, list, location request),
 *   each a neutral message (channels/channel.h) that the channel's driver
 *   renders when the outbox sends it: a channel without buttons or lists
 *   gets numbered options, and typing a number picks the option as a tap
 *   would; one without location requests is asked for the typed address.
 *
 * Every step only fills the effects (d->fx); bot_step's caller applies
 * them in one transaction. */
#ifndef ADUAN_DIALOG_H
#define ADUAN_DIALOG_H

#include "channels/bot.h"
#include "channels/channel.h"

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
    /* the reporter withdraws a filed case (issue 16) */
    DLG_WITHDRAW, /* "withdraw:<case id>": Ya/Tidak asked, d->arg is the case */
    DLG__COUNT
} dlg_state;

/* Rows in one list the dialogue offers (WhatsApp's limit, CLOUD-API-NOTES.md
 * §4; a channel with fewer gets numbered options). */
#define DLG_ROWS_MAX 10

/* The dialogue at one message. */
typedef struct {
    const bot_in *in;
    store_dialog_effects *fx;
    const char *lang;         /* "id" or "en" */
    json_t *draft;            /* the conversation's JSON (borrowed) */
    const channel_caps *caps; /* what the channel shows; never NULL */
    int64_t arg;              /* the id of a DLG_WITH_ID state: DLG_SVC_RESEND's case */
    err_t err;                /* set by a step whose effects cannot be built */
    bool reasked;             /* the step asked again: keep counting misunderstandings */
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

/* The sub-dialogues (bot.c, svc_dialog.c, survey_dialog.c). */
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

/* The menu (bot.c): every sub-dialogue falls back to it. */
dlg_state dlg_menu(dlg *d);

/* The object under key in the draft, made when missing (borrowed). */
json_t *dlg_draft_obj(dlg *d, const char *key);

/* A copy in the arena of the string k of that object; NULL when none. */
const char *dlg_draft_str(dlg *d, const char *key, const char *k);

/* ---- the builders: every message the dialogue sends goes through one --------------- */

/* An option to pick (channels/channel.h). */
typedef channel_choice dlg_choice;

/* True when text, trimmed, is the word a or b (b may be NULL), in any case. */
bool dlg_is_word(const char *text, const char *a, const char *b);

/* A text. */
void dlg_say(dlg *d, const char *text);

/* A text about the case the effects create: sent once it exists. */
void dlg_say_for_case(dlg *d, const char *text);

/* A question with reply buttons; more than the channel shows become a
 * list or, without lists, numbered options. */
void dlg_buttons(dlg *d, const char *body, const dlg_choice *c, int n);

/* The neutral message (JSON, owned by ar) of such a question with reply
 * buttons, outside a dialogue step (an invitation, a confirmation request). */
const char *dlg_buttons_json(arena_t *ar, const char *body, const dlg_choice *c, int n);

/* A question with a list of up to DLG_ROWS_MAX rows under the button
 * label, in one section with that title; numbered options for a channel
 * whose lists are shorter (or that has none). */
void dlg_list(dlg *d, const char *body, const char *button, const char *section,
              const dlg_choice *c, int n);

/* Asks where something is: share (a location request) says how to share
 * a location (or type the address); typed asks for the address alone, for
 * a channel without location requests. */
void dlg_ask_location(dlg *d, const char *share, const char *typed);

/* The choice a typed number picks among the numbered options the last
 * message offered (a channel without buttons or lists); NULL when none. */
const char *dlg_numbered_pick(const json_t *draft, const char *text);

#endif

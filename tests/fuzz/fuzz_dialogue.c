/* The WhatsApp dialogue: each message of the input against every state of
 * the bot (channels/bot.c, svc_dialog.c for civil-registry requests,
 * survey_dialog.c for the satisfaction survey), reading reference data from a
 * throwaway SQLite with the demo. bot_step writes nothing; its effects
 * are checked, not applied.
 *
 * Input: a webhook body, optionally followed by a line "--draft--" and the
 * conversation's draft (JSON, as the bot stores it between steps).
 * seeds: tests/fixtures/whatsapp/webhooks tests/fuzz/corpus/dialogue
 */
#include "fuzz.h"

#include "channels/bot.h"
#include "channels/dialog.h"
#include "channels/whatsapp/wa.h"
#include "channels/whatsapp/wa_in.h"
#include "core/arena.h"

#include <jansson.h>

/* Every state of the dialogue's tables (channels/dialog.h), by its
 * stored name, and one no table knows. */
#define NSTATES (DLG__COUNT + 1)
static const char *states[NSTATES];

/* A channel without buttons, lists or locations: the numbered options and
 * the typed address (every other input runs with it). */
static const channel_caps plain = {.buttons_max = 0, .list_rows_max = 0};

static store_t *db;
static store_agency agencies[3];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    db = fuzz_store();
    static arena_t *keep;
    keep = arena_new();
    for (int st = 0; st < DLG__COUNT; st++)
        states[st] = dlg_name(keep, (dlg_state)st, 1);
    states[DLG__COUNT] = "no_such_state";
    /* Satpol PP (complaints), Damkar (emergencies), Disdukcapil (services). */
    for (int i = 0; i < 3; i++)
        if (store_agency_get(db, keep, i + 1, &agencies[i]) != ERR_OK)
            abort();
    return 0;
}

static bool known_state(const char *s) { return dlg_parse(s, NULL) != DLG_UNKNOWN; }

/* What store_dialog_apply and the outbox rely on. A state the bot does not
 * know (a row from another version) may be kept as it was, by the words
 * that work at any time, but never made up. */
static void check(arena_t *ar, const store_dialog_effects *fx, const wa_event *ev, const char *was)
{
    json_error_t je;
    if (!fx->state || (!known_state(fx->state) && strcmp(fx->state, was) != 0) ||
        fx->nout > STORE_WA_OUT_MAX || fx->nmedia > STORE_WA_MEDIA_MAX || !fx->seen_key)
        abort();
    if (fx->draft) {
        json_t *d = json_loads(fx->draft, 0, &je);
        if (!json_is_object(d))
            abort();
        json_decref(d);
    }
    for (size_t i = 0; i < fx->nout; i++) {
        /* Every message is a neutral one WhatsApp's driver renders to the
         * sender, and so is its template intent. */
        const char *r = channel_render_json(ar, &wa_driver, ev->from, fx->out[i].message);
        json_t *m = r ? json_loads(r, 0, &je) : NULL;
        const char *to = json_string_value(json_object_get(m, "to"));
        if (!m || !to || strcmp(to, ev->from) != 0)
            abort();
        json_decref(m);
        if (fx->out[i].template &&
            !channel_render_json(ar, &wa_driver, ev->from, fx->out[i].template))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return -1;
    char *body, *draft;
    fuzz_split(data, size, "\n--draft--\n", &body, &draft);
    arena_t *ar = arena_new();
    wa_event *evs = NULL;
    size_t n = 0, skipped = 0;
    const char *why;
    if (wa_parse(ar, body, &evs, &n, &skipped, &why) == ERR_OK) {
        const store_agency *agency = &agencies[size % 3];
        for (size_t i = 0; i < n && i < 4; i++) {
            if (evs[i].kind != WA_EV_MESSAGE)
                continue;
            for (size_t k = 0; k < NSTATES; k++) {
                arena_t *step = arena_new();
                bot_in in = {db,
                             step,
                             "https://aduan.example.go.id",
                             FUZZ_NOW,
                             agency,
                             evs[i].phone_number_id,
                             &evs[i],
                             {states[k], draft ? draft : "{}", k % 2 ? "en" : "id", 3,
                              FUZZ_NOW - 3600, FUZZ_NOW - 60},
                             5,
                             7 * 60 + 30,
                             16 * 60,
                             30,
                             "",
                             NULL};
                store_dialog_effects fx;
                memset(&fx, 0, sizeof fx);
                if (bot_step_caps(&in, size % 2 ? &plain : &wa_driver.caps, &fx) == ERR_OK)
                    check(step, &fx, &evs[i], states[k]);
                arena_destroy(step);
            }
        }
    }
    arena_destroy(ar);
    free(body);
    free(draft);
    return 0;
}

/* wa_text: every text a citizen reads on WhatsApp, Indonesian first and
 * English second, in one catalog (DESIGN.md §3). Placeholders are {name}. */
#ifndef ADUAN_WA_TEXT_H
#define ADUAN_WA_TEXT_H

#include "core/arena.h"
#include "store/store.h"

#include <stdbool.h>

/* The text of key in lang ("id" or "en"); the key itself when unknown. */
const char *wa_text(const char *key, const char *lang);

/* The text with {name} replaced by values: names and values alternate in
 * args and end with NULL. Owned by the arena. */
char *wa_textf(arena_t *ar, const char *key, const char *lang, ...);

/* The admin's versions of texts (store_bot_text_list) replace the defaults
 * for their key and language; NULL/0 removes them all. Copies. Called by
 * the background worker between passes: it is the only thread that reads
 * texts through wa_text(). */
void wa_text_override(const store_bot_text *rows, size_t n);

/* The catalog for the admin API: how many keys, the i-th key and its
 * compiled-in default. */
size_t wa_text_count(void);
const char *wa_text_key(size_t i);
const char *wa_text_default(size_t i, const char *lang);

/* NULL when text may replace key's default in lang: it has exactly the
 * default's {placeholders} (none dropped, none added). Else why not. */
const char *wa_text_check(const char *key, const char *lang, const char *text);
/* The same check, saying which: *missing gets the placeholders of the
 * default that text lacks, *unknown those text has and the default does
 * not, each "{a}, {b}" in the arena or NULL. True when both are NULL;
 * false with both NULL for an unknown key. */
bool wa_text_placeholders(arena_t *ar, const char *key, const char *lang, const char *text,
                          const char **missing, const char **unknown);
/* The placeholders of the i-th default in lang, "{a}, {b}", or NULL. */
const char *wa_text_placeholder_names(arena_t *ar, size_t i, const char *lang);

/* The admin page groups the texts by the step of the conversation they
 * belong to, with labels for people instead of keys: the steps in the
 * order a citizen meets them, the step of the i-th text, and the labels
 * in lang ("id" or "en"). A text without a label is in the last step
 * ("Lainnya") with its key as label; wa_text_labelled says whether it has
 * one (a unit test checks that every text has). */
size_t wa_text_step_count(void);
const char *wa_text_step_key(size_t step);
const char *wa_text_step_label(size_t step, const char *lang);
size_t wa_text_step_of(size_t i);
const char *wa_text_label(size_t i, const char *lang);
bool wa_text_labelled(size_t i);

#endif

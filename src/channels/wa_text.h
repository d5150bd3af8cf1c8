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

/* The admin's versions of texts (store_wa_text_list) replace the defaults
 * for their key and language; NULL/0 removes them all. Copies. Called by
 * the background worker between passes: it is the only thread that reads
 * texts through wa_text(). */
void wa_text_override(const store_wa_text *rows, size_t n);

/* The catalog for the admin API: how many keys, the i-th key and its
 * compiled-in default. */
size_t wa_text_count(void);
const char *wa_text_key(size_t i);
const char *wa_text_default(size_t i, const char *lang);

/* NULL when text may replace key's default: every {placeholder} in text
 * is one the default has. Else why not. */
const char *wa_text_check(const char *key, const char *text);

#endif

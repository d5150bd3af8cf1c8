/* wa_text: every text a citizen reads on WhatsApp, Indonesian first and
 * English second, in one catalog (DESIGN.md §3). Placeholders are {name}. */
#ifndef ADUAN_WA_TEXT_H
#define ADUAN_WA_TEXT_H

#include "core/arena.h"

/* The text of key in lang ("id" or "en"); the key itself when unknown. */
const char *wa_text(const char *key, const char *lang);

/* The text with {name} replaced by values: names and values alternate in
 * args and end with NULL. Owned by the arena. */
char *wa_textf(arena_t *ar, const char *key, const char *lang, ...);

#endif

/* msg: the catalogue of the texts the API explains itself with.
 *
 * An error answer carries a machine code (err_code, never translated) and a
 * detail for people. Handlers write the detail in English, which is the
 * catalogue's key; the answer shows it in the request's language,
 * Indonesian by default. A detail missing from the catalogue is a bug that
 * tests/e2e/test_lang.py finds (it reads every detail in the sources). */
#ifndef ADUAN_MSG_H
#define ADUAN_MSG_H

#include <stdbool.h>

/* The text en in lang: "en" gives en itself, anything else the Indonesian
 * text of the catalogue. A text not in the catalogue (already translated,
 * or formatted) comes back unchanged. A printf format keeps its
 * conversions, so the result may be used as one (format_arg). Never NULL
 * for a non-NULL en; static storage. */
const char *msg_lang(const char *lang, const char *en) __attribute__((format_arg(2)));

/* True when en is a key of the catalogue. */
bool msg_known(const char *en);

#endif

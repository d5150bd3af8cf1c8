/* ids: public tracking codes of cases.
 *
 * A code is 8 Crockford base32 symbols (40 random bits from libsodium),
 * shown as "ABCD-EFGH". Crockford's alphabet has no I, L, O or U, so a code
 * read aloud or typed on a phone survives the usual slips: input is
 * normalised (case, hyphens, spaces, I/L -> 1, O -> 0) before lookup. */
#ifndef ADUAN_IDS_H
#define ADUAN_IDS_H

#include <stddef.h>

#define IDS_CODE_LEN  8  /* canonical symbols: 8 x 5 bits = 40 bits */
#define IDS_CODE_BUF  10 /* canonical code plus NUL, with room to spare */
#define IDS_SHOWN_BUF 10 /* "ABCD-EFGH" plus NUL */

/* Writes a new random canonical code into out. */
void ids_tracking_new(char out[IDS_CODE_BUF]);

/* Normalises user input into a canonical code. Returns 0, or -1 when the
 * input is not a well-formed code. */
int ids_tracking_normalize(const char *in, char out[IDS_CODE_BUF]);

/* Formats a canonical code for people: "ABCD-EFGH". */
void ids_tracking_format(const char *code, char out[IDS_SHOWN_BUF]);

#endif

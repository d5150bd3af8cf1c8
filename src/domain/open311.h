/* open311: `aduan open311 key add|list|revoke` (open311_cmd.c), the API
 * keys of Open311 clients (issue 17 §1; docs/OPEN311.md). */
#ifndef ADUAN_OPEN311_H
#define ADUAN_OPEN311_H

#include "store/store.h"

/* The longest client name: a name an operator types and reads. */
#define OPEN311_CLIENT_MAX 64

extern const char open311_usage[];

/* Whether argv (after the command word) is a well-formed command, so
 * that a usage error opens no database. */
bool open311_args_ok(int argc, char **argv);
/* argv after the command word; returns the exit status (0, 1 failure,
 * 2 usage). `key add` prints the new key on its last line; only its
 * SHA-256 is stored. */
int open311_cmd(store_t *s, int argc, char **argv);

#endif

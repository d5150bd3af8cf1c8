/* Internal to store/: which migration files an engine runs, in what order.
 * Both engines apply every file of theirs whose number is not recorded in
 * schema_migrations yet, lowest number first, so a database never skips a
 * migration (e.g. 0013 merged after 0014 was applied still runs). */
#ifndef ADUAN_STORE_MIGRATE_INT_H
#define ADUAN_STORE_MIGRATE_INT_H

#include "core/embed.h"
#include "core/err.h"

#include <stddef.h>

typedef struct {
    const embed_file *file;
    int version;
} store_mig;

/* The migrations of engine ("sqlite" or "pg") among files[0..n), sorted by
 * number, into out (room for n): the shared files, "NNNN_name.sql", and
 * the engine's, "NNNN_name.<engine>.sql"; other names are not migrations.
 * ERR_INVALID (and a log line) when a .sql name has no number or names
 * another engine, or a number has two files for one engine, or a shared
 * file and an engine's (checked for both engines, whichever is asked). */
err_t store_mig_plan(const embed_file *files, size_t n, const char *engine, store_mig *out,
                     size_t *nout);

#endif

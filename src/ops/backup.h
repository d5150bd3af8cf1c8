/* ops backup: `aduan backup` and `aduan restore` (issue 19 §4).
 *
 * A SQLite backup is a single SQLite file (optionally gzip-compressed)
 * taken with the online backup API while aduan serves, one read snapshot,
 * checked with integrity_check and foreign_key_check before it is given
 * its name. A PostgreSQL backup is `pg_dump -Fc`, checked by listing it
 * with `pg_restore -l`. Either is written as FILE.part and renamed, so a
 * failed backup leaves no FILE.
 *
 * The files, the copies and the PostgreSQL tools are here; every question
 * to a database goes through the store (store/backup.h). */
#ifndef ADUAN_OPS_BACKUP_H
#define ADUAN_OPS_BACKUP_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

/* Writes a backup of the database at url ("sqlite:PATH" or a PostgreSQL
 * URL) to path; compress: gzip the SQLite copy (a pg_dump -Fc file is
 * compressed already). report gets the checks' results and, for SQLite,
 * one line per table "name rows". On failure report says why and path
 * is not written. ERR_NOT_FOUND: a tool (pg_dump, gzip) is missing;
 * ERR_INVALID: the copy failed its checks. */
err_t backup_write(const char *url, const char *path, bool compress, char *report,
                   size_t cap) STORE_WUR;

/* Restores the backup at file (either kind, compressed or not) into the
 * database at to_url, which must be empty (ERR_CONFLICT otherwise):
 * a SQLite backup into "sqlite:PATH" (a new file) or into PostgreSQL
 * (through store_copy_sqlite_to_pg, which compares every table's count);
 * a pg_dump file into PostgreSQL with pg_restore in one transaction.
 * The backup is checked first (integrity_check; pg_restore -l; a schema
 * not newer than this aduan's): ERR_INVALID, nothing written, when it
 * fails. The restored database is migrated to this aduan's schema.
 * report gets one line per table "name rows". */
err_t backup_restore(const char *file, const char *to_url, store_progress_fn progress, void *ctx,
                     char *report, size_t cap) STORE_WUR;

#endif

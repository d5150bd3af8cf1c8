/* store backup: the SQL of `aduan backup` and `aduan restore` (issue 19
 * §4). The files, the copies and the PostgreSQL tools are ops/backup.c's;
 * what asks a database goes through here. */
#ifndef ADUAN_STORE_BACKUP_H
#define ADUAN_STORE_BACKUP_H

#include "store/store.h"

#include <stddef.h>

/* The newest migration this aduan knows (a backup's schema may not be newer). */
int store_schema_latest(void);

typedef struct {
    const char *name;
    int64_t rows;
} store_table_count;

/* Every table of the database (SQLite's own and the FTS5 shadow tables
 * left out) with its rows, by name. ERR_INVALID when a table has a name
 * aduan would not put in SQL: *n still says how many tables there are. */
err_t store_table_counts(store_t *s, arena_t *ar, store_table_count **out, size_t *n) STORE_WUR;

typedef struct {
    const char *failed;    /* the check that could not run (with the error), else NULL */
    const char *integrity; /* PRAGMA integrity_check's first line: "ok" when sound */
    /* The first row of PRAGMA foreign_key_check: a row of fk_table refers
     * to a missing fk_parent; NULL when the foreign keys hold. */
    const char *fk_table, *fk_parent;
    int64_t version; /* newest schema_migrations version; 0: none, not aduan's */
} store_sqlite_check;

/* SQLite only: the checks of a copy, each run while the one before passed. */
err_t store_sqlite_check_run(store_t *s, arena_t *ar, store_sqlite_check *out) STORE_WUR;
/* SQLite only: the online backup of the database into dest (what failed in
 * why), and a database's file back to a rollback journal, so that it is
 * self-contained (no -wal beside it). */
err_t store_sqlite_backup(store_t *s, const char *dest, char *why, size_t cap) STORE_WUR;
err_t store_sqlite_journal_delete(store_t *s) STORE_WUR;

#endif

/* The SQL of `aduan backup` and `aduan restore` (store/backup.h); the
 * files and the tools are ops/backup.c's. */
#include "store/backup.h"

#include "core/embed.h"
#include "store/drv.h"
#include "store/migrate_int.h"

#include <stdlib.h>
#include <string.h>

int store_schema_latest(void)
{
    store_mig *plan = calloc(embed_migrations_count + 1, sizeof *plan);
    size_t n = 0;
    int v = 0;
    if (plan &&
        store_mig_plan(embed_migrations, embed_migrations_count, "sqlite", plan, &n) == ERR_OK &&
        n > 0)
        v = plan[n - 1].version;
    free(plan);
    return v;
}

err_t store_table_counts(store_t *s, arena_t *ar, store_table_count **out, size_t *n)
{
    static const q_sql2 tables = {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'cases_fts%' ORDER BY name",
        "SELECT CAST(table_name AS text) FROM information_schema.tables"
        " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"};
    const char **t = NULL;
    q_conn *c = NULL;
    *out = NULL;
    *n = 0;
    err_t e = q_get(s, &c);
    if (e == ERR_OK)
        e = q_rows(c, ar, q_pick(c, &tables), Q_COL_TEXT, &t, n);
    if (e == ERR_OK && *n > 0 && !(*out = arena_alloc(ar, *n * sizeof **out)))
        e = ERR_NOMEM;
    for (size_t i = 0; e == ERR_OK && i < *n; i++) {
        const char *name = t[i];
        if (!name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name)) {
            e = ERR_INVALID; /* not one of ours: never put it in SQL */
            break;
        }
        char *sql = arena_printf(ar, "SELECT COUNT(*) FROM \"%s\"", name);
        q_stmt *cnt = sql ? q_prep_dyn(c, sql) : NULL;
        if ((e = q_step(cnt)) == ERR_OK)
            (*out)[i] = (store_table_count){name, q_col_int(cnt, 0)};
        q_done(cnt);
    }
    q_put(c);
    return e;
}

err_t store_sqlite_check_run(store_t *s, arena_t *ar, store_sqlite_check *out)
{
    q_conn *c = NULL;
    memset(out, 0, sizeof *out);
    out->failed = "integrity_check";
    err_t e = q_get(s, &c);
    q_stmt *st = q_prep(c, "PRAGMA integrity_check");
    if (e == ERR_OK && (e = q_step(st)) == ERR_OK)
        out->integrity = q_col_text(st, ar, 0);
    if (e != ERR_OK || !out->integrity || strcmp(out->integrity, "ok") != 0)
        goto out;
    out->failed = "foreign_key_check";
    st = q_prep(c, "PRAGMA foreign_key_check");
    if ((e = q_step(st)) == ERR_OK) {
        out->fk_table = q_col_text(st, ar, 0);
        out->fk_parent = q_col_text(st, ar, 2);
    } else if (e == ERR_NOT_FOUND) {
        e = ERR_OK;
    }
    q_done(st);
    if (e == ERR_OK && !out->fk_table) {
        out->failed = NULL;
        if (q_row_int(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                      &out->version) != ERR_OK)
            out->version = 0;
    }
out:
    q_put(c);
    return e;
}

err_t store_sqlite_backup(store_t *s, const char *dest, char *why, size_t cap)
{
    return s->drv->backup(s, dest, why, cap);
}

err_t store_sqlite_journal_delete(store_t *s)
{
    return q_write(s, "PRAGMA journal_mode=DELETE", false);
}

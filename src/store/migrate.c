/* Migrations, run once for both engines: the plan (store/migrate_int.h)
 * and the runner. A file is shared (NNNN_name.sql), its differences
 * written as the executor's dialect tokens ({ID}, {BIGINT}, {BOOL},
 * {DEFERRABLE}, ...: store/README), unless DDL differs beyond them (FTS5
 * against tsvector, triggers), then one per engine (NNNN_name.sqlite.sql,
 * NNNN_name.pg.sql). Every file has its tokens expanded. */
#include "store/migrate_int.h"

#include "core/log.h"
#include "store/drv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_mig(const void *a, const void *b)
{
    const store_mig *x = a, *y = b;
    if (x->version != y->version)
        return x->version < y->version ? -1 : 1;
    return strcmp(x->file->name, y->file->name);
}

/* What the name between the number and ".sql" says after its first dot:
 * 0 nothing (a shared file), 1 sqlite, 2 pg; -1 anything else. */
static int engine_of(const char *name)
{
    size_t len = strlen(name) - 4; /* without ".sql" */
    const char *dot = memchr(name, '.', len);
    if (!dot)
        return 0;
    size_t tl = len - (size_t)(dot + 1 - name);
    if (tl == 6 && strncmp(dot + 1, "sqlite", 6) == 0)
        return 1;
    return tl == 2 && strncmp(dot + 1, "pg", 2) == 0 ? 2 : -1;
}

/* ERR_INVALID when the files of one version (f[0..n)) are not either one
 * shared file or at most one per engine. */
static err_t check_version(const store_mig *f, size_t n)
{
    int count[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        count[engine_of(f[i].file->name)]++;
    if (count[0] + (count[1] > count[2] ? count[1] : count[2]) <= 1)
        return ERR_OK;
    log_error("store", "event=migration_duplicate version=%d a=%s b=%s", f[0].version,
              f[0].file->name, f[1].file->name);
    return ERR_INVALID;
}

err_t store_mig_plan(const embed_file *files, size_t n, const char *engine, store_mig *out,
                     size_t *nout)
{
    int want = strcmp(engine, "pg") == 0 ? 2 : 1;
    size_t m = 0, keep = 0;
    *nout = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = files[i].name;
        size_t len = strlen(name);
        if (len < 4 || strcmp(name + len - 4, ".sql") != 0)
            continue;
        char *end;
        long v = strtol(name, &end, 10);
        if (end == name || *end != '_' || v <= 0 || v > 999999 || engine_of(name) < 0) {
            log_error("store", "event=migration_bad_name name=%s", name);
            return ERR_INVALID;
        }
        out[m].file = &files[i];
        out[m].version = (int)v;
        m++;
    }
    if (m > 1)
        qsort(out, m, sizeof *out, cmp_mig);
    /* Every engine's files are checked, so a conflict shows on both. */
    for (size_t i = 0, j; i < m; i = j) {
        for (j = i + 1; j < m && out[j].version == out[i].version;)
            j++;
        if (check_version(out + i, j - i) != ERR_OK)
            return ERR_INVALID;
    }
    for (size_t i = 0; i < m; i++) {
        int e = engine_of(out[i].file->name);
        if (e == 0 || e == want)
            out[keep++] = out[i];
    }
    *nout = keep;
    return ERR_OK;
}

/* ---- the runner -------------------------------------------------------------------- */

/* Key of the advisory lock that serialises migrations when several
 * instances start at once on PostgreSQL ("aduan" in ASCII); SQLite's
 * BEGIN IMMEDIATE does the same. */
#define MIGRATION_LOCK 0x616475616eLL

static const char MIG_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
static const char MIG_MAX[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char MIG_HAS[] = "SELECT version FROM schema_migrations WHERE version = $1";
static const char MIG_ADD[] = "INSERT INTO schema_migrations (version, name, applied_at)"
                              " VALUES ($1, $2, {NOW})";
static const q_sql2 MIG_LOCK = {"SELECT $1", "SELECT pg_advisory_xact_lock($1)"};

err_t store_schema_version(store_t *s, int *version)
{
    q_conn *c = NULL;
    int64_t v = 0;
    err_t e = q_get(s, &c);
    if (e == ERR_OK)
        e = c->drv->exec(c, MIG_TABLE);
    if (e == ERR_OK)
        e = q_row_int(c, MIG_MAX, &v);
    q_put(c);
    *version = (int)v;
    return e;
}

typedef struct {
    const store_mig *m;
    int newest;
    bool applied;
} apply_ctx;

/* Applies one migration file, unless it is recorded already (another
 * instance got there first). */
static err_t apply_tx(q_conn *c, void *arg)
{
    apply_ctx *x = arg;
    const embed_file *f = x->m->file;
    int64_t v = x->m->version, has;
    err_t e = q_run(c, q_pick(c, &MIG_LOCK), NULL, Q_INT(MIGRATION_LOCK));
    if (e == ERR_OK && (e = q_row_int(c, MIG_HAS, &has, Q_INT(v))) == ERR_NOT_FOUND) {
        if (v < x->newest)
            log_warn("store", "event=migration_late name=%s newest=%d", f->name, x->newest);
        e = q_script(c, (const char *)f->data);
        if (e == ERR_OK)
            e = q_run(c, MIG_ADD, NULL, Q_INT(v), Q_TEXT(f->name));
        x->applied = e == ERR_OK;
    }
    return e;
}

err_t store_migrate_files(store_t *s, const embed_file *files, size_t n, int *applied)
{
    int have = 0, count = 0;
    size_t m = 0;
    store_mig *plan = calloc(n ? n : 1, sizeof *plan);
    err_t e = plan ? ERR_OK : ERR_NOMEM;
    if (e == ERR_OK)
        e = store_mig_plan(files, n, s->drv->dialect == Q_PG ? "pg" : "sqlite", plan, &m);
    if (e == ERR_OK)
        e = store_schema_version(s, &have); /* creates the table */
    /* Every migration not yet recorded, in number order: one merged late
     * under a lower number than the newest applied still runs. */
    for (size_t i = 0; i < m && e == ERR_OK; i++) {
        apply_ctx x = {&plan[i], have, false};
        if ((e = q_tx(s, apply_tx, &x)) != ERR_OK)
            log_error("store", "event=migration_failed name=%s", plan[i].file->name);
        else if (x.applied)
            log_info("store", "event=migration_applied name=%s", plan[i].file->name);
        count += e == ERR_OK && x.applied;
    }
    free(plan);
    if (applied)
        *applied = count;
    return e;
}

err_t store_migrate(store_t *s, int *applied)
{
    return store_migrate_files(s, embed_migrations, embed_migrations_count, applied);
}

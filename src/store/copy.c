/* store_copy_sqlite_to_pg: moves a SQLite deployment into PostgreSQL, row
 * for row with its ids, in one PostgreSQL transaction (COPY ... FROM STDIN
 * through the driver), then compares the row counts table by table. */
#include "store/drv.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every table of the schema, parents before children. A migration that
 * adds a table adds it here; copying refuses a database with a table it
 * does not know, so none is left behind silently. */
static const struct {
    const char *name;
    bool has_id; /* an identity column whose sequence must follow */
} tables[] = {
    {"agencies", true},
    {"agency_numbers", false},
    {"regions", false},
    {"region_shapes", false},
    {"users", true},
    {"user_roles", false},
    {"sessions", false},
    {"login_guard", false},
    {"teams", true},
    {"team_members", false},
    {"categories", true},
    {"agency_calendars", false},
    {"holidays", true},
    {"sla_policies", false},
    {"community_groups", true},
    {"community_members", false},
    {"reporters", true},
    {"contacts", true},
    {"cases", true},
    {"case_rules", false},
    {"case_events", true},
    {"attachments", true},
    {"messages", true},
    {"inbound", true},
    {"inbound_seen", false},
    {"conversations", false},
    {"outbox", true},
    {"bot_texts", false},
    {"duty_shifts", true},
    {"survey_cases", false},
    {"survey_responses", true},
    {"service_documents", true},
    {"service_requests", false},
    {"service_checks", false},
    {"canned_replies", true},
    {"audit_log", true},
    {"audit_policy", false},
    {"user_totp", false},
    {"user_recovery_codes", false},
    {"open311_keys", true},
    {"channel_endpoints", true},
    {"case_watchers", true},
    {"webhook_subscriptions", true},
    {"webhook_deliveries", true},
    /* issue 18 operators (0034) */
    {"case_reads", false},
    {"live_events", true},
    {"case_presence", false},
    /* issue 18 (pwa): idempotency keys of the field app */
    {"idempotency_keys", false},
    /* issue 18 (public): who follows a case by email (0039) */
    {"email_follows", true},
    /* issue 18 (ops2, 0033): saved inbox filters */
    {"saved_filters", true},
};
#define NTABLES (sizeof tables / sizeof tables[0])

/* Tables a migration fills with reference rows (the year's holidays,
 * 0007): the destination has them before the copy, the source has them
 * too (perhaps edited), so they are emptied in the copy's transaction
 * instead of making the destination count as "not empty". */
static const char *const seeded[] = {"holidays"};

/* Tables of one row a migration creates that cannot be deleted (0019's
 * audit_policy): neither checked for emptiness nor copied; the retention
 * job sets the destination's from its configuration. */
static const char *const kept[] = {"audit_policy"};

static bool is_kept(const char *table)
{
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (strcmp(kept[i], table) == 0)
            return true;
    return false;
}

static bool is_seeded(const char *table)
{
    for (size_t i = 0; i < sizeof seeded / sizeof seeded[0]; i++)
        if (strcmp(seeded[i], table) == 0)
            return true;
    return false;
}

/* Rows are sent to COPY in chunks of about this many bytes. */
#define COPY_CHUNK (64 * 1024)
/* Columns of the widest table, and bytes of a table's SELECT and COPY. */
#define COLS_MAX 64
#define SQL_MAX  4096

/* One table on its way: the source's rows as typeof(c), c pairs, and the
 * chunk of COPY text they become. */
typedef struct {
    q_stmt *st;
    int ncol;
    const char *table;
    int64_t *done, total;
    store_progress_fn progress;
    void *ctx;
    char *buf;
    size_t len, cap;
    arena_t *ar; /* the text values of one chunk */
} feed;

static int put(feed *f, const char *s, size_t n)
{
    if (f->len + n > f->cap) {
        size_t cap = f->cap ? f->cap * 2 : COPY_CHUNK * 2;
        while (cap < f->len + n)
            cap *= 2;
        char *b = realloc(f->buf, cap);
        if (!b)
            return -1;
        f->buf = b;
        f->cap = cap;
    }
    memcpy(f->buf + f->len, s, n);
    f->len += n;
    return 0;
}

/* Column 2i+1 in COPY's text format, by its SQLite type (column 2i). */
static int put_value(feed *f, int i)
{
    char num[40];
    const char *type = q_col_text(f->st, f->ar, 2 * i), *t;
    if (!type || strcmp(type, "null") == 0)
        return put(f, "\\N", 2);
    if (strcmp(type, "integer") == 0)
        snprintf(num, sizeof num, "%lld", (long long)q_col_int(f->st, 2 * i + 1));
    else if (strcmp(type, "real") == 0)
        snprintf(num, sizeof num, "%.17g", q_col_real(f->st, 2 * i + 1));
    else if (strcmp(type, "text") == 0 && (t = q_col_text(f->st, f->ar, 2 * i + 1)))
        for (; *t; t++) {
            const char *esc = *t == '\\'   ? "\\\\"
                              : *t == '\t' ? "\\t"
                              : *t == '\n' ? "\\n"
                              : *t == '\r' ? "\\r"
                                           : NULL;
            if (esc ? put(f, esc, 2) : put(f, t, 1))
                return -1;
        }
    else
        return -1; /* no BLOBs in the schema */
    return type[0] == 't' ? 0 : put(f, num, strlen(num));
}

/* The driver's q_copy_fill: the next rows of the source, up to a chunk. */
static err_t fill(void *arg, const char **buf, size_t *n)
{
    feed *f = arg;
    err_t e = ERR_OK;
    f->len = 0;
    arena_destroy(f->ar);
    if (!(f->ar = arena_new()))
        return ERR_NOMEM;
    while (f->len < COPY_CHUNK && (e = q_step(f->st)) == ERR_OK) {
        for (int i = 0; i < f->ncol && e == ERR_OK; i++)
            if ((i && put(f, "\t", 1)) || put_value(f, i))
                e = ERR_NOMEM;
        if (e == ERR_OK && put(f, "\n", 1))
            e = ERR_NOMEM;
        (*f->done)++;
        if (f->progress && (*f->done % 1000 == 0 || *f->done == f->total))
            f->progress(f->ctx, f->table, *f->done, f->total);
    }
    *buf = f->buf;
    *n = f->len;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

/* COUNT(*) of a table (a name from our own list), -1 on failure. */
static int64_t count(q_conn *c, const char *table)
{
    char sql[128];
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    q_stmt *st = q_prep_dyn(c, sql);
    if (q_step(st) == ERR_OK)
        n = q_col_int(st, 0);
    q_done(st);
    return n;
}

/* Runs a statement built here (a table name from our own list). */
static err_t run_dyn(q_conn *c, const char *sql) { return q_exec(q_prep_dyn(c, sql)); }

/* Refuses a source with a table this code does not know. */
static err_t check_tables(store_t *src, arena_t *ar, char *report, size_t cap)
{
    static const char sql[] =
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'cases_fts%' AND name <> 'schema_migrations'";
    const char **v = NULL;
    size_t n = 0;
    err_t e = q_list(src, ar, sql, Q_COL_TEXT, &v, &n);
    for (size_t k = 0; e == ERR_OK && k < n; k++) {
        bool known = false;
        for (size_t i = 0; i < NTABLES; i++)
            known |= strcmp(tables[i].name, v[k]) == 0;
        if (!known) {
            snprintf(report, cap, "table %s is not known to this version's copier", v[k]);
            e = ERR_INVALID;
        }
    }
    return e;
}

/* The SELECT of a table's rows and the COPY of its columns, from the
 * source's own columns (the same order on both: one schema). */
static err_t statements(q_conn *sc, arena_t *ar, const char *table, char *sel, char *copy,
                        int *ncol)
{
    static const char cols[] = "SELECT name FROM pragma_table_info($1) ORDER BY cid";
    const char **v = NULL;
    size_t n = 0, o = 7, p;
    err_t e = q_rows(sc, ar, cols, Q_COL_TEXT, &v, &n, Q_TEXT(table));
    if (e != ERR_OK || n == 0 || n > COLS_MAX)
        return e != ERR_OK ? e : ERR_DB;
    memcpy(sel, "SELECT ", 8);
    p = (size_t)snprintf(copy, SQL_MAX, "COPY %s (", table);
    for (size_t i = 0; i < n && o < SQL_MAX && p < SQL_MAX; i++) {
        o += (size_t)snprintf(sel + o, SQL_MAX - o, "%stypeof(%s), %s", i ? ", " : "", v[i], v[i]);
        p += (size_t)snprintf(copy + p, SQL_MAX - p, "%s%s", i ? ", " : "", v[i]);
    }
    if (o < SQL_MAX)
        o += (size_t)snprintf(sel + o, SQL_MAX - o, " FROM %s ORDER BY rowid", table);
    if (p < SQL_MAX)
        p += (size_t)snprintf(copy + p, SQL_MAX - p, ") FROM STDIN");
    *ncol = (int)n;
    return o < SQL_MAX && p < SQL_MAX ? ERR_OK : ERR_DB;
}

/* Streams one table from SQLite into PostgreSQL with COPY. */
static err_t copy_table(q_conn *sc, q_conn *dc, feed *f)
{
    char sel[SQL_MAX], copy[SQL_MAX];
    arena_t *ar = arena_new();
    err_t e = ar ? statements(sc, ar, f->table, sel, copy, &f->ncol) : ERR_NOMEM;
    if (e == ERR_OK && !(f->st = q_prep_dyn(sc, sel)))
        e = ERR_DB;
    if (e == ERR_OK)
        e = dc->drv->copy_in(dc, copy, fill, f);
    if (e != ERR_OK)
        log_error("store", "event=copy_failed table=%s", f->table);
    q_done(f->st);
    arena_destroy(ar);
    return e;
}

typedef struct {
    store_t *src;
    int64_t counts[NTABLES], total;
    store_progress_fn progress;
    void *ctx;
    char *report;
    size_t cap;
} copy_ctx;

/* The whole copy in the destination's transaction: a failure anywhere
 * (or a count that differs: ERR_INTERNAL) leaves it empty. */
static err_t copy_tx(q_conn *dc, void *arg)
{
    copy_ctx *x = arg;
    q_conn *sc = NULL;
    int64_t done = 0;
    char sql[256];
    feed f = {.done = &done, .total = x->total, .progress = x->progress, .ctx = x->ctx};
    err_t e = q_get(x->src, &sc);
    if (e == ERR_OK)
        e = q_run(dc, "SET CONSTRAINTS ALL DEFERRED", NULL);
    for (size_t i = 0; e == ERR_OK && i < sizeof seeded / sizeof seeded[0]; i++) {
        snprintf(sql, sizeof sql, "DELETE FROM %s", seeded[i]);
        e = run_dyn(dc, sql);
    }
    for (size_t i = 0; e == ERR_OK && i < NTABLES; i++) {
        f.table = tables[i].name;
        if (!is_kept(f.table))
            e = copy_table(sc, dc, &f);
    }
    for (size_t i = 0; e == ERR_OK && i < NTABLES; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('%s', 'id'), GREATEST(MAX(id), 1)) FROM %s",
                 tables[i].name, tables[i].name);
        if (tables[i].has_id)
            e = run_dyn(dc, sql);
    }
    /* Verify inside the transaction: commit only when every table has the
     * same number of rows on both sides. */
    size_t off = 0;
    bool same = e == ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < NTABLES; i++) {
        int64_t got = count(dc, tables[i].name);
        same &= got == x->counts[i];
        /* Every table is checked; the report only as far as it fits. */
        if (off < x->cap)
            off += (size_t)snprintf(x->report + off, x->cap - off, "%-15s %10lld %10lld %s\n",
                                    tables[i].name, (long long)x->counts[i], (long long)got,
                                    got == x->counts[i] ? "ok" : "MISMATCH");
    }
    free(f.buf);
    arena_destroy(f.ar);
    q_put(sc);
    return e == ERR_OK && !same ? ERR_INTERNAL : e;
}

/* Counts the source's rows and refuses a destination that has some. */
static err_t survey(copy_ctx *x, store_t *dst, char *report, size_t cap)
{
    q_conn *sc = NULL, *dc = NULL;
    err_t e = q_get(x->src, &sc);
    if (e == ERR_OK)
        e = q_get(dst, &dc);
    for (size_t i = 0; e == ERR_OK && i < NTABLES; i++) {
        if ((x->counts[i] = count(sc, tables[i].name)) < 0) {
            snprintf(report, cap, "cannot count %s in the source", tables[i].name);
            e = ERR_DB;
        } else if (!is_seeded(tables[i].name) && !is_kept(tables[i].name) &&
                   count(dc, tables[i].name) != 0) {
            snprintf(report, cap, "the destination is not empty (table %s has rows)",
                     tables[i].name);
            e = ERR_CONFLICT;
        }
        x->total += e == ERR_OK && !is_kept(tables[i].name) ? x->counts[i] : 0;
    }
    q_put(sc);
    q_put(dc);
    return e;
}

err_t store_copy_sqlite_to_pg(const char *sqlite_path, const char *pg_url,
                              store_progress_fn progress, void *ctx, char *report, size_t cap)
{
    char url[4096];
    store_t *dst = NULL;
    arena_t *ar = arena_new();
    copy_ctx x = {.progress = progress, .ctx = ctx, .report = report, .cap = cap};
    err_t e = ar ? ERR_OK : ERR_NOMEM;
    report[0] = '\0';
    snprintf(url, sizeof url, "sqlite:%s", sqlite_path);
    if (e == ERR_OK && access(sqlite_path, R_OK) != 0) {
        snprintf(report, cap, "cannot open %s", sqlite_path);
        e = ERR_IO;
    } else if (e == ERR_OK && (e = store_open(url, 1, &x.src)) != ERR_OK) {
        snprintf(report, cap, "cannot open %s", sqlite_path);
    } else if (e == ERR_OK && (e = store_open(pg_url, 1, &dst)) != ERR_OK) {
        snprintf(report, cap, "cannot connect to PostgreSQL (the log says why)");
    }
    if (e == ERR_OK)
        e = check_tables(x.src, ar, report, cap);
    if (e == ERR_OK)
        e = survey(&x, dst, report, cap);
    if (e == ERR_OK && (e = q_tx(dst, copy_tx, &x)) != ERR_OK && e != ERR_INTERNAL)
        report[0] = '\0';
    if (e != ERR_OK && e != ERR_INTERNAL && !report[0])
        snprintf(report, cap, "copying failed; the destination was left empty");
    store_close(x.src);
    store_close(dst);
    arena_destroy(ar);
    return e;
}

/* store_copy_sqlite_to_pg: moves a SQLite deployment into PostgreSQL, row
 * for row with its ids, in one PostgreSQL transaction, then compares the
 * row counts table by table. */
#include "store/store_ops.h"

#include "core/log.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    {"cases", true},
    {"case_events", true},
    {"attachments", true},
    {"messages", true},
    {"wa_inbox", true},
    {"wa_seen", false},
    {"wa_conversations", false},
    {"wa_outbox", true},
    {"wa_texts", false},
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

typedef struct {
    char *buf;
    size_t len, cap;
} chunk;

static int put(chunk *c, const char *s, size_t n)
{
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : COPY_CHUNK * 2;
        while (cap < c->len + n)
            cap *= 2;
        char *b = realloc(c->buf, cap);
        if (!b)
            return -1;
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
    return 0;
}

/* One value in COPY's text format. */
static int put_value(chunk *c, sqlite3_stmt *st, int i)
{
    char num[40];
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        return put(c, "\\N", 2);
    case SQLITE_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, i));
        return put(c, num, strlen(num));
    case SQLITE_FLOAT:
        snprintf(num, sizeof num, "%.17g", sqlite3_column_double(st, i));
        return put(c, num, strlen(num));
    case SQLITE_TEXT: {
        const char *t = (const char *)sqlite3_column_text(st, i);
        int n = sqlite3_column_bytes(st, i);
        for (int k = 0; k < n; k++) {
            const char *esc = NULL;
            switch (t[k]) {
            case '\\':
                esc = "\\\\";
                break;
            case '\t':
                esc = "\\t";
                break;
            case '\n':
                esc = "\\n";
                break;
            case '\r':
                esc = "\\r";
                break;
            }
            if (esc ? put(c, esc, 2) : put(c, &t[k], 1))
                return -1;
        }
        return 0;
    }
    default:
        return -1; /* no BLOBs in the schema */
    }
}

static err_t pg_exec(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    err_t e = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? ERR_OK : ERR_DB;
    if (e != ERR_OK)
        log_error("store", "event=copy_failed sql=\"%.60s\" msg=\"%s\"", sql,
                  PQresultErrorMessage(r));
    PQclear(r);
    return e;
}

static int64_t count_sqlite(sqlite3 *db, const char *table)
{
    char sql[128];
    sqlite3_stmt *st;
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int64_t count_pg(PGconn *pg, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    PGresult *r = PQexec(pg, sql);
    int64_t n = PQresultStatus(r) == PGRES_TUPLES_OK ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    PQclear(r);
    return n;
}

/* Refuses a source with a table this code does not know. */
static err_t check_tables(sqlite3 *db, char *report, size_t cap)
{
    sqlite3_stmt *st;
    err_t e = ERR_OK;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                           "'sqlite_%' AND name NOT LIKE 'cases_fts%' AND name <> "
                           "'schema_migrations'",
                           -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    while (e == ERR_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        bool known = false;
        for (size_t i = 0; i < NTABLES; i++)
            known |= strcmp(tables[i].name, name) == 0;
        if (!known) {
            snprintf(report, cap, "table %s is not known to this version's copier", name);
            e = ERR_INVALID;
        }
    }
    sqlite3_finalize(st);
    return e;
}

/* Streams one table from SQLite into PostgreSQL with COPY. */
static err_t copy_table(sqlite3 *db, PGconn *pg, const char *table, int64_t *done, int64_t total,
                        store_progress_fn progress, void *ctx)
{
    char sql[2048];
    sqlite3_stmt *st = NULL;
    chunk c = {0};
    err_t e = ERR_OK;
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY rowid", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    /* Column names come from our own schema, in the same order on both. */
    int ncol = sqlite3_column_count(st);
    size_t off = (size_t)snprintf(sql, sizeof sql, "COPY %s (", table);
    for (int i = 0; i < ncol && off < sizeof sql; i++)
        off += (size_t)snprintf(sql + off, sizeof sql - off, "%s%s", i ? ", " : "",
                                sqlite3_column_name(st, i));
    if (off + 16 >= sizeof sql) {
        sqlite3_finalize(st);
        return ERR_DB;
    }
    snprintf(sql + off, sizeof sql - off, ") FROM STDIN");
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        log_error("store", "event=copy_start_failed table=%s msg=\"%s\"", table,
                  PQresultErrorMessage(r));
        PQclear(r);
        sqlite3_finalize(st);
        return ERR_DB;
    }
    PQclear(r);
    int rc;
    while (e == ERR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncol && e == ERR_OK; i++)
            if ((i && put(&c, "\t", 1)) || put_value(&c, st, i))
                e = ERR_NOMEM;
        if (e == ERR_OK && put(&c, "\n", 1))
            e = ERR_NOMEM;
        if (e == ERR_OK && c.len >= COPY_CHUNK) {
            if (PQputCopyData(pg, c.buf, (int)c.len) != 1)
                e = ERR_DB;
            c.len = 0;
        }
        (*done)++;
        if (progress && (*done % 1000 == 0 || *done == total))
            progress(ctx, table, *done, total);
    }
    if (e == ERR_OK && c.len && PQputCopyData(pg, c.buf, (int)c.len) != 1)
        e = ERR_DB;
    PQputCopyEnd(pg, e == ERR_OK ? NULL : "aborted");
    while ((r = PQgetResult(pg))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && e == ERR_OK) {
            log_error("store", "event=copy_failed table=%s msg=\"%s\"", table,
                      PQresultErrorMessage(r));
            e = ERR_DB;
        }
        PQclear(r);
    }
    free(c.buf);
    sqlite3_finalize(st);
    return e;
}

err_t store_copy_sqlite_to_pg(const char *sqlite_path, const char *pg_url,
                              store_progress_fn progress, void *ctx, char *report, size_t cap)
{
    sqlite3 *db = NULL;
    PGconn *pg = NULL;
    int64_t counts[NTABLES], total = 0, done = 0;
    err_t e = ERR_OK;
    report[0] = '\0';
    if (sqlite3_open_v2(sqlite_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(report, cap, "cannot open %s", sqlite_path);
        e = ERR_IO;
        goto out;
    }
    pg = PQconnectdb(pg_url);
    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(report, cap, "cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
        e = ERR_UNAVAILABLE;
        goto out;
    }
    if ((e = check_tables(db, report, cap)) != ERR_OK)
        goto out;
    for (size_t i = 0; i < NTABLES; i++) {
        if ((counts[i] = count_sqlite(db, tables[i].name)) < 0) {
            snprintf(report, cap, "cannot count %s in the source", tables[i].name);
            e = ERR_DB;
            goto out;
        }
        if (!is_kept(tables[i].name))
            total += counts[i];
        if (!is_seeded(tables[i].name) && !is_kept(tables[i].name) &&
            count_pg(pg, tables[i].name) != 0) {
            snprintf(report, cap, "the destination is not empty (table %s has rows)",
                     tables[i].name);
            e = ERR_CONFLICT;
            goto out;
        }
    }
    /* One transaction: a failure anywhere leaves the destination empty. */
    e = pg_exec(pg, "BEGIN");
    if (e == ERR_OK)
        e = pg_exec(pg, "SET CONSTRAINTS ALL DEFERRED");
    for (size_t i = 0; e == ERR_OK && i < sizeof seeded / sizeof seeded[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM %s", seeded[i]);
        e = pg_exec(pg, sql);
    }
    for (size_t i = 0; e == ERR_OK && i < NTABLES; i++)
        if (!is_kept(tables[i].name))
            e = copy_table(db, pg, tables[i].name, &done, total, progress, ctx);
    for (size_t i = 0; e == ERR_OK && i < NTABLES; i++) {
        if (!tables[i].has_id)
            continue;
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('%s', 'id'), GREATEST(MAX(id), 1)) FROM %s",
                 tables[i].name, tables[i].name);
        e = pg_exec(pg, sql);
    }
    /* Verify inside the transaction: commit only when every table has the
     * same number of rows on both sides. */
    size_t off = 0;
    bool same = e == ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < NTABLES && off < cap; i++) {
        int64_t got = count_pg(pg, tables[i].name);
        same &= got == counts[i];
        off += (size_t)snprintf(report + off, cap - off, "%-15s %10lld %10lld %s\n", tables[i].name,
                                (long long)counts[i], (long long)got,
                                got == counts[i] ? "ok" : "MISMATCH");
    }
    if (e == ERR_OK && !same)
        e = ERR_INTERNAL;
    if (e == ERR_OK)
        e = pg_exec(pg, "COMMIT");
    else
        (void)pg_exec(pg, "ROLLBACK");
    if (e != ERR_OK && e != ERR_INTERNAL)
        snprintf(report, cap, "copying failed; the destination was left empty");
out:
    sqlite3_close(db);
    PQfinish(pg);
    return e;
}

/* The fixture of the unit tests that need a database: each test gets a
 * fresh one, migrated and seeded with the demo at NOW (define NOW, and
 * FIXTURE_NAME for the temporary names, before including this). */
#ifndef ADUAN_STORE_FIXTURE_H
#define ADUAN_STORE_FIXTURE_H

#include "core/embed.h"
#include "domain/seed.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FIXTURE_NAME
#define FIXTURE_NAME "unit"
#endif

/* Every test runs on SQLite, then again on PostgreSQL when the test
 * runner gives a server (ADUAN_TEST_PG, the URL of its "postgres"
 * database): each test gets a database of its own. */
static const char *pg_admin_url;
static int use_pg;

typedef struct {
    char dir[64];
    char url[512];
    char dbname[64];
    store_t *s;
    arena_t *ar;
} fixture;

/* Runs one SQL command on the PostgreSQL server's admin database. */
static int pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(pg_admin_url);
    int ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "pg_admin: %s", PQerrorMessage(c));
        PQclear(r);
    }
    PQfinish(c);
    return ok ? 0 : -1;
}

/* The URL of database name on the same server: "/postgres?" -> "/name?". */
static int pg_url(char *out, size_t cap, const char *name)
{
    const char *at = strstr(pg_admin_url, "/postgres?");
    if (!at)
        return -1;
    snprintf(out, cap, "%.*s/%s%s", (int)(at - pg_admin_url), pg_admin_url, name, at + 9);
    return 0;
}

/* A fresh database in *state: migrated up to (not including) the
 * migration numbered before ("0014"), or fully and seeded with the demo
 * when before is NULL. */
static int fixture_open(void **state, const char *before)
{
    static int counter;
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    if (use_pg) {
        char sql[128];
        snprintf(f->dbname, sizeof f->dbname, "aduan_" FIXTURE_NAME "_%d_%d", (int)getpid(),
                 ++counter);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", f->dbname);
        if (pg_admin(sql) != 0 || pg_url(f->url, sizeof f->url, f->dbname) != 0)
            return -1;
    } else {
        snprintf(f->dir, sizeof f->dir, "/tmp/aduan-" FIXTURE_NAME "-XXXXXX");
        if (!mkdtemp(f->dir))
            return -1;
        snprintf(f->url, sizeof f->url, "sqlite:%s/t.db", f->dir);
    }
    if (store_open(f->url, 3, &f->s) != ERR_OK)
        return -1;
    if (before) {
        embed_file old[64];
        size_t n = 0;
        for (size_t i = 0; i < embed_migrations_count && n < 64; i++)
            if (strncmp(embed_migrations[i].name, before, 4) < 0)
                old[n++] = embed_migrations[i];
        if (store_migrate_files(f->s, old, n, NULL) != ERR_OK)
            return -1;
    } else if (store_migrate(f->s, NULL) != ERR_OK || seed_demo(f->s, NOW) != ERR_OK) {
        return -1;
    }
    f->ar = arena_new();
    *state = f;
    return 0;
}

static int setup(void **state) { return fixture_open(state, NULL); }

/* Runs sql (several statements) on f's database outside the store, as an
 * older aduan would have: 0 on success. */
static inline int fixture_sql(const fixture *f, const char *sql)
{
    if (use_pg) {
        PGconn *c = PQconnectdb(f->url);
        int ok = PQstatus(c) == CONNECTION_OK;
        if (ok) {
            PGresult *r = PQexec(c, sql);
            ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
            if (!ok)
                fprintf(stderr, "fixture_sql: %s", PQerrorMessage(c));
            PQclear(r);
        }
        PQfinish(c);
        return ok ? 0 : -1;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open(f->url + strlen("sqlite:"), &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char path[160];
    store_close(f->s);
    arena_destroy(f->ar);
    if (use_pg) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE %s", f->dbname);
        int rc = pg_admin(sql);
        free(f);
        return rc;
    }
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/t.db%s", f->dir, suffix[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

#endif

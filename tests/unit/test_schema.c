/* The schema that migrations 0001..0023 create, on SQLite and (with
 * ADUAN_TEST_PG) PostgreSQL, against the dump committed in
 * tests/fixtures/schema/. A migration once released must create the same
 * thing for ever: turning a pair of engine files into one shared file with
 * dialect tokens (issue 14) must leave every table, column, type, default,
 * constraint, index, trigger, function and privilege as it was. Newer
 * migrations do not touch this test.
 *
 * SQLite: sqlite_master's text (what was written, byte for byte, comments
 * included). PostgreSQL: the catalog (columns with their types, defaults,
 * identity and generation; constraints; indexes; triggers and whether they
 * are enabled; functions; privileges, the owner written "<owner>"). The
 * PostgreSQL dump is compared only on the major version it was made with
 * (its first line), since the server prints definitions its own way.
 *
 * ADUAN_SCHEMA_WRITE=1 writes the dumps instead (only to record a new
 * engine version: never to make a changed migration pass). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/secret.h"

#define NOW          1795305600 /* 2026-11-22T08:00:00+08:00 */
#define FIXTURE_NAME "schema"
#include "store_fixture.h"

#define DUMP_DIR "tests/fixtures/schema/"
/* The migrations the dumps cover: every file numbered below DUMP_BEFORE,
 * up to DUMP_NAME (the dumps' names). */
#define DUMP_BEFORE "0024"
#define DUMP_NAME   "0023"
/* A dump is a few hundred lines of DDL. */
#define DUMP_MAX (1024 * 1024)

typedef struct {
    char *p;
    size_t len;
} text_t;

static void add(text_t *t, const char *s)
{
    size_t n = strlen(s);
    assert_true(t->len + n + 2 < DUMP_MAX);
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len++] = '\n';
    t->p[t->len] = '\0';
}

static const char SQLITE_DUMP[] = "SELECT type || ' ' || name || ' ON ' || tbl_name || char(10)"
                                  " || sql || ';' FROM sqlite_master WHERE sql IS NOT NULL"
                                  " ORDER BY type, name";

/* One line (or definition) a row, each query ordered on its own. */
static const char *const PG_DUMP[] = {
    "SELECT 'extension ' || extname FROM pg_extension ORDER BY extname",
    "SELECT 'relation ' || relname || ' ' || relkind::text FROM pg_class"
    " WHERE relnamespace = 'public'::regnamespace ORDER BY relname",
    "SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid,"
    " a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
    " || CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END"
    " || COALESCE(CASE WHEN a.attgenerated <> '' THEN ' GENERATED ' ELSE ' DEFAULT ' END"
    " || pg_get_expr(d.adbin, d.adrelid), '') || COALESCE(' COLLATE ' || co.collname, '')"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " LEFT JOIN pg_collation co ON co.oid = a.attcollation AND co.collname <> 'default'"
    " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0"
    " AND NOT a.attisdropped ORDER BY c.relname, a.attnum",
    "SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' '"
    " || pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE connamespace = 'public'::regnamespace ORDER BY conrelid::regclass::text, conname",
    "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'"
    " ORDER BY indexname",
    "SELECT 'trigger ' || t.tgenabled::text || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t"
    " JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'public'::regnamespace"
    " AND NOT t.tgisinternal ORDER BY t.tgname",
    "SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p"
    " WHERE p.pronamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend d"
    " WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')"
    " ORDER BY p.proname",
    "SELECT 'acl ' || relname || ' ' || replace(array_to_string(relacl, ' '), current_user,"
    " '<owner>') FROM pg_class WHERE relnamespace = 'public'::regnamespace"
    " AND relacl IS NOT NULL ORDER BY relname",
};

static void dump_sqlite(const fixture *f, text_t *t)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(f->url + strlen("sqlite:"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, SQLITE_DUMP, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        add(t, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The dump's first line is the server's major version. */
static void dump_pg(const fixture *f, text_t *t)
{
    char line[64];
    PGconn *c = PQconnectdb(f->url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    snprintf(line, sizeof line, "-- PostgreSQL %d", PQserverVersion(c) / 10000);
    add(t, line);
    for (size_t q = 0; q < sizeof PG_DUMP / sizeof PG_DUMP[0]; q++) {
        PGresult *r = PQexec(c, PG_DUMP[q]);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            add(t, PQerrorMessage(c)); /* shows in the difference */
        for (int i = 0; i < PQntuples(r); i++)
            add(t, PQgetvalue(r, i, 0));
        PQclear(r);
    }
    PQfinish(c);
}

/* The committed dump into t; false when there is none. */
static bool read_dump(const char *path, text_t *t)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    t->len = fread(t->p, 1, DUMP_MAX - 1, fp);
    t->p[t->len] = '\0';
    fclose(fp);
    return true;
}

/* The first line where got and want part, for the failure message. */
static void report_difference(const char *path, const char *got, const char *want)
{
    int line = 1;
    size_t at = 0, start = 0;
    while (got[at] && got[at] == want[at]) {
        if (got[at++] == '\n') {
            line++;
            start = at;
        }
    }
    const char *g = got + start, *w = want + start;
    fail_msg("the schema differs from %s at line %d:\n  got:  %.*s\n  want: %.*s", path, line,
             (int)strcspn(g, "\n"), g, (int)strcspn(w, "\n"), w);
}

static void schema_as_released(void **state)
{
    fixture *f = *state;
    char path[128];
    text_t got = {calloc(1, DUMP_MAX), 0}, want = {calloc(1, DUMP_MAX), 0};
    assert_non_null(got.p);
    assert_non_null(want.p);
    snprintf(path, sizeof path, DUMP_DIR "%s.%s.txt", DUMP_NAME, use_pg ? "pg" : "sqlite");
    if (use_pg)
        dump_pg(f, &got);
    else
        dump_sqlite(f, &got);
    const char *write = getenv("ADUAN_SCHEMA_WRITE");
    if (write && strcmp(write, "1") == 0) {
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(got.p, 1, got.len, fp), got.len);
        assert_int_equal(fclose(fp), 0);
        fprintf(stderr, "schema: wrote %s\n", path);
    } else if (!read_dump(path, &want)) {
        fail_msg("no %s (run from the repository's root)", path);
    } else if (use_pg && strncmp(got.p, want.p, strcspn(want.p, "\n") + 1) != 0) {
        fprintf(stderr, "schema: %s is of another PostgreSQL version; not compared\n", path);
    } else if (strcmp(got.p, want.p) != 0) {
        report_difference(path, got.p, want.p);
    }
    free(got.p);
    free(want.p);
}

static int setup_released(void **state) { return fixture_open(state, DUMP_BEFORE); }

int main(void)
{
    (void)setup; /* the fixture's: this test wants the migrations alone */
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(schema_as_released, setup_released, teardown),
    };
    int failed = cmocka_run_group_tests_name("schema-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("schema-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "schema: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}

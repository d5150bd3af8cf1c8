/* Migration 0014 (issue #13) on a database that lived before it: old notes
 * stay where they were visible. A note staff wrote on a public step was on
 * the public page (and sent), and an operator's message was sent: both
 * become the message to the reporter. Every other note stays internal. The
 * history stays append-only afterwards. And a database migrated before the
 * shared migration files (NNNN_name.sql) has nothing to apply after them.
 * SQLite, then PostgreSQL when the test runner gives one (ADUAN_TEST_PG). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/embed.h"
#include "core/secret.h"

#define NOW          1795305600 /* 2026-11-22T08:00:00+08:00 */
#define FIXTURE_NAME "notes"
#include "store_fixture.h"

/* The rows of a deployment before 0014, as its code wrote them. */
static const char OLD_ROWS[] =
    "INSERT INTO agencies (id, code, name, kind, timezone, created_at)"
    " VALUES (1, 'satpolpp', 'Satpol PP', 'satpolpp', 'Asia/Makassar', 1);"
    "INSERT INTO users (id, login, name, password_hash, created_at)"
    " VALUES (2, 'kabid', 'Kepala Bidang', 'x', 1);"
    "INSERT INTO cases (id, agency_id, kind, channel, description, status, tracking_code,"
    " created_at, updated_at) VALUES (1, 1, 'complaint', 'whatsapp', 'PKL di trotoar',"
    " 'reopened', 'ABCDEFGH', 1, 1);"
    "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
    " is_public, created_at) VALUES"
    " (1, 1, 'create', NULL, 'received', 2, 'dicatat di loket', %s, 1),"
    " (1, 2, 'verify', 'received', 'verified', 2, 'Laporan jelas', %s, 2),"
    " (1, 3, 'dispatch', 'verified', 'dispatched', 2,"
    "  'Mohon tertibkan hari ini, koordinasi dengan pengelola pasar', %s, 3),"
    " (1, 4, 'attachment', 'dispatched', 'dispatched', 2, 'foto lokasi', %s, 4),"
    " (1, 5, 'message', 'dispatched', 'dispatched', 2, 'Mohon kirim foto', %s, 5),"
    " (1, 6, 'dispatch', 'dispatched', 'dispatched', NULL, 'TRC Pos Paringin, 253 m', %s, 6),"
    " (1, 7, 'start', 'dispatched', 'in_progress', 2, NULL, %s, 7),"
    " (1, 8, 'resolve', 'in_progress', 'resolved', 2, 'Lapak dipindahkan', %s, 8),"
    " (1, 9, 'reopen', 'resolved', 'reopened', NULL, 'masih ada, pak Budi 0812...', %s, 9);";

/* Whether each event above was public: its is_public, per engine. */
static const int PUBLIC[] = {1, 1, 1, 0, 0, 1, 1, 1, 1};

/* A database of its own, migrated up to (not including) 0014. */
static int setup_old(void **state) { return fixture_open(state, "0014"); }

static void old_notes_stay_where_they_were_seen(void **state)
{
    fixture *f = *state;
    int version = 0;
    assert_int_equal(store_schema_version(f->s, &version), ERR_OK);
    assert_int_equal(version, 13);
    const char *b[9];
    for (int i = 0; i < 9; i++)
        b[i] = use_pg ? (PUBLIC[i] ? "TRUE" : "FALSE") : (PUBLIC[i] ? "1" : "0");
    char sql[sizeof OLD_ROWS + 64];
    snprintf(sql, sizeof sql, OLD_ROWS, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]);
    assert_int_equal(fixture_sql(f, sql), 0);

    assert_int_equal(store_migrate(f->s, NULL), ERR_OK);
    assert_int_equal(store_schema_version(f->s, &version), ERR_OK);
    assert_true(version >= 14);
    store_event *ev;
    size_t n = 0;
    assert_int_equal(store_case_events(f->s, f->ar, 1, &ev, &n), ERR_OK);
    assert_int_equal(n, 9);
    /* {internal note, message to the reporter} after the migration. */
    const char *want[9][2] = {
        {"dicatat di loket", NULL}, /* the first event's note was never shown */
        {NULL, "Laporan jelas"},    /* staff, public step: it was on /t/ */
        {NULL, "Mohon tertibkan hari ini, koordinasi dengan pengelola pasar"},
        {"foto lokasi", NULL},                 /* an internal step */
        {NULL, "Mohon kirim foto"},            /* an operator's message: it was sent */
        {"TRC Pos Paringin, 253 m", NULL},     /* the system's: never on /t/ */
        {NULL, NULL},                          /* no note at all */
        {NULL, "Lapak dipindahkan"},           /* the result */
        {"masih ada, pak Budi 0812...", NULL}, /* the reporter's own words */
    };
    for (size_t i = 0; i < n; i++) {
        if (want[i][0])
            assert_string_equal(ev[i].note, want[i][0]);
        else
            assert_null(ev[i].note);
        if (want[i][1])
            assert_string_equal(ev[i].public_note, want[i][1]);
        else
            assert_null(ev[i].public_note);
        assert_int_equal(ev[i].is_public, PUBLIC[i]);
    }
    /* The guard is back: the history cannot be rewritten. */
    assert_int_not_equal(fixture_sql(f, "UPDATE case_events SET note = 'x' WHERE seq = 1"), 0);
    assert_int_not_equal(fixture_sql(f, "DELETE FROM case_events WHERE seq = 1"), 0);
    /* A walk-in of before gave no consent: nothing goes to it. */
    store_case c;
    assert_int_equal(store_case_get(f->s, f->ar, 1, &c), ERR_OK);
    assert_int_equal(c.notify_consent_at, 0);
}

/* The migrations identical on both engines became shared files
 * (NNNN_name.sql) after they had run under their engine's names: a
 * database migrated with the old names has nothing to apply with the new
 * ones, as schema_migrations records the number. */
static void shared_files_after_engine_files(void **state)
{
    fixture *f = *state;
    embed_file old[64];
    char names[64][80];
    size_t n = 0, shared = 0;
    for (size_t i = 0; i < embed_migrations_count && n < 64; i++, n++) {
        old[n] = embed_migrations[i];
        const char *name = old[n].name;
        size_t len = strlen(name);
        if (strchr(name, '.') != name + len - 4)
            continue; /* an engine's file already */
        snprintf(names[n], sizeof names[n], "%.*s.%s.sql", (int)(len - 4), name,
                 use_pg ? "pg" : "sqlite");
        old[n].name = names[n];
        shared++;
    }
    assert_true(shared >= 4); /* 0005, 0006, 0013, 0016 */
    int before = 0, after = 0, applied = -1;
    assert_int_equal(store_migrate_files(f->s, old, n, &applied), ERR_OK);
    assert_true(applied > 0);
    assert_int_equal(store_schema_version(f->s, &before), ERR_OK);
    assert_int_equal(store_migrate(f->s, &applied), ERR_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(store_schema_version(f->s, &after), ERR_OK);
    assert_int_equal(after, before);
}

/* A database of its own, with nothing migrated. */
static int setup_empty(void **state) { return fixture_open(state, "0000"); }

int main(void)
{
    (void)setup; /* the fixture's: this test needs a database from before 0014 */
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(old_notes_stay_where_they_were_seen, setup_old, teardown),
        cmocka_unit_test_setup_teardown(shared_files_after_engine_files, setup_empty, teardown),
    };
    int failed = cmocka_run_group_tests_name("notes-migration-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("notes-migration-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "notes-migration: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}

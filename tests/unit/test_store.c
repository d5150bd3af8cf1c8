/* The store on a throwaway SQLite database: migrations, reference data,
 * users and sessions, cases, the compare-and-set transition, forwarding,
 * the append-only event log, and listing with filters and cursors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/secret.h"
#include "domain/cases.h"
#include "domain/seed.h"
#include "store/migrate_int.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1795305600 /* 2026-11-22T08:00:00+08:00 */

#define FIXTURE_NAME "store"
#include "store_fixture.h"

static void migrations_recorded_once(void **state)
{
    fixture *f = *state;
    int v = 0, applied = -1;
    assert_int_equal(store_schema_version(f->s, &v), ERR_OK);
    assert_true(v >= 1);
    assert_int_equal(store_migrate(f->s, &applied), ERR_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(store_ping(f->s), ERR_OK);
}

/* A migration file of this test's engine. */
static embed_file mig(char *buf, size_t cap, int version, const char *name, const char *sql)
{
    snprintf(buf, cap, "%04d_%s.%s.sql", version, name, use_pg ? "pg" : "sqlite");
    return (embed_file){buf, (const unsigned char *)sql, strlen(sql)};
}

/* Every migration not recorded yet runs, in number order, even one with a
 * lower number than the newest applied (a branch merged late). */
static void migrations_fill_gaps(void **state)
{
    fixture *f = *state;
    char n1[64], n2[64], n3[64], n4[64], n5[64], n6[64], n7[64];
    int v = 0, applied = -1;
    embed_file t1 = mig(n1, sizeof n1, 9001, "t1", "CREATE TABLE t9001 (x INTEGER)");
    embed_file t2 = mig(n2, sizeof n2, 9002, "t2",
                        "CREATE TABLE t9002 (x INTEGER); INSERT INTO t9001 VALUES (2);");
    /* Needs t9001: fails when run before 9001. */
    embed_file t3 = mig(n3, sizeof n3, 9003, "t3", "INSERT INTO t9001 VALUES (3)");
    /* Needs t9002: fails unless the gap was filled. */
    embed_file t4 = mig(n4, sizeof n4, 9004, "t4", "INSERT INTO t9002 VALUES (4)");

    embed_file first[] = {t3, t1}; /* listed out of order */
    assert_int_equal(store_migrate_files(f->s, first, 2, &applied), ERR_OK);
    assert_int_equal(applied, 2);
    assert_int_equal(store_schema_version(f->s, &v), ERR_OK);
    assert_int_equal(v, 9003);

    embed_file later[] = {t1, t2, t3, t4};
    assert_int_equal(store_migrate_files(f->s, later, 4, &applied), ERR_OK);
    assert_int_equal(applied, 2); /* 9002 (below the newest) and 9004 */
    assert_int_equal(store_schema_version(f->s, &v), ERR_OK);
    assert_int_equal(v, 9004);
    assert_int_equal(store_migrate_files(f->s, later, 4, &applied), ERR_OK);
    assert_int_equal(applied, 0);

    /* Two files with one number: refused before anything runs. */
    embed_file a5 = mig(n5, sizeof n5, 9005, "a", "CREATE TABLE t9005a (x INTEGER)");
    embed_file b5 = mig(n6, sizeof n6, 9005, "b", "CREATE TABLE t9005b (x INTEGER)");
    embed_file dup[] = {a5, b5};
    assert_int_equal(store_migrate_files(f->s, dup, 2, &applied), ERR_INVALID);
    assert_int_equal(applied, 0);
    assert_int_equal(store_schema_version(f->s, &v), ERR_OK);
    assert_int_equal(v, 9004);

    /* A failing migration is not recorded; the next run tries it again. */
    embed_file bad = mig(n7, sizeof n7, 9006, "bad", "CREATE TABLE t9001 (x INTEGER)");
    embed_file broken[] = {t1, bad};
    assert_int_not_equal(store_migrate_files(f->s, broken, 2, &applied), ERR_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(store_schema_version(f->s, &v), ERR_OK);
    assert_int_equal(v, 9004);
    embed_file good = mig(n7, sizeof n7, 9006, "good", "CREATE TABLE t9006 (x INTEGER)");
    embed_file fixed[] = {good};
    assert_int_equal(store_migrate_files(f->s, fixed, 1, &applied), ERR_OK);
    assert_int_equal(applied, 1);

    /* The other engine's files and non-migrations are left alone. */
    embed_file other[] = {
        {use_pg ? "9007_x.sqlite.sql" : "9007_x.pg.sql", (const unsigned char *)"nonsense", 8},
        {"README", (const unsigned char *)"nonsense", 8}};
    assert_int_equal(store_migrate_files(f->s, other, 2, &applied), ERR_OK);
    assert_int_equal(applied, 0);
    /* A shared file runs on either engine. */
    embed_file shared[] = {{"9008_s.sql", (const unsigned char *)"CREATE TABLE t9008 (x INTEGER)",
                            strlen("CREATE TABLE t9008 (x INTEGER)")}};
    assert_int_equal(store_migrate_files(f->s, shared, 1, &applied), ERR_OK);
    assert_int_equal(applied, 1);
    assert_int_equal(store_schema_version(f->s, &v), ERR_OK);
    assert_int_equal(v, 9008);
    /* The embedded ones are all recorded still. */
    assert_int_equal(store_migrate(f->s, &applied), ERR_OK);
    assert_int_equal(applied, 0);
}

typedef struct {
    const char *url;
    const embed_file *file;
    int applied;
    err_t e;
} racer;

static void *race_migrate(void *arg)
{
    racer *r = arg;
    store_t *s = NULL;
    r->e = store_open(r->url, 1, &s);
    if (r->e == ERR_OK)
        r->e = store_migrate_files(s, r->file, 1, &r->applied);
    store_close(s);
    return NULL;
}

/* Two instances starting at once apply a migration once: the two-dialect
 * lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: pg_advisory_xact_lock), then
 * the check of schema_migrations under it. */
static void migrations_race(void **state)
{
    fixture *f = *state;
    char name[64];
    for (int round = 0; round < 5; round++) {
        char sql[64];
        snprintf(sql, sizeof sql, "CREATE TABLE t%d (x INTEGER)", 9100 + round);
        embed_file m = mig(name, sizeof name, 9100 + round, "race", sql);
        racer r[2] = {{f->url, &m, -1, ERR_DB}, {f->url, &m, -1, ERR_DB}};
        pthread_t th[2];
        for (int i = 0; i < 2; i++)
            assert_int_equal(pthread_create(&th[i], NULL, race_migrate, &r[i]), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
        assert_int_equal(r[0].e, ERR_OK);
        assert_int_equal(r[1].e, ERR_OK);
        assert_int_equal(r[0].applied + r[1].applied, 1);
    }
}

/* The names of the files of plan[0..n), joined by spaces. */
static const char *plan_names(const store_mig *plan, size_t n, char *buf, size_t cap)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && off < cap; i++)
        off += (size_t)snprintf(buf + off, cap - off, "%s%s", i ? " " : "", plan[i].file->name);
    return buf;
}

/* Which files each engine runs: the shared ones and its own, by number. */
static void migration_plan(void **state)
{
    (void)state;
    embed_file files[] = {
        {"0003_c.pg.sql", NULL, 0},     {"0001_a.sql", NULL, 0},    {"README", NULL, 0},
        {"0003_c.sqlite.sql", NULL, 0}, {"0002_b.pg.sql", NULL, 0}, {"0004_d.sql", NULL, 0},
    };
    store_mig plan[8];
    size_t n = 99;
    char names[256];
    assert_int_equal(store_mig_plan(files, 6, "sqlite", plan, &n), ERR_OK);
    assert_string_equal(plan_names(plan, n, names, sizeof names),
                        "0001_a.sql 0003_c.sqlite.sql 0004_d.sql");
    assert_int_equal(plan[1].version, 3);
    assert_int_equal(store_mig_plan(files, 6, "pg", plan, &n), ERR_OK);
    assert_string_equal(plan_names(plan, n, names, sizeof names),
                        "0001_a.sql 0002_b.pg.sql 0003_c.pg.sql 0004_d.sql");

    /* A number with a shared file and an engine's is refused by both
     * engines, whichever engine the second file is for. */
    static const char *const bad[][2] = {
        {"0005_e.sql", "0005_e.pg.sql"},
        {"0005_e.sqlite.sql", "0005_f.sql"},
        {"0005_e.sql", "0005_f.sql"},
        {"0005_e.pg.sql", "0005_f.pg.sql"},
        {"0005_e.postgres.sql", "0006_f.sql"}, /* an unknown engine */
        {"x_e.sql", "0006_f.sql"},             /* no number */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        embed_file two[] = {{bad[i][0], NULL, 0}, {bad[i][1], NULL, 0}};
        assert_int_equal(store_mig_plan(two, 2, "sqlite", plan, &n), ERR_INVALID);
        assert_int_equal(store_mig_plan(two, 2, "pg", plan, &n), ERR_INVALID);
    }
    /* Three for one number: one per engine and a shared one. */
    embed_file three[] = {
        {"0007_g.pg.sql", NULL, 0}, {"0007_g.sqlite.sql", NULL, 0}, {"0007_h.sql", NULL, 0}};
    assert_int_equal(store_mig_plan(three, 3, "pg", plan, &n), ERR_INVALID);
    /* The embedded files make a valid plan on both engines, the same length
     * but for the numbers that only one engine has (0021, btree_gin). */
    store_mig *all = calloc(embed_migrations_count, sizeof *all);
    size_t nsq = 0, npg = 0, only_pg = 0, only_sqlite = 0;
    assert_non_null(all);
    for (size_t i = 0; i < embed_migrations_count; i++) {
        const char *name = embed_migrations[i].name;
        bool pg = strstr(name, ".pg.sql") != NULL, lite = strstr(name, ".sqlite.sql") != NULL;
        bool twin = false;
        for (size_t j = 0; j < embed_migrations_count && (pg || lite); j++)
            twin |= j != i && strncmp(embed_migrations[j].name, name, 4) == 0;
        only_pg += pg && !twin;
        only_sqlite += lite && !twin;
    }
    assert_int_equal(store_mig_plan(embed_migrations, embed_migrations_count, "sqlite", all, &nsq),
                     ERR_OK);
    assert_int_equal(store_mig_plan(embed_migrations, embed_migrations_count, "pg", all, &npg),
                     ERR_OK);
    assert_int_equal(nsq - only_sqlite, npg - only_pg);
    free(all);
}

static void reference_data(void **state)
{
    fixture *f = *state;
    store_agency *a;
    store_region *g;
    store_category *k;
    store_team *t;
    size_t n;
    assert_int_equal(store_agency_list(f->s, f->ar, &a, &n), ERR_OK);
    assert_int_equal(n, 3);
    assert_string_equal(a[0].code, "satpolpp");
    store_agency one;
    assert_int_equal(store_agency_find(f->s, f->ar, "damkar", &one), ERR_OK);
    assert_int_equal(one.id, 2);
    assert_int_equal(store_agency_find(f->s, f->ar, "3", &one), ERR_OK);
    assert_string_equal(one.kind, "disdukcapil");
    assert_int_equal(store_agency_find(f->s, f->ar, "nope", &one), ERR_NOT_FOUND);
    const char *nums;
    assert_int_equal(store_agency_numbers(f->s, f->ar, 1, &nums), ERR_OK);
    assert_string_equal(nums, "100000000000001");
    /* A phone-number id belongs to one agency only. */
    assert_int_equal(store_agency_number_add(f->s, 2, "100000000000001", NULL, NOW), ERR_CONFLICT);
    /* The two-dialect text (group_concat of an ordered subquery, string_agg
     * ORDER BY): the numbers in order, "" for none. */
    store_agency fresh = {
        .code = "dishub", .name = "Dishub", .kind = "other", .timezone = "Asia/Makassar"};
    int64_t aid = 0;
    assert_int_equal(store_agency_create(f->s, &fresh, NOW, &aid), ERR_OK);
    assert_int_equal(store_agency_numbers(f->s, f->ar, aid, &nums), ERR_OK);
    assert_string_equal(nums, "");
    assert_int_equal(store_agency_number_add(f->s, aid, "900000000000009", NULL, NOW), ERR_OK);
    assert_int_equal(store_agency_number_add(f->s, aid, "900000000000001", NULL, NOW), ERR_OK);
    assert_int_equal(store_agency_number_add(f->s, aid, "900000000000005", NULL, NOW), ERR_OK);
    assert_int_equal(store_agency_numbers(f->s, f->ar, aid, &nums), ERR_OK);
    assert_string_equal(nums, "900000000000001,900000000000005,900000000000009");
    assert_int_equal(store_region_list(f->s, f->ar, &g, &n), ERR_OK);
    assert_int_equal(n, 8);
    assert_string_equal(g[5].code, "63.11.06");
    assert_string_equal(g[5].name, "Paringin");
    assert_int_equal(store_region_exists(f->s, "63.11.04"), ERR_OK);
    assert_int_equal(store_region_exists(f->s, "63.11.99"), ERR_NOT_FOUND);
    assert_int_equal(store_category_list(f->s, f->ar, 3, &k, &n), ERR_OK);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(k[i].kind, "service");
    assert_int_equal(store_team_list(f->s, f->ar, 1, &t, &n), ERR_OK);
    assert_int_equal(n, 3);
    assert_true(t[0].has_base);
    store_category dup = {0, 1, "pkl", "x", "x", "complaint", 1, true};
    assert_int_equal(store_category_create(f->s, &dup, NULL), ERR_CONFLICT);
}

static void users_and_sessions(void **state)
{
    fixture *f = *state;
    store_user u;
    store_role *r;
    store_session ss;
    size_t n;
    int64_t id;
    assert_int_equal(store_user_create(f->s, "baru", "Petugas Baru", "h", NOW, &id), ERR_OK);
    assert_int_equal(store_user_create(f->s, "baru", "Lagi", "h", NOW, NULL), ERR_CONFLICT);
    assert_int_equal(store_user_set_role(f->s, id, 1, "admin"), ERR_OK);
    assert_int_equal(store_user_set_role(f->s, id, 1, "supervisor"), ERR_OK); /* replaces */
    assert_int_equal(store_user_set_role(f->s, id, 99, "admin"), ERR_NOT_FOUND);
    assert_int_equal(store_user_set_role(f->s, id, 2, "boss"), ERR_INVALID);
    assert_int_equal(store_user_roles(f->s, f->ar, id, &r, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].role, "supervisor");
    assert_int_equal(store_user_by_login(f->s, f->ar, "baru", &u), ERR_OK);
    assert_int_equal(u.locked_until, 0);
    /* Sessions: found until they expire; gone after a password change. */
    assert_int_equal(
        store_session_open(f->s, "hash1", id, "csrf1", NOW, NOW + 60, NULL, NULL, "password"),
        ERR_OK);
    assert_int_equal(store_session_get(f->s, f->ar, "hash1", NOW + 59, &ss), ERR_OK);
    assert_string_equal(ss.csrf_token, "csrf1");
    assert_int_equal(store_session_get(f->s, f->ar, "hash1", NOW + 60, &ss), ERR_NOT_FOUND);
    assert_int_equal(store_session_get(f->s, f->ar, "nope", NOW, &ss), ERR_NOT_FOUND);
    assert_int_equal(store_user_set_password(f->s, id, "h2"), ERR_OK);
    assert_int_equal(store_session_get(f->s, f->ar, "hash1", NOW, &ss), ERR_NOT_FOUND);
    /* A session opened after hash0 expired sweeps it: gone even when asked
     * with a time before its expiry. */
    assert_int_equal(
        store_session_open(f->s, "hash0", id, "c", NOW, NOW + 10, NULL, NULL, "password"), ERR_OK);
    assert_int_equal(
        store_session_open(f->s, "hash3", id, "c", NOW + 10, NOW + 120, "10.0.0.1", "curl", "totp"),
        ERR_OK);
    assert_int_equal(store_session_get(f->s, f->ar, "hash0", NOW, &ss), ERR_NOT_FOUND);
    assert_int_equal(store_session_get(f->s, f->ar, "hash3", NOW + 10, &ss), ERR_OK);
    assert_int_equal(
        store_session_open(f->s, "hash2", id, "c", NOW, NOW + 60, NULL, NULL, "password"), ERR_OK);
    assert_int_equal(store_user_set_disabled(f->s, id, true), ERR_OK);
    assert_int_equal(store_session_get(f->s, f->ar, "hash2", NOW, &ss), ERR_NOT_FOUND);
    assert_int_equal(store_user_set_disabled(f->s, 9999, true), ERR_NOT_FOUND);
}

static int64_t new_case(fixture *f, int64_t agency, int64_t category, const char *kind,
                        const char *desc)
{
    store_case c = {0};
    c.agency_id = agency;
    c.category_id = category;
    c.kind = kind;
    c.channel = "walk_in";
    c.status = strcmp(kind, "service") == 0 ? "submitted" : "received";
    c.description = desc;
    c.created_at = NOW;
    store_reporter_in rep = {"Siti", "6281234567890", "6281234567890", NULL,
                             NOW,    "whatsapp",      "6281234567890"};
    assert_int_equal(store_case_create(f->s, f->ar, &c, &rep, "dicatat di loket"), ERR_OK);
    assert_true(c.id > 0);
    assert_int_equal(strlen(c.tracking_code), 8);
    return c.id;
}

/* Login throttling (issue #13): counts per (login, client), locks, the
 * account-wide lock of a distributed attack, forgetting. */
static void login_guard_counts(void **state)
{
    fixture *f = *state;
    store_login_policy p = {3, 900, 3600, 4, 86400};
    int64_t until;
    bool global;
    int attack;
    store_login_attack *a;
    size_t n;
#define BEGIN(login, client, t)                                                                    \
    assert_int_equal(store_login_begin(f->s, login, client, t, &p, &until, &global), ERR_OK)
    /* Three attempts of a pair are let through (counted before the check);
     * the fourth locks the pair, and the lock holds without counting. */
    for (int i = 0; i < 3; i++) {
        BEGIN("admin.satpolpp", "198.51.100.1", NOW);
        assert_int_equal(until, 0);
        assert_int_equal(store_login_failed(f->s, "admin.satpolpp", NOW, &p, &attack), ERR_OK);
        assert_int_equal(attack, 0);
    }
    BEGIN("admin.satpolpp", "198.51.100.1", NOW + 1);
    assert_int_equal(until, NOW + 1 + 900);
    assert_false(global);
    BEGIN("admin.satpolpp", "198.51.100.1", NOW + 2);
    assert_int_equal(until, NOW + 1 + 900);
    /* Another client of the same login is not locked; a success forgets
     * its count. */
    BEGIN("admin.satpolpp", "198.51.100.2", NOW + 2);
    assert_int_equal(until, 0);
    assert_int_equal(store_login_ok(f->s, "admin.satpolpp", "198.51.100.2", NOW + 2, &p), ERR_OK);
    /* The lock ends; the count starts again. */
    BEGIN("admin.satpolpp", "198.51.100.1", NOW + 902);
    assert_int_equal(until, 0);
    /* Failures older than the window are forgotten: the count restarts. */
    for (int i = 0; i < 2; i++)
        BEGIN("kabid.satpolpp", "198.51.100.9", NOW);
    BEGIN("kabid.satpolpp", "198.51.100.9", NOW + 3601);
    BEGIN("kabid.satpolpp", "198.51.100.9", NOW + 3601);
    BEGIN("kabid.satpolpp", "198.51.100.9", NOW + 3601);
    assert_int_equal(until, 0);
    /* Four clients failing one login (unknown here) lock it for all, once;
     * the lock shows on the list, and on the user row of a known login. */
    for (int i = 0; i < 3; i++) {
        char client[32];
        snprintf(client, sizeof client, "203.0.113.%d", i);
        BEGIN("orang.asing", client, NOW);
        assert_int_equal(store_login_failed(f->s, "orang.asing", NOW, &p, &attack), ERR_OK);
        assert_int_equal(attack, 0);
    }
    BEGIN("orang.asing", "203.0.113.9", NOW);
    assert_int_equal(store_login_failed(f->s, "orang.asing", NOW, &p, &attack), ERR_OK);
    assert_int_equal(attack, 4);
    assert_int_equal(store_login_failed(f->s, "orang.asing", NOW, &p, &attack), ERR_OK);
    assert_int_equal(attack, 0); /* announced once */
    BEGIN("orang.asing", "192.0.2.1", NOW + 5);
    assert_true(global);
    assert_int_equal(until, NOW + 900);
    assert_int_equal(store_login_attacks(f->s, f->ar, NOW, &a, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].login, "orang.asing");
    assert_null(a[0].name);
    assert_int_equal(a[0].clients, 4);
    assert_int_equal(a[0].locked_at, NOW);
    assert_int_equal(a[0].locked_until, NOW + 900);
    /* A day after the lock ended, everything is forgotten. */
    assert_int_equal(store_login_ok(f->s, "x", "y", NOW + 900 + 86401, &p), ERR_OK);
    assert_int_equal(store_login_attacks(f->s, f->ar, 0, &a, &n), ERR_OK);
    assert_int_equal(n, 0);
    BEGIN("orang.asing", "203.0.113.9", NOW + 900 + 86401);
    assert_int_equal(until, 0);
    /* A known login under attack shows locked_until; a new password ends it. */
    for (int i = 0; i < 4; i++) {
        char client[32];
        snprintf(client, sizeof client, "203.0.113.%d", 50 + i);
        BEGIN("regu.damkar", client, NOW);
        assert_int_equal(store_login_failed(f->s, "regu.damkar", NOW, &p, &attack), ERR_OK);
    }
    store_user u;
    assert_int_equal(store_user_by_login(f->s, f->ar, "regu.damkar", &u), ERR_OK);
    assert_int_equal(u.locked_until, NOW + 900);
    assert_int_equal(store_login_attacks(f->s, f->ar, NOW, &a, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_non_null(a[0].name);
    assert_int_equal(store_user_set_password(f->s, u.id, "h2"), ERR_OK);
    BEGIN("regu.damkar", "203.0.113.50", NOW + 1);
    assert_false(global);
    assert_int_equal(until, 0);
#undef BEGIN
}

static void case_lifecycle_in_store(void **state)
{
    fixture *f = *state;
    int64_t id = new_case(f, 1, 1, "complaint", "Keributan di pasar malam");
    store_case c;
    store_event *ev;
    size_t n;
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_string_equal(c.status, "received");
    assert_string_equal(c.reporter_phone, "6281234567890");
    store_case by;
    assert_int_equal(store_case_by_code(f->s, f->ar, c.tracking_code, &by), ERR_OK);
    assert_int_equal(by.id, id);
    /* The same WhatsApp id is the same reporter. */
    int64_t id2 = new_case(f, 1, 2, "complaint", "PKL di trotoar");
    store_case c2;
    assert_int_equal(store_case_get(f->s, f->ar, id2, &c2), ERR_OK);
    assert_int_equal(c2.reporter_id, c.reporter_id);

    store_transition t = {.case_id = id,
                          .expect_status = "received",
                          .new_status = "verified",
                          .action = "verify",
                          .actor_id = 2,
                          .is_public = true,
                          .now = NOW + 10};
    assert_int_equal(store_case_transition(f->s, f->ar, &t), ERR_OK);
    /* The same decision again: the status moved, nothing is written. */
    assert_int_equal(store_case_transition(f->s, f->ar, &t), ERR_CONFLICT);
    t.case_id = 999999;
    assert_int_equal(store_case_transition(f->s, f->ar, &t), ERR_NOT_FOUND);
    assert_int_equal(store_case_events(f->s, f->ar, id, &ev, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ev[0].seq, 1);
    assert_string_equal(ev[0].action, "create");
    assert_null(ev[0].from_status);
    assert_string_equal(ev[0].note, "dicatat di loket");
    assert_int_equal(ev[1].seq, 2);
    assert_string_equal(ev[1].from_status, "received");
    assert_string_equal(ev[1].to_status, "verified");
    assert_string_equal(ev[1].actor_name, "Operator Satpol PP");
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_int_equal(c.updated_at, NOW + 10);

    /* Events are append-only, enforced by the database itself. */
    if (use_pg) {
        PGconn *db = PQconnectdb(f->url);
        assert_int_equal(PQstatus(db), CONNECTION_OK);
        PGresult *r = PQexec(db, "UPDATE case_events SET note = 'x'");
        assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
        PQclear(r);
        r = PQexec(db, "DELETE FROM case_events");
        assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
        PQclear(r);
        PQfinish(db);
        return;
    }
    char path[160];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/t.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE case_events SET note = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM case_events", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void forward_links_both(void **state)
{
    fixture *f = *state;
    int64_t id = new_case(f, 1, 1, "complaint", "Ada asap dari gudang");
    store_case copy = {0}, src, dst;
    copy.agency_id = 2;
    copy.category_id = 6; /* damkar kebakaran */
    copy.kind = "emergency";
    copy.status = "received";
    store_transition t = {.case_id = id,
                          .expect_status = "received",
                          .new_status = "forwarded",
                          .action = "forward",
                          .actor_id = 2,
                          .note = "urusan Damkar",
                          .target_agency_id = 2,
                          .is_public = true,
                          .now = NOW,
                          .forward_copy = &copy};
    assert_int_equal(store_case_transition(f->s, f->ar, &t), ERR_OK);
    assert_true(t.new_case_id > id);
    assert_int_equal(store_case_get(f->s, f->ar, id, &src), ERR_OK);
    assert_int_equal(store_case_get(f->s, f->ar, t.new_case_id, &dst), ERR_OK);
    assert_string_equal(src.status, "forwarded");
    assert_int_equal(src.forwarded_to, dst.id);
    assert_int_equal(dst.forwarded_from, src.id);
    assert_int_equal(dst.agency_id, 2);
    assert_string_equal(dst.kind, "emergency");
    assert_string_equal(dst.channel, "forward");
    assert_string_equal(dst.description, "Ada asap dari gudang");
    assert_int_equal(dst.reporter_id, src.reporter_id);
    assert_string_not_equal(dst.tracking_code, src.tracking_code);
}

static void list_filters_and_cursor(void **state)
{
    fixture *f = *state;
    store_case *c;
    size_t n;
    int64_t a = new_case(f, 1, 1, "complaint", "Balap liar di Jalan Ahmad Yani");
    new_case(f, 1, 2, "complaint", "Pedagang menutup jalan");
    new_case(f, 3, 10, "service", "Permohonan akta kelahiran");
    store_case_filter fl = {.limit = 100};
    assert_int_equal(store_case_list(f->s, f->ar, &fl, &c, &n), ERR_OK);
    assert_int_equal(n, 8); /* 5 demo + 3 */
    for (size_t i = 1; i < n; i++)
        assert_true(c[i - 1].id > c[i].id);
    fl.agency_id = 3;
    assert_int_equal(store_case_list(f->s, f->ar, &fl, &c, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(c[0].status, "submitted");
    fl.agency_id = 0;
    fl.q = "balap, AHMAD!";
    assert_int_equal(store_case_list(f->s, f->ar, &fl, &c, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].id, a);
    fl.q = "ahm";
    assert_int_equal(store_case_list(f->s, f->ar, &fl, &c, &n), ERR_OK);
    assert_int_equal(n, 1);
    fl.q = NULL;
    fl.status = "submitted";
    assert_int_equal(store_case_list(f->s, f->ar, &fl, &c, &n), ERR_OK);
    assert_int_equal(n, 1);
    fl.status = NULL;
    /* Scope: user 6 (admin.damkar) sees only Damkar's (demo) fire. */
    fl.scope_user_id = 6;
    assert_int_equal(store_case_list(f->s, f->ar, &fl, &c, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].agency_id, 2);
    assert_string_equal(c[0].kind, "emergency");
    fl.scope_user_id = 0;
    /* Dates: demo cases are 3 to 120 hours old. */
    fl.from = NOW - 10 * 3600;
    assert_int_equal(store_case_list(f->s, f->ar, &fl, &c, &n), ERR_OK);
    assert_int_equal(n, 4);
    fl.from = 0;
    fl.to = NOW - 100 * 3600;
    assert_int_equal(store_case_list(f->s, f->ar, &fl, &c, &n), ERR_OK);
    assert_int_equal(n, 1);
    fl.to = 0;
    /* Walking pages of 3 visits every case once. */
    int64_t seen = 0, last = INT64_MAX;
    fl.limit = 3;
    do {
        assert_int_equal(store_case_list(f->s, f->ar, &fl, &c, &n), ERR_OK);
        for (size_t i = 0; i < n; i++) {
            assert_true(c[i].id < last);
            last = c[i].id;
            seen++;
        }
        fl.before_id = n ? c[n - 1].id : 0;
    } while (n == 3);
    assert_int_equal(seen, 8);
}

static void domain_checks(void **state)
{
    fixture *f = *state;
    store_role admin_role = {1, NULL, "admin"}, field_role = {1, NULL, "field"};
    actor_t admin = {2, &admin_role, 1}, field = {4, &field_role, 1};
    case_create_req q = {0};
    store_case c;
    store_transition t;
    const char *detail;
    q.category_id = 1;
    q.description = "   ";
    assert_int_equal(case_create(f->s, f->ar, &admin, &q, NOW, &c, &detail), ERR_INVALID);
    q.description = "Keributan";
    q.category_id = 6; /* Damkar's */
    assert_int_equal(case_create(f->s, f->ar, &admin, &q, NOW, &c, &detail), ERR_INVALID);
    q.category_id = 1;
    q.kecamatan_code = "99.99.99";
    assert_int_equal(case_create(f->s, f->ar, &admin, &q, NOW, &c, &detail), ERR_INVALID);
    q.kecamatan_code = "63.11.06";
    q.reporter_phone = "0812-1111-2222";
    assert_int_equal(case_create(f->s, f->ar, &field, &q, NOW, &c, &detail), ERR_FORBIDDEN);
    assert_int_equal(case_create(f->s, f->ar, &admin, &q, NOW, &c, &detail), ERR_OK);
    assert_string_equal(c.reporter_phone, "6281211112222");
    case_action_req rq = {.action = "reject"};
    assert_int_equal(case_transition(f->s, f->ar, &admin, c.id, &rq, NOW, &t, &detail),
                     ERR_INVALID);
    assert_non_null(strstr(detail, "note"));
    rq.action = "start";
    assert_int_equal(case_transition(f->s, f->ar, &admin, c.id, &rq, NOW, &t, &detail),
                     ERR_CONFLICT);
    rq.action = "verify";
    assert_int_equal(case_transition(f->s, f->ar, &field, c.id, &rq, NOW, &t, &detail),
                     ERR_FORBIDDEN);
    assert_int_equal(case_transition(f->s, f->ar, &admin, c.id, &rq, NOW, &t, &detail), ERR_OK);
    rq.action = "dispatch";
    rq.team_id = 1;
    assert_int_equal(case_transition(f->s, f->ar, &admin, c.id, &rq, NOW, &t, &detail),
                     ERR_FORBIDDEN); /* supervisor's decision */
    rq.action = "fly";
    assert_int_equal(case_transition(f->s, f->ar, &admin, c.id, &rq, NOW, &t, &detail),
                     ERR_INVALID);
    rq.action = "verify";
    assert_int_equal(case_transition(f->s, f->ar, &admin, 424242, &rq, NOW, &t, &detail),
                     ERR_NOT_FOUND);
}

/* Group commit: a batch is stored in order, one row each, ids ascending;
 * a staff WhatsApp number is unique and found back. */
static void inbox_batch_and_staff_numbers(void **state)
{
    fixture *f = *state;
    store_inbound_new rows[3] = {{"whatsapp", "{\"a\":1}", 7, NULL, 0},
                                 {"telegram", "{\"b\":2}", 7, NULL, 0},
                                 {"whatsapp", "00ff", 4, "not UTF-8", 0}};
    assert_int_equal(store_inbound_add_batch(f->s, rows, 3, NOW), ERR_OK);
    assert_true(rows[0].id > 0 && rows[1].id == rows[0].id + 1 && rows[2].id == rows[1].id + 1);
    store_inbound_row *got;
    size_t n;
    assert_int_equal(store_inbound_list(f->s, f->ar, NULL, 10, &got, &n), ERR_OK);
    assert_int_equal(n, 3);
    assert_string_equal(got[0].state, "dead");
    assert_string_equal(got[0].error, "not UTF-8");
    assert_string_equal(got[2].body, "{\"a\":1}");
    assert_string_equal(got[1].state, "new");
    assert_string_equal(got[1].channel, "telegram"); /* each row keeps its driver */
    assert_string_equal(got[2].channel, "whatsapp");

    int64_t a, b;
    assert_int_equal(store_user_create(f->s, "satu", "Satu", "x", NOW, &a), ERR_OK);
    assert_int_equal(store_user_create(f->s, "dua", "Dua", "x", NOW, &b), ERR_OK);
    assert_int_equal(store_user_set_mobile(f->s, a, "6281234567890"), ERR_OK);
    assert_int_equal(store_user_set_mobile(f->s, b, "6281234567890"), ERR_CONFLICT);
    assert_int_equal(store_user_set_mobile(f->s, 999999, "6281234567891"), ERR_NOT_FOUND);
    store_user u;
    assert_int_equal(store_user_by_mobile(f->s, f->ar, "6281234567890", &u), ERR_OK);
    assert_int_equal(u.id, a);
    assert_string_equal(u.mobile, "6281234567890");
    assert_int_equal(store_user_set_disabled(f->s, a, true), ERR_OK);
    assert_int_equal(store_user_by_mobile(f->s, f->ar, "6281234567890", &u), ERR_NOT_FOUND);
    assert_int_equal(store_user_set_mobile(f->s, a, NULL), ERR_OK);
    assert_int_equal(store_user_set_mobile(f->s, b, "6281234567890"), ERR_OK);
}

/* One inbound message applied (a redelivery changes nothing, a stale
 * conversation version is refused and changes nothing); the outbox claim
 * reads the recipient's conversation (window, language) or none for a
 * number that never wrote; a claimed row is leased; giving up marks it
 * failed, and an unknown id changes nothing. */
static void wa_apply_and_outbox_claim(void **state)
{
    fixture *f = *state;
    store_agency ag;
    assert_int_equal(store_agency_by_number(f->s, f->ar, "100000000000001", &ag), ERR_OK);
    assert_int_equal(store_agency_by_number(f->s, f->ar, "199", &ag), ERR_NOT_FOUND);
    assert_int_equal(store_agency_by_number(f->s, f->ar, "100000000000001", &ag), ERR_OK);
    store_dialog_effects fx = {.seen_key = "m:w1",
                               .agency_id = ag.id,
                               .channel = "whatsapp",
                               .address = "6281100000001",
                               .mobile = "6281100000001",
                               .phone_number_id = "100000000000001",
                               .wamid = "w1",
                               .msg_type = "text",
                               .msg_body = "halo",
                               .expect_version = -1,
                               .state = "menu",
                               .draft = "{}",
                               .lang = "en",
                               .nout = 1,
                               .out = {{"reply", "{\"t\":1}", NULL, false}},
                               .now = NOW - 60};
    assert_int_equal(store_dialog_apply(f->s, f->ar, &fx), ERR_OK);
    assert_false(fx.duplicate);
    assert_int_equal(store_dialog_apply(f->s, f->ar, &fx), ERR_OK);
    assert_true(fx.duplicate);
    fx.seen_key = "m:w2"; /* a new message on the version read before: refused */
    fx.wamid = "w2";
    assert_int_equal(store_dialog_apply(f->s, f->ar, &fx), ERR_CONFLICT);
    store_conv cv;
    assert_int_equal(store_conv_get(f->s, f->ar, ag.id, "whatsapp", "6281100000001", &cv), ERR_OK);
    assert_int_equal(cv.version, 1);
    assert_string_equal(cv.lang, "en");
    assert_int_equal(cv.last_inbound_at, NOW - 60);
    assert_int_equal(store_conv_get(f->s, f->ar, ag.id, "whatsapp", "6289", &cv), ERR_OK);
    assert_int_equal(cv.version, -1);

    fx = (store_dialog_effects){.seen_key = "m:w3",
                                .agency_id = ag.id,
                                .channel = "whatsapp",
                                .address = "6281100000002",
                                .mobile = "6281100000002",
                                .phone_number_id = "100000000000001",
                                .wamid = "w3",
                                .msg_type = "text",
                                .msg_body = "x",
                                .expect_version = -1,
                                .state = "idle",
                                .draft = "{}",
                                .lang = "id",
                                .now = NOW};
    assert_int_equal(store_dialog_apply(f->s, f->ar, &fx), ERR_OK);
    store_outbox_item *items;
    size_t n;
    assert_int_equal(store_outbox_list(f->s, f->ar, "whatsapp", "6281100000001", 10, &items, &n),
                     ERR_OK);
    assert_int_equal(n, 1); /* neither the redelivery nor the refused one queued */
    assert_int_equal(store_outbox_list(f->s, f->ar, "whatsapp", "6281100000002", 10, &items, &n),
                     ERR_OK);
    assert_int_equal(n, 0);

    store_outbox_row *rows;
    assert_int_equal(store_outbox_claim(f->s, f->ar, NOW + 1, 60, 10, &rows, &n), ERR_OK);
    size_t mine = n;
    for (size_t i = 0; i < n; i++)
        if (rows[i].address && strcmp(rows[i].address, "6281100000001") == 0) {
            assert_int_equal(rows[i].last_inbound_at, NOW - 60);
            assert_string_equal(rows[i].lang, "en");
            assert_string_equal(rows[i].kind, "reply");
            assert_int_equal(rows[i].attempts, 1);
            mine = i;
        }
    assert_true(mine < n);
    int64_t id = rows[mine].id;
    assert_int_equal(store_outbox_claim(f->s, f->ar, NOW + 2, 60, 10, &rows, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(rows[i].id != id); /* leased */
    assert_int_equal(store_outbox_retry(f->s, id, 0, "gone", NOW + 3), ERR_OK);
    assert_int_equal(store_outbox_retry(f->s, 987654, 0, "none", NOW + 3), ERR_OK);
    assert_int_equal(store_outbox_list(f->s, f->ar, "whatsapp", "6281100000001", 10, &items, &n),
                     ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].state, "failed");
    assert_string_equal(items[0].last_error, "gone");
    assert_false(items[0].used_template);
}

/* ADUAN_DURABILITY: writes work in every mode and as redoable commits;
 * PostgreSQL's settings that lose acknowledged data are reported, each. */
/* Runs sql on the test database beside the store (either engine). */
static void exec_sql(fixture *f, const char *sql)
{
    if (use_pg) {
        PGconn *db = PQconnectdb(f->url);
        assert_int_equal(PQstatus(db), CONNECTION_OK);
        PGresult *r = PQexec(db, sql);
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
        PQfinish(db);
        return;
    }
    char path[160];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/t.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* Retention of a case's followers (issue 18): those of a case finished
 * long enough ago go, those of an open case and of one finished lately
 * stay. */
static void watchers_retention(void **state)
{
    fixture *f = *state;
    int64_t done = new_case(f, 1, 1, "complaint", "Musik keras tiap malam");
    int64_t open = new_case(f, 1, 1, "complaint", "Parkir liar di trotoar");
    char sql[512];
    snprintf(
        sql, sizeof sql,
        "INSERT INTO case_watchers (case_id, channel, address, created_at) VALUES"
        " (%lld, 'whatsapp', '6281100000001', %lld), (%lld, 'whatsapp', '6281100000002', %lld),"
        " (%lld, 'whatsapp', '6281100000001', %lld)",
        (long long)done, (long long)NOW, (long long)done, (long long)NOW, (long long)open,
        (long long)NOW);
    exec_sql(f, sql);
    snprintf(sql, sizeof sql,
             "UPDATE cases SET status = 'closed', updated_at = %lld WHERE id = %lld",
             (long long)NOW + 100, (long long)done);
    exec_sql(f, sql);
    size_t n = 99;
    /* Finished after `before`: kept. */
    assert_int_equal(store_watchers_purge(f->s, NOW + 100, 10, &n), ERR_OK);
    assert_int_equal(n, 0);
    /* One at a time, then the other; the open case's stays. */
    assert_int_equal(store_watchers_purge(f->s, NOW + 101, 1, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_watchers_purge(f->s, NOW + 101, 10, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_watchers_purge(f->s, NOW + 101, 10, &n), ERR_OK);
    assert_int_equal(n, 0);
}

static void durability_modes_and_check(void **state)
{
    fixture *f = *state;
    char why[512];
    int64_t id;
    assert_int_equal(store_get_durability(f->s), STORE_DURABLE_FSYNC);
    assert_int_equal(store_user_create(f->s, "d1", "D1", "x", NOW, &id), ERR_OK);
    assert_false(store_redo_commits(true));
    assert_int_equal(store_user_create(f->s, "d2", "D2", "x", NOW, &id), ERR_OK);
    assert_true(store_redo_commits(false));
    store_set_durability(f->s, STORE_DURABLE_PROCESS);
    assert_int_equal(store_get_durability(f->s), STORE_DURABLE_PROCESS);
    assert_int_equal(store_user_create(f->s, "d3", "D3", "x", NOW, &id), ERR_OK);
    store_set_durability(f->s, STORE_DURABLE_FSYNC);
    assert_int_equal(store_user_create(f->s, "d4", "D4", "x", NOW, &id), ERR_OK);
    store_user *users;
    size_t n;
    assert_int_equal(store_user_list(f->s, f->ar, &users, &n), ERR_OK);
    size_t found = 0;
    for (size_t i = 0; i < n; i++)
        found += users[i].login[0] == 'd' && strlen(users[i].login) == 2;
    assert_int_equal(found, 4);
    if (!use_pg) {
        assert_int_equal(store_check_durable(f->s, STORE_DURABLE_FSYNC, why, sizeof why), ERR_OK);
        assert_string_equal(why, "");
        return;
    }
    /* tests/pgtmp.sh runs its cluster with fsync=off and full_page_writes=off. */
    assert_int_equal(store_check_durable(f->s, STORE_DURABLE_FSYNC, why, sizeof why), ERR_CONFLICT);
    assert_non_null(strstr(why, "fsync=off"));
    assert_non_null(strstr(why, "full_page_writes=off"));
    assert_null(strstr(why, "synchronous_commit"));
    /* Commits that default to synchronous_commit=off matter only when the
     * acknowledged ones must survive a power cut. */
    char sql[160];
    snprintf(sql, sizeof sql, "ALTER DATABASE %s SET synchronous_commit = off", f->dbname);
    assert_int_equal(pg_admin(sql), 0);
    store_t *s2 = NULL;
    assert_int_equal(store_open(f->url, 1, &s2), ERR_OK);
    assert_int_equal(store_check_durable(s2, STORE_DURABLE_FSYNC, why, sizeof why), ERR_CONFLICT);
    assert_non_null(strstr(why, "synchronous_commit=off"));
    assert_int_equal(store_check_durable(s2, STORE_DURABLE_PROCESS, why, sizeof why), ERR_CONFLICT);
    assert_null(strstr(why, "synchronous_commit"));
    assert_int_equal(store_user_create(s2, "d5", "D5", "x", NOW, &id), ERR_OK);
    store_close(s2);
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrations_recorded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(migrations_fill_gaps, setup, teardown),
        cmocka_unit_test(migration_plan),
        cmocka_unit_test_setup_teardown(migrations_race, setup, teardown),
        cmocka_unit_test_setup_teardown(reference_data, setup, teardown),
        cmocka_unit_test_setup_teardown(users_and_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(login_guard_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(case_lifecycle_in_store, setup, teardown),
        cmocka_unit_test_setup_teardown(forward_links_both, setup, teardown),
        cmocka_unit_test_setup_teardown(list_filters_and_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(domain_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(inbox_batch_and_staff_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(wa_apply_and_outbox_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(durability_modes_and_check, setup, teardown),
        cmocka_unit_test_setup_teardown(watchers_retention, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("store-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("store-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "store: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}

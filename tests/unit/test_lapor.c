/* The LAPOR! tracking number (domain/lapor.c) and the SQL of the case
 * list's LAPOR! filter and of a field officer's view (store/case_query.c),
 * issue 13. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "domain/lapor.h"
#include "store/case_query.h"

#include <string.h>

static void lapor_numbers(void **state)
{
    (void)state;
    char d[LAPOR_ID_BUF];
    assert_int_equal(lapor_normalize("1916449", d), 0);
    assert_string_equal(d, "1916449");
    assert_int_equal(lapor_normalize("  #1916449\t", d), 0);
    assert_string_equal(d, "1916449");
    assert_int_equal(lapor_normalize("123456789012345", d), 0);
    static const char *const bad[] = {
        "",
        "#",
        "123",
        "1234567890123456",
        "19164 49",
        "1916449x",
        "x1916449",
        "+6281234567",
        "LAPOR-2026-0042",
        "##1916449",
        "-1916449",
        "１９１６４４９",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (lapor_normalize(bad[i], d) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(lapor_normalize(NULL, d), -1);
}

static const char *where(const store_case_filter *f, const cq_scope *sc)
{
    static cq_t q;
    cq_init(&q);
    cq_case_where(&q, f, sc, "c.id");
    assert_false(q.overflow);
    return q.sql;
}

static void field_scope_sql(void **state)
{
    (void)state;
    int64_t agencies[] = {1}, teams[] = {3, 4};
    cq_scope one = {.ids = {1}, .n = 1}, two = {.ids = {1, 2}, .n = 2};
    store_case_filter f;
    memset(&f, 0, sizeof f);
    assert_null(strstr(where(&f, &one), "team_id"));
    f.field_agencies = agencies;
    f.nfield_agencies = 1;
    f.field_teams = teams;
    f.nfield_teams = 2;
    /* Only field agencies visible: no NOT IN, which would defeat the OR's indexes. */
    const char *s = where(&f, &one);
    assert_non_null(strstr(s, "c.team_id IN (3, 4) OR (c.agency_id IN (1) AND c.kind = "
                              "'emergency' AND c.status IN ('received', 'verified', "
                              "'dispatched', 'in_progress', 'on_hold', 'reopened'))"));
    assert_null(strstr(s, "NOT IN"));
    /* Another agency where the user has another role: its cases stay visible. */
    assert_non_null(strstr(where(&f, &two), "OR c.agency_id NOT IN (1))"));
    f.agency_id = 2;
    assert_non_null(strstr(where(&f, &two), "NOT IN (1)"));
    f.agency_id = 1;
    assert_null(strstr(where(&f, &two), "NOT IN"));
    /* Teams with few cases: the ids from their indexes, no OR. */
    cq_scope sparse = one;
    sparse.field_sparse = true;
    s = where(&f, &sparse);
    assert_non_null(strstr(s, " AND c.id IN (SELECT id FROM cases WHERE team_id IN (3, 4) UNION "
                              "ALL SELECT id FROM cases WHERE agency_id IN (1) AND kind = "
                              "'emergency' AND status IN ('received', "));
    assert_null(strstr(s, " OR "));
    /* ... but not with another agency in view. */
    f.agency_id = 0;
    sparse.ids[1] = 2;
    sparse.n = 2;
    assert_null(strstr(where(&f, &sparse), "UNION"));
    assert_non_null(strstr(where(&f, &sparse), "NOT IN (1)"));
    /* The count that decides. */
    static cq_t q;
    cq_init(&q);
    assert_true(cq_field_probe(&q, &f, &one));
    assert_string_equal(q.sql,
                        "SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE team_id IN (3, 4) LIMIT "
                        "2000) x");
    cq_init(&q);
    assert_false(cq_field_probe(&q, &f, &two));
    /* No team: only the open emergencies. */
    f.nfield_teams = 0;
    assert_null(strstr(where(&f, &one), "team_id"));
    assert_non_null(strstr(where(&f, &one), "'emergency'"));
}

static void lapor_filter_sql(void **state)
{
    (void)state;
    store_case_filter f;
    memset(&f, 0, sizeof f);
    assert_null(strstr(where(&f, NULL), "lapor"));
    f.lapor = 1;
    assert_non_null(strstr(where(&f, NULL), " AND c.lapor_tracking_id IS NOT NULL"));
    f.lapor = -1;
    assert_non_null(strstr(where(&f, NULL), " AND c.lapor_tracking_id IS NULL"));
    /* Issue 17 §3: the worklist's rows (cases_lapor_todo) and the class. */
    f.lapor = STORE_LAPOR_TODO;
    assert_non_null(strstr(where(&f, NULL), " AND c.lapor_marked_at IS NOT NULL AND "
                                            "c.lapor_tracking_id IS NULL"));
    f.lapor_class = "aspirasi";
    assert_non_null(strstr(where(&f, NULL), "c.lapor_class = "));
    /* Oldest first. */
    static cq_t q;
    cq_init(&q);
    f.oldest_first = true;
    cq_case_order(&q, &f, "c.id", 10);
    assert_string_equal(q.sql, " ORDER BY c.id ASC LIMIT 10");
}

static void lapor_classes(void **state)
{
    (void)state;
    assert_true(lapor_class_valid("pengaduan"));
    assert_true(lapor_class_valid("aspirasi"));
    assert_true(lapor_class_valid("permintaan_informasi"));
    static const char *const bad[] = {"",           "Pengaduan", "keluhan", "permintaan informasi",
                                      "pengaduan ", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(lapor_class_valid(bad[i]));
    assert_string_equal(lapor_class_label("permintaan_informasi", "id"), "Permintaan informasi");
    assert_string_equal(lapor_class_label("aspirasi", "en"), "Aspiration");
    assert_string_equal(lapor_class_label("x", "id"), "x");
}

/* The copy-ready summary names the reporter only when the case allows it. */
static void lapor_summaries(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    store_case c;
    memset(&c, 0, sizeof c);
    c.tracking_code = "K48SWWE1";
    c.created_at = 1796272560; /* 2026-12-03 05:56 UTC */
    c.description = "Pedagang menutup trotoar";
    c.address = "Jl. A. Yani";
    c.lapor_class = "aspirasi";
    c.category_name_id = "Pedagang kaki lima";
    c.agency_name = "Satpol PP";
    c.kecamatan_name = "Paringin";
    c.reporter_name = "Siti Aminah";
    c.reporter_phone = "081234500001";
    c.has_location = true;
    c.lat = -2.33;
    c.lon = 115.46;
    const char *s = lapor_summary(ar, &c);
    assert_non_null(strstr(s, "Klasifikasi: Aspirasi\n"));
    assert_non_null(strstr(s, "Kategori: Pedagang kaki lima\n"));
    assert_non_null(strstr(s, "Kecamatan: Paringin\n"));
    assert_non_null(strstr(s, "Lokasi: Jl. A. Yani (titik -2.33000, 115.46000)\n"));
    assert_non_null(strstr(s, "Kronologi: Pedagang menutup trotoar\n"));
    assert_non_null(strstr(s, "Pelapor: Siti Aminah\n"));
    assert_non_null(strstr(s, "Nomor aduan daerah: K48S-WWE1"));
    assert_non_null(strstr(s, "2026 pukul "));
    assert_null(strstr(s, "081234500001"));
    c.anonim = true;
    s = lapor_summary(ar, &c);
    assert_null(strstr(s, "Siti"));
    assert_non_null(strstr(s, "ANONIM"));
    c.anonim = false;
    c.rahasia = true;
    s = lapor_summary(ar, &c);
    assert_null(strstr(s, "Siti"));
    assert_non_null(strstr(s, "RAHASIA"));
    /* Nothing known: dashes, never "(null)". */
    memset(&c, 0, sizeof c);
    c.tracking_code = "K48SWWE1";
    s = lapor_summary(ar, &c);
    assert_null(strstr(s, "(null)"));
    assert_non_null(strstr(s, "Kategori: -\n"));
    arena_destroy(ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lapor_numbers),    cmocka_unit_test(field_scope_sql),
        cmocka_unit_test(lapor_filter_sql), cmocka_unit_test(lapor_classes),
        cmocka_unit_test(lapor_summaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

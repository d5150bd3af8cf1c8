/* The IKM of PermenPANRB 14/2017 against the worked examples of
 * ../shared/reference/IKM.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/ikm.h"

#include <math.h>
#include <string.h>

/* §6a: 29 respondents; per unsur the count of 4s, 3s and 2s. */
static void tally_6a(ikm_tally *t)
{
    static const int dist[IKM_UNSUR][3] = {{18, 11, 0}, {14, 15, 0}, {15, 12, 2},
                                           {29, 0, 0},  {15, 14, 0}, {18, 11, 0},
                                           {19, 10, 0}, {18, 11, 0}, {28, 1, 0}};
    memset(t, 0, sizeof *t);
    for (int u = 0; u < IKM_UNSUR; u++)
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < dist[u][k]; i++)
                assert_int_equal(ikm_add(t, u, 4 - k), 0);
}

static void worked_example_exact(void **state)
{
    (void)state;
    ikm_tally t;
    ikm_result r;
    tally_6a(&t);
    int64_t total = 0;
    for (int u = 0; u < IKM_UNSUR; u++) {
        assert_int_equal(t.count[u], 29);
        total += t.sum[u];
    }
    assert_int_equal(total, 955);
    ikm_compute(&t, IKM_WEIGHT_EXACT, &r);
    assert_int_equal(r.answered, 9);
    assert_true(fabs(r.nrr[0] - 3.6207) < 1e-4);
    assert_true(fabs(r.nrr[8] - 3.9655) < 1e-4);
    assert_true(fabs(r.index - 3.6590) < 1e-4);
    assert_true(fabs(r.score - 91.48) < 1e-9);
    assert_int_equal(r.mutu, 'A');
    assert_string_equal(r.kinerja, "Sangat baik");
}

static void worked_example_0111(void **state)
{
    (void)state;
    ikm_tally t;
    ikm_result r;
    tally_6a(&t);
    ikm_compute(&t, IKM_WEIGHT_0111, &r);
    assert_true(fabs(r.index - 3.6553) < 1e-4);
    assert_true(fabs(r.score - 91.38) < 1e-9);
    assert_int_equal(r.mutu, 'A');
}

static void band_edges(void **state)
{
    (void)state;
    /* §5: every printed edge. */
    assert_int_equal(ikm_mutu(25.00), 'D');
    assert_int_equal(ikm_mutu(64.99), 'D');
    assert_int_equal(ikm_mutu(65.00), 'C');
    assert_int_equal(ikm_mutu(76.60), 'C');
    assert_int_equal(ikm_mutu(76.61), 'B');
    assert_int_equal(ikm_mutu(88.30), 'B');
    assert_int_equal(ikm_mutu(88.31), 'A');
    assert_int_equal(ikm_mutu(100.00), 'A');
    /* On the unrounded value: 64.994 rounds to 64.99 (D), 64.995 to 65.00. */
    assert_int_equal(ikm_mutu(64.994), 'D');
    assert_int_equal(ikm_mutu(88.305), 'A');
    /* §6b: the published 76.475 is C under the 2017 bands, the exact 76.93 B. */
    assert_int_equal(ikm_mutu(76.475), 'C');
    assert_int_equal(ikm_mutu(76.93), 'B');
    assert_string_equal(ikm_kinerja('A', "id"), "Sangat baik");
    assert_string_equal(ikm_kinerja('B', "id"), "Baik");
    assert_string_equal(ikm_kinerja('C', "id"), "Kurang baik");
    assert_string_equal(ikm_kinerja('D', "id"), "Tidak baik");
    assert_string_equal(ikm_kinerja('D', "en"), "Not good");
}

/* §6c: all answers v from n respondents. */
static void uniform(int v, double want, char mutu)
{
    ikm_tally t;
    ikm_result r;
    memset(&t, 0, sizeof t);
    for (int u = 0; u < IKM_UNSUR; u++)
        for (int i = 0; i < 7; i++)
            ikm_add(&t, u, v);
    ikm_compute(&t, IKM_WEIGHT_EXACT, &r);
    assert_true(fabs(r.score - want) < 1e-9);
    assert_int_equal(r.mutu, mutu);
}

static void trivial_vectors(void **state)
{
    (void)state;
    uniform(4, 100.00, 'A');
    uniform(1, 25.00, 'D');
    uniform(3, 75.00, 'C');
    /* NRR means 3.0644 and 2.5996, as scores. */
    assert_int_equal(ikm_mutu(3.0644 * 25), 'B');
    assert_int_equal(ikm_mutu(2.5996 * 25), 'D');
}

static void empty_and_missing(void **state)
{
    (void)state;
    ikm_tally t;
    ikm_result r;
    memset(&t, 0, sizeof t);
    ikm_compute(&t, IKM_WEIGHT_EXACT, &r);
    assert_int_equal(r.answered, 0);
    assert_true(r.score == 0);
    assert_int_equal(r.mutu, '-');
    ikm_compute(&t, IKM_WEIGHT_0111, &r);
    assert_int_equal(r.mutu, '-');
    /* Unsur 4 (biaya) answered by nobody: the others still count, and it
     * is not a zero. */
    for (int u = 0; u < IKM_UNSUR; u++)
        if (u != 3)
            ikm_add(&t, u, 4);
    ikm_compute(&t, IKM_WEIGHT_EXACT, &r);
    assert_false(r.has[3]);
    assert_true(r.nrr[3] == 0);
    assert_int_equal(r.answered, 8);
    assert_true(fabs(r.score - 100.0) < 1e-9);
    ikm_compute(&t, IKM_WEIGHT_0111, &r);
    assert_true(fabs(r.score - 99.90) < 1e-9);
    /* Out-of-range answers are refused and change nothing. */
    assert_int_equal(ikm_add(&t, 0, 0), -1);
    assert_int_equal(ikm_add(&t, 0, 5), -1);
    assert_int_equal(ikm_add(&t, 9, 3), -1);
    assert_int_equal(ikm_add(&t, -1, 3), -1);
    assert_int_equal(t.count[0], 1);
}

static void sample_target(void **state)
{
    (void)state;
    /* §7, the formula's values (the printed K&M table has 384 for 100 000,
     * the formula gives 382.6). */
    static const int64_t n[] = {100,  150,  200,  300,   500,   1000,  1500,
                                2000, 3000, 5000, 10000, 20000, 50000, 1000000};
    static const int64_t s[] = {80,  108, 132, 169, 217, 278, 306,
                                322, 341, 357, 370, 377, 381, 384};
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
        assert_int_equal(ikm_sample_target(n[i]), s[i]);
    assert_int_equal(ikm_sample_target(0), 0);
    assert_int_equal(ikm_sample_target(1), 1);
    assert_int_equal(ikm_sample_target(5), 5);
}

static void labels(void **state)
{
    (void)state;
    assert_string_equal(ikm_unsur_code(0), "U1");
    assert_string_equal(ikm_unsur_name(1, "id"), "Sistem, Mekanisme, dan Prosedur");
    assert_string_equal(ikm_unsur_name(7, "id"), "Penanganan Pengaduan, Saran dan Masukan");
    assert_string_equal(ikm_unsur_name(8, "id"), "Sarana dan Prasarana");
    assert_string_equal(ikm_answer_label(3, 1, "id"), "Sangat mahal");
    assert_string_equal(ikm_answer_label(3, 4, "id"), "Gratis");
    assert_string_equal(ikm_answer_label(7, 3, "id"), "Berfungsi kurang maksimal");
    assert_string_equal(ikm_answer_label(6, 4, "id"), "Sangat sopan dan ramah");
    assert_string_equal(ikm_answer_label(0, 5, "id"), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example_exact),
        cmocka_unit_test(worked_example_0111),
        cmocka_unit_test(band_edges),
        cmocka_unit_test(trivial_vectors),
        cmocka_unit_test(empty_and_missing),
        cmocka_unit_test(sample_target),
        cmocka_unit_test(labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

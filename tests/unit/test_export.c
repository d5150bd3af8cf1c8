/* The CSV cell writer, the column list parser, and the case list SQL
 * builder (store/case_query.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/export.h"
#include "store/case_query.h"

#include <string.h>

static const char *cell(const char *s, bool defuse)
{
    static char out[256];
    size_t n = export_cell(out, s, strlen(s), defuse);
    out[n] = '\0';
    return out;
}

static void cells_are_quoted_when_needed(void **state)
{
    (void)state;
    assert_string_equal(cell("plain text", true), "plain text");
    assert_string_equal(cell("", true), "");
    assert_string_equal(cell("a,b", true), "\"a,b\"");
    assert_string_equal(cell("say \"hi\"", true), "\"say \"\"hi\"\"\"");
    assert_string_equal(cell("two\r\nlines", true), "\"two\r\nlines\"");
    assert_string_equal(cell("x;y", true), "\"x;y\"");
    assert_string_equal(cell(" padded ", true), "\" padded \"");
    assert_string_equal(cell("Jalan Kenanga No. 5", true), "Jalan Kenanga No. 5");
}

static void formulas_are_defused(void **state)
{
    (void)state;
    assert_string_equal(cell("=1+2", true), "\"'=1+2\"");
    assert_string_equal(cell("+62812", true), "\"'+62812\"");
    assert_string_equal(cell("-3", true), "\"'-3\"");
    assert_string_equal(cell("@SUM(A1)", true), "\"'@SUM(A1)\"");
    assert_string_equal(cell("\tx", true), "\"'\tx\"");
    assert_string_equal(cell("=\"a\"", true), "\"'=\"\"a\"\"\"");
    /* Our own numbers are left alone. */
    assert_string_equal(cell("-2.330100", false), "-2.330100");
    assert_string_equal(cell("a=b", true), "a=b");
}

static void column_lists(void **state)
{
    (void)state;
    export_cols c;
    const char *why = NULL;
    assert_int_equal(export_cols_parse(NULL, false, &c, &why), 0);
    assert_false(c.personal);
    size_t without = c.n;
    assert_int_equal(export_cols_parse("", true, &c, &why), 0);
    assert_true(c.n > without); /* the personal columns are added */
    assert_int_equal(export_cols_parse("id,description,lat", false, &c, &why), 0);
    assert_int_equal(c.n, 3);
    assert_false(c.personal);
    assert_int_equal(export_cols_parse("id,reporter_phone", false, &c, &why), 0);
    assert_true(c.personal);
    assert_int_equal(export_cols_parse("id,nosuch", true, &c, &why), -1);
    assert_string_equal(why, "columns: unknown column");
    assert_int_equal(export_cols_parse("id,id", true, &c, &why), -1);
    assert_int_equal(export_cols_parse(",", true, &c, &why), -1);
    assert_int_equal(export_cols_parse("id,", true, &c, &why), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(export_cols_parse("ID", true, &c, &why), -1);
    assert_non_null(strstr(export_col_keys(), "tracking_code,created_at"));
}

static void list_sql_has_only_the_filters_given(void **state)
{
    (void)state;
    cq_t q;
    cq_scope one = {.n = 1, .ids = {3}}, two = {.n = 2, .ids = {1, 2}}, none = {0};
    store_case_filter f = {.limit = 20};
    cq_init(&q);
    cq_case_filters(&q, &f, &one, "c.id");
    assert_string_equal(q.sql, " AND c.agency_id = 3{INT8} ORDER BY c.id DESC LIMIT 20");
    assert_int_equal(q.ntext, 0);

    store_case_filter g = {.status = "received",
                           .kecamatan_code = "63.11.01",
                           .team_id = 4,
                           .from = 100,
                           .to = 200,
                           .before_id = 77,
                           .limit = 5};
    cq_init(&q);
    cq_case_filters(&q, &g, &two, "c.id");
    assert_string_equal(q.sql,
                        " AND c.agency_id IN (1, 2) AND c.team_id = 4{INT8} AND c.status = $1"
                        " AND c.kecamatan_code = $2 AND c.created_at >= 100"
                        " AND c.created_at < 200 AND c.id < 77"
                        " ORDER BY c.id DESC LIMIT 5");
    assert_int_equal(q.ntext, 2);
    assert_string_equal(q.text[0], "received");
    assert_string_equal(q.text[1], "63.11.01");

    store_case_filter h = {.after_id = 9, .scope_user_id = 5};
    cq_scope many = {.many = true};
    cq_init(&q);
    q.order_by_expr = true;
    cq_case_filters(&q, &h, &many, "f.rowid");
    assert_string_equal(q.sql, " AND c.agency_id IN (SELECT agency_id FROM user_roles WHERE"
                               " user_id = 5) AND f.rowid > 9 ORDER BY f.rowid + 0 ASC LIMIT 50");

    cq_init(&q);
    cq_case_filters(&q, &f, &none, "c.id");
    assert_string_equal(q.sql, " AND 1 = 0 ORDER BY c.id DESC LIMIT 20");
    cq_scope all = {.all = true};
    cq_init(&q);
    cq_case_filters(&q, &f, &all, "c.id");
    assert_string_equal(q.sql, " ORDER BY c.id DESC LIMIT 20");
}

static void list_sql_overflow_is_reported(void **state)
{
    (void)state;
    cq_t q;
    cq_init(&q);
    for (int i = 0; i < CQ_TEXT_MAX + 1; i++)
        cq_text(&q, "x");
    assert_true(q.overflow);
    cq_init(&q);
    char big[CQ_SQL_MAX];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cq_sql(&q, "x");
    cq_sql(&q, big);
    assert_true(q.overflow);
    assert_string_equal(q.sql, "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cells_are_quoted_when_needed),
        cmocka_unit_test(formulas_are_defused),
        cmocka_unit_test(column_lists),
        cmocka_unit_test(list_sql_has_only_the_filters_given),
        cmocka_unit_test(list_sql_overflow_is_reported),
    };
    return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}

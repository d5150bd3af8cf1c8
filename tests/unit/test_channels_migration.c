/* Migration 0022 (issue 15) on a database that lived before it: the
 * WhatsApp conversations and outbox become the channels' conversations and
 * outbox, every row kept with channel "whatsapp"; the reporters' WhatsApp
 * ids become their contacts. A message still pending before the migration
 * is claimed and sent after it, a sent one keeps its delivery, the
 * dialogue goes on where it stood. SQLite, then PostgreSQL when the test
 * runner gives one (ADUAN_TEST_PG). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/secret.h"
#include "store/q.h"

#define NOW          1795305600 /* 2026-11-22T08:00:00+08:00 */
#define FIXTURE_NAME "channels"
#include "store_fixture.h"

#define CITIZEN "6281100000777"
#define STAFF   "6281100000888"

/* The rows of a deployment before 0022, as its code wrote them. */
static const char OLD_ROWS[] =
    "INSERT INTO agencies (id, code, name, kind, timezone, created_at)"
    " VALUES (1, 'satpolpp', 'Satpol PP', 'satpolpp', 'Asia/Makassar', 1);"
    "INSERT INTO agency_numbers (phone_number_id, agency_id, display_phone, created_at)"
    " VALUES ('100000000000009', 1, '+62 811 0000 009', 1);"
    "INSERT INTO reporters (id, wa_id, name, created_at) VALUES (5, '" CITIZEN "', 'Budi', 2);"
    "INSERT INTO cases (id, agency_id, reporter_id, kind, channel, description, status,"
    " tracking_code, created_at, updated_at) VALUES (1, 1, 5, 'complaint', 'whatsapp',"
    " 'PKL di trotoar', 'received', 'ABCDEFGH', 3, 3);"
    "INSERT INTO messages (id, agency_id, reporter_id, case_id, direction, wamid, type, body,"
    " created_at) VALUES (40, 1, 5, 1, 'in', 'wamid.old1', 'text', 'halo', 3);"
    "INSERT INTO wa_conversations (agency_id, wa_id, phone_number_id, state, draft, lang,"
    " version, last_inbound_at, updated_at) VALUES"
    " (1, '" CITIZEN "', '100000000000009', 'report_location', '{\"report\":{}}', 'en', 7,"
    "  "
    "1795305500, 1795305500),"
    " (1, '" STAFF "', '100000000000009', 'idle', '{}', 'id', 2, 0, 4);"
    "INSERT INTO wa_outbox (id, agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
    " template, state, attempts, used_template, wamid, delivery, created_at, updated_at) VALUES"
    " (10, 1, '100000000000009', '" CITIZEN "', 1, 'reply', '{\"type\":\"text\"}', NULL,"
    "  'sent', 1, %s, 'wamid.out10', 'delivered', 3, 3),"
    " (11, 1, '100000000000009', '" STAFF "', 1, 'staff_alert', '{\"type\":\"text\"}',"
    "  '{\"type\":\"template\"}', 'pending', 0, %s, NULL, NULL, 4, 4);";

static void old_rows_move_to_the_neutral_tables(void **state)
{
    fixture *f = *state;
    int version = 0;
    assert_int_equal(store_schema_version(f->s, &version), ERR_OK);
    assert_true(version < 22);
    char sql[sizeof OLD_ROWS + 32];
    const char *no = use_pg ? "FALSE" : "0";
    snprintf(sql, sizeof sql, OLD_ROWS, no, no);
    assert_int_equal(fixture_sql(f, sql), 0);
    /* The ids an older aduan took from the sequence (explicit here). */
    if (use_pg)
        assert_int_equal(
            fixture_sql(f, "SELECT setval(pg_get_serial_sequence('wa_outbox', 'id'), 11)"), 0);

    assert_int_equal(store_migrate(f->s, NULL), ERR_OK);
    assert_int_equal(store_schema_version(f->s, &version), ERR_OK);
    assert_true(version >= 22);

    /* The dialogue goes on where it stood. */
    store_conv cv;
    assert_int_equal(store_conv_get(f->s, f->ar, 1, "whatsapp", CITIZEN, &cv), ERR_OK);
    assert_string_equal(cv.state, "report_location");
    assert_string_equal(cv.draft, "{\"report\":{}}");
    assert_string_equal(cv.lang, "en");
    assert_int_equal(cv.version, 7);
    assert_int_equal(cv.last_inbound_at, 1795305500);
    assert_int_equal(store_conv_get(f->s, f->ar, 1, "telegram", CITIZEN, &cv), ERR_OK);
    assert_int_equal(cv.version, -1); /* another channel's contact: none */

    /* Both outbox rows, the sent one with its delivery. */
    store_outbox_item *it;
    size_t n = 0;
    assert_int_equal(store_outbox_list(f->s, f->ar, NULL, NULL, 10, &it, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(it[1].id, 10);
    assert_string_equal(it[1].channel, "whatsapp");
    assert_string_equal(it[1].endpoint, "100000000000009");
    assert_string_equal(it[1].address, CITIZEN);
    assert_string_equal(it[1].state, "sent");
    assert_string_equal(it[1].provider_id, "wamid.out10");
    assert_string_equal(it[1].delivery, "delivered");
    assert_null(it[1].message);
    bool dup = true;
    assert_int_equal(
        store_outbox_delivery(f->s, "whatsapp", "wamid.out10", "read", NULL, NOW, &dup), ERR_OK);
    assert_false(dup);
    assert_int_equal(store_outbox_list(f->s, f->ar, "whatsapp", CITIZEN, 10, &it, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(it[0].delivery, "read");

    /* The pending one is claimed and sent as before. */
    store_outbox_row *rows;
    assert_int_equal(store_outbox_claim(f->s, f->ar, NOW, 60, 10, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, 11);
    assert_string_equal(rows[0].address, STAFF);
    assert_string_equal(rows[0].kind, "staff_alert");
    assert_string_equal(rows[0].template, "{\"type\":\"template\"}");
    assert_string_equal(rows[0].lang, "id");
    assert_int_equal(store_outbox_sent(f->s, 11, "wamid.out11", true, NULL, NOW), ERR_OK);

    /* The reporter's WhatsApp id is its contact; a new row finds the
     * citizen's latest message through it (the thread's order). */
    int64_t v = 0;
    assert_int_equal(q_one_int(f->s,
                               "SELECT reporter_id FROM contacts WHERE channel = 'whatsapp'"
                               " AND address = '" CITIZEN "'",
                               &v),
                     ERR_OK);
    assert_int_equal(v, 5);
    int64_t id = 0, last_in = 0;
    assert_int_equal(store_outbox_operator_message(f->s, 1, 0, "{}", NULL, "Mohon kirim foto", NOW,
                                                   &id, &last_in),
                     ERR_OK);
    assert_true(id > 11); /* the ids go on */
    assert_int_equal(last_in, 1795305500);
    assert_int_equal(
        q_one_int(f->s, "SELECT after_message_id FROM outbox WHERE id = $1", &v, Q_INT(id)),
        ERR_OK);
    assert_int_equal(v, 40);

    /* 0030 (issue 16 section 4): the message from before says its channel. */
    assert_int_equal(q_one_int(f->s,
                               "SELECT COUNT(*) FROM messages WHERE id = 40"
                               " AND channel = 'whatsapp'",
                               &v),
                     ERR_OK);
    assert_int_equal(v, 1);
}

/* A database of its own, migrated up to (not including) 0022. */
static int setup_old(void **state) { return fixture_open(state, "0022"); }

int main(void)
{
    (void)setup; /* the fixture's: this test needs a database from before 0022 */
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(old_rows_move_to_the_neutral_tables, setup_old, teardown),
    };
    int failed = cmocka_run_group_tests_name("channels-migration-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("channels-migration-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "channels-migration: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}

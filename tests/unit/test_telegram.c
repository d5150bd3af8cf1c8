/* The Telegram driver's pure parts (issue 16 §2): a bot token's form and
 * its bot id, and the neutral messages rendered as Bot API calls with
 * Telegram's limits (inline keyboards, the share-location button, the
 * document, no templates). The wire path is tests/e2e/test_telegram.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "channels/telegram/tg.h"

#include <jansson.h>
#include <string.h>

static json_t *render(arena_t *ar, const channel_msg *m)
{
    const char *s = tg_render(ar, "5550001", m);
    assert_non_null(s);
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    assert_non_null(j);
    return j;
}

static void tokens_are_checked(void **state)
{
    (void)state;
    char bot[32];
    assert_true(tg_token_valid("123456789:AAHk3s9FakeTokenForTheTests_abcdefgh", bot, sizeof bot));
    assert_string_equal(bot, "123456789");
    assert_false(tg_token_valid(NULL, bot, sizeof bot));
    assert_false(tg_token_valid("", bot, sizeof bot));
    assert_false(tg_token_valid("not-a-token", bot, sizeof bot));
    assert_false(tg_token_valid(":AAHk3s9FakeTokenForTheTests_abcdefgh", bot, sizeof bot));
    assert_false(tg_token_valid("12a4:AAHk3s9FakeTokenForTheTests_abcdefgh", bot, sizeof bot));
    assert_false(tg_token_valid("1234:short", bot, sizeof bot));
    assert_false(tg_token_valid("1234:AAHk3s9FakeTokenForTheTests_abc/efgh", bot, sizeof bot));
}

static void text_and_choices(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    channel_msg m = {.kind = CHANNEL_MSG_TEXT, .text = "Halo"};
    json_t *j = render(ar, &m);
    assert_string_equal(json_string_value(json_object_get(j, "method")), "sendMessage");
    assert_string_equal(json_string_value(json_object_get(j, "chat_id")), "5550001");
    assert_string_equal(json_string_value(json_object_get(j, "text")), "Halo");
    json_decref(j);

    /* Up to three buttons side by side. */
    channel_choice c[] = {{"confirm:send", "Kirim", NULL},
                          {"confirm:edit", "Ubah", NULL},
                          {"confirm:cancel", "Batal", NULL},
                          {"x:4", "Empat", "keterangan"}};
    m = (channel_msg){.kind = CHANNEL_MSG_CHOICES, .text = "Kirim?", .choices = c, .nchoices = 3};
    j = render(ar, &m);
    json_t *kb = json_object_get(json_object_get(j, "reply_markup"), "inline_keyboard");
    assert_int_equal(json_array_size(kb), 1);
    assert_int_equal(json_array_size(json_array_get(kb, 0)), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_array_get(kb, 0), 2),
                                                          "callback_data")),
                        "confirm:cancel");
    json_decref(j);

    /* A list: one row per option, the description after the title. */
    m.nchoices = 4;
    m.list_button = "Pilih";
    j = render(ar, &m);
    kb = json_object_get(json_object_get(j, "reply_markup"), "inline_keyboard");
    assert_int_equal(json_array_size(kb), 4);
    assert_non_null(
        strstr(json_string_value(json_object_get(json_array_get(json_array_get(kb, 3), 0), "text")),
               "keterangan"));
    json_decref(j);

    /* callback_data is at most 64 bytes: a longer id is left out. */
    char longid[80];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    channel_choice l[] = {{longid, "Panjang", NULL}, {"ok", "OK", NULL}};
    m = (channel_msg){.kind = CHANNEL_MSG_CHOICES, .text = "?", .choices = l, .nchoices = 2};
    j = render(ar, &m);
    kb = json_object_get(json_object_get(j, "reply_markup"), "inline_keyboard");
    assert_int_equal(json_array_size(json_array_get(kb, 0)), 1);
    json_decref(j);
    arena_destroy(ar);
}

static void location_document_template(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    channel_msg m = {.kind = CHANNEL_MSG_LOCATION, .text = "Di mana?"};
    json_t *j = render(ar, &m);
    json_t *b = json_array_get(
        json_array_get(json_object_get(json_object_get(j, "reply_markup"), "keyboard"), 0), 0);
    assert_true(json_is_true(json_object_get(b, "request_location")));
    assert_true(
        json_is_true(json_object_get(json_object_get(j, "reply_markup"), "one_time_keyboard")));
    json_decref(j);

    m = (channel_msg){.kind = CHANNEL_MSG_DOCUMENT,
                      .text = "Dokumen Anda",
                      .media = "placeholder",
                      .filename = "akta.pdf"};
    const char *payload = tg_render(ar, "5550001", &m), *tmpl = NULL;
    char err[128];
    bool final;
    assert_null(tg_attach_document(NULL, NULL, ar, "123", "/var/media/abc", "abc", "akta.pdf",
                                   &payload, &tmpl, &final, err, sizeof err));
    json_error_t je;
    j = json_loads(payload, 0, &je);
    assert_string_equal(json_string_value(json_object_get(j, "method")), "sendDocument");
    assert_string_equal(json_string_value(json_object_get(j, "document_path")), "/var/media/abc");
    assert_string_equal(json_string_value(json_object_get(j, "caption")), "Dokumen Anda");
    json_decref(j);

    /* No templates on Telegram: an intent is its parameters as text. */
    const char *params[] = {"ABCD-EFGH", "Diverifikasi"};
    m = (channel_msg){.kind = CHANNEL_MSG_TEMPLATE,
                      .template = "aduan_status_update",
                      .params = params,
                      .nparams = 2};
    j = render(ar, &m);
    assert_string_equal(json_string_value(json_object_get(j, "text")), "ABCD-EFGH\nDiverifikasi");
    json_decref(j);
    assert_true(tg_driver.can_send_text(0, 1));
    assert_false(tg_driver.caps.mobile_address);
    arena_destroy(ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_are_checked),
        cmocka_unit_test(text_and_choices),
        cmocka_unit_test(location_document_template),
    };
    return cmocka_run_group_tests_name("telegram", tests, NULL, NULL);
}

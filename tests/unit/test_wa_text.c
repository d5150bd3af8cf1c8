/* The WhatsApp text catalogue (channels/wa_text.c, issue 13): the
 * {placeholders} a text must keep, every use of one filled, and the steps
 * and labels of the texts page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channels/whatsapp/wa_text.h"

#include <stdio.h>
#include <string.h>

static void every_default_keeps_its_own_placeholders(void **state)
{
    (void)state;
    for (size_t i = 0; i < wa_text_count(); i++) {
        const char *key = wa_text_key(i);
        assert_null(wa_text_check(key, "id", wa_text_default(i, "id")));
        assert_null(wa_text_check(key, "en", wa_text_default(i, "en")));
        /* The two languages of a text have the same placeholders. */
        assert_null(wa_text_check(key, "en", wa_text_default(i, "id")));
    }
}

static void placeholders_dropped_or_added(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    const char *missing, *unknown;
    assert_false(wa_text_placeholders(ar, "created", "id", "Terima kasih.", &missing, &unknown));
    assert_string_equal(missing, "{code}, {url}");
    assert_null(unknown);
    assert_false(
        wa_text_placeholders(ar, "created", "id", "{code} {url} {nik}", &missing, &unknown));
    assert_null(missing);
    assert_string_equal(unknown, "{nik}");
    /* Order, repetition and plain braces are fine. */
    assert_true(wa_text_placeholders(ar, "created", "id", "{url} {code} {code} { } {Code x}",
                                     &missing, &unknown));
    assert_null(wa_text_check("created", "id", "{url} {code} {code}"));
    assert_non_null(wa_text_check("created", "id", "{url}"));
    assert_non_null(wa_text_check("created", "id", "{url} {code} {kode}"));
    /* A text without placeholders must stay without. */
    assert_true(wa_text_placeholders(ar, "menu_button", "en", "Menu", &missing, &unknown));
    assert_false(
        wa_text_placeholders(ar, "menu_button", "en", "Menu {agency}", &missing, &unknown));
    assert_string_equal(unknown, "{agency}");
    /* An unknown key. */
    assert_false(wa_text_placeholders(ar, "nope", "id", "x", &missing, &unknown));
    assert_null(missing);
    assert_null(unknown);
    assert_string_equal(wa_text_check("nope", "id", "x"), "unknown key");
    assert_string_equal(wa_text_placeholder_names(ar, 0, "id"), "{agency}");
    arena_destroy(ar);
}

static void every_text_has_a_step_and_a_label(void **state)
{
    (void)state;
    size_t other = wa_text_step_count() - 1;
    assert_string_equal(wa_text_step_key(other), "other");
    assert_string_equal(wa_text_step_key(0), "menu");
    for (size_t i = 0; i < wa_text_count(); i++) {
        if (!wa_text_labelled(i))
            fail_msg("text %s has no label for the texts page", wa_text_key(i));
        assert_true(wa_text_step_of(i) < other);
        assert_string_not_equal(wa_text_label(i, "id"), wa_text_key(i));
        assert_string_not_equal(wa_text_label(i, "en"), wa_text_key(i));
    }
    for (size_t s = 0; s < wa_text_step_count(); s++) {
        assert_non_null(wa_text_step_label(s, "id"));
        assert_non_null(wa_text_step_label(s, "en"));
    }
}

static void repeated_placeholders_are_all_filled(void **state)
{
    (void)state;
    store_bot_text row = {"created", "id", "{code}{code}{code}{url}{url}{url}", 1};
    wa_text_override(&row, 1);
    arena_t *ar = arena_new();
    const char *url = "http://example.org/t/ABCDEFGH-a-long-path-for-the-test";
    char *t = wa_textf(ar, "created", "id", "code", "ABCD-EFGH", "url", url, NULL);
    char want[512];
    snprintf(want, sizeof want, "ABCD-EFGHABCD-EFGHABCD-EFGH%s%s%s", url, url, url);
    assert_string_equal(t, want);
    /* A stored text that lost a placeholder is not used. */
    store_bot_text broken = {"created", "id", "Terima kasih.", 2};
    wa_text_override(&broken, 1);
    size_t i = 0;
    while (strcmp(wa_text_key(i), "created") != 0)
        i++;
    assert_string_equal(wa_text("created", "id"), wa_text_default(i, "id"));
    wa_text_override(NULL, 0);
    arena_destroy(ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_default_keeps_its_own_placeholders),
        cmocka_unit_test(placeholders_dropped_or_added),
        cmocka_unit_test(every_text_has_a_step_and_a_label),
        cmocka_unit_test(repeated_placeholders_are_all_filled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

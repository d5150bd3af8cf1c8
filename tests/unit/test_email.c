/* The email driver's reading of a mail (channels/email/email_in.c, issue
 * 16 §3): the tracking code of a reply, automatic mail, malformed MIME,
 * attachments, the citizen's own words, charsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channels/email/email.h"

#include <jansson.h>
#include <string.h>

static err_t parse(arena_t *ar, const char *raw, email_msg *m, const char **why)
{
    return email_parse(ar, (const unsigned char *)raw, strlen(raw), m, why);
}

static void the_code_of_a_reply(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    assert_string_equal(email_find_code(ar, "Re: [ADUAN ABCD-EFGH] Laporan Anda", NULL),
                        "ABCDEFGH");
    /* Typed by hand: lower case, O for 0. */
    assert_string_equal(email_find_code(ar, "[aduan abcd-efgo] halo", NULL), "ABCDEFG0");
    assert_string_equal(email_find_code(ar, "Masih sama", "<aduan.ABCDEFGH.0a1b@x.go.id>"),
                        "ABCDEFGH");
    assert_null(email_find_code(ar, "[ADUAN] tanpa kode", NULL));
    assert_null(email_find_code(ar, "[ADUAN ABCD-EFGH", NULL));
    assert_null(email_find_code(ar, NULL, "<aduan.0.0a1b@x.go.id> <123@example.id>"));
    assert_null(email_find_code(ar, "[LAPOR ABCD-EFGH]", NULL));
    arena_destroy(ar);
}

static void a_person_s_mail(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    email_msg m;
    const char *why;
    const char *raw = "From: \"Budi\" <Budi@Example.ID>\r\nTo: aduan@x.go.id\r\n"
                      "Subject: Jalan rusak\r\nMessage-ID: <m1@example.id>\r\n"
                      "In-Reply-To: <aduan.ABCDEFGH.00@x.go.id>\r\nMIME-Version: 1.0\r\n"
                      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                      "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                      "Lubang besar.\r\n\r\nOn Mon, Budi wrote:\r\n> lama\r\n"
                      "--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; "
                      "filename=a.png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                      "iVBORw0KGgo=\r\n"
                      "--b\r\nContent-Type: application/zip\r\nContent-Disposition: attachment\r\n"
                      "\r\nUEsDBA==\r\n--b--\r\n";
    assert_int_equal(parse(ar, raw, &m, &why), ERR_OK);
    assert_string_equal(m.from, "budi@example.id");
    assert_string_equal(m.from_name, "Budi");
    assert_string_equal(m.subject, "Jalan rusak");
    assert_string_equal(m.message_id, "m1@example.id");
    assert_string_equal(m.text, "Lubang besar.");
    assert_string_equal(m.code, "ABCDEFGH");
    assert_null(m.automatic);
    /* The PNG is evidence; the zip is not. */
    assert_int_equal(m.nparts, 1);
    assert_string_equal(m.parts[0].mime, "image/png");
    assert_string_equal(m.parts[0].filename, "a.png");
    assert_int_equal(m.parts[0].len, 8);
    assert_memory_equal(m.parts[0].data, "\x89PNG\r\n\x1a\n", 8);
    arena_destroy(ar);
}

static void automatic_mail(void **state)
{
    (void)state;
    static const struct {
        const char *headers, *why;
    } cases[] = {
        {"From: a@example.id\r\nAuto-Submitted: auto-replied\r\n", "Auto-Submitted"},
        {"From: a@example.id\r\nAuto-Submitted: auto-generated\r\n", "Auto-Submitted"},
        {"From: a@example.id\r\nPrecedence: bulk\r\n", "Precedence"},
        {"From: a@example.id\r\nPrecedence: junk\r\n", "Precedence"},
        {"From: a@example.id\r\nList-Id: <l.example.id>\r\n", "List-Id"},
        {"From: MAILER-DAEMON@example.id\r\n", "MAILER-DAEMON"},
        {"From: a@example.id\r\nContent-Type: multipart/report; report-type=delivery-status;"
         " boundary=r\r\n",
         "delivery report"},
        {"From: a@example.id\r\nAuto-Submitted: no\r\n", NULL},
        {"From: a@example.id\r\nPrecedence: first-class\r\n", NULL},
    };
    arena_t *ar = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        email_msg m;
        const char *why;
        const char *raw =
            arena_printf(ar, "%sSubject: x\r\n\r\n--r\r\n\r\nisi\r\n--r--\r\n", cases[i].headers);
        assert_int_equal(parse(ar, raw, &m, &why), ERR_OK);
        if (cases[i].why) {
            if (!m.automatic)
                fail_msg("case %zu: not automatic", i);
            assert_string_equal(m.automatic, cases[i].why);
        } else
            assert_null(m.automatic);
    }
    arena_destroy(ar);
}

static void malformed_mail(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    email_msg m;
    const char *why;
    assert_int_equal(parse(ar,
                           "From: a@example.id\r\nContent-Type: multipart/mixed\r\n\r\n"
                           "--x\r\n\r\nhalo\r\n--x--\r\n",
                           &m, &why),
                     ERR_INVALID);
    assert_non_null(strstr(why, "boundary"));
    assert_int_equal(parse(ar, "Subject: tanpa pengirim\r\n\r\nhalo\r\n", &m, &why), ERR_INVALID);
    assert_non_null(strstr(why, "sender"));
    assert_int_equal(parse(ar, "", &m, &why), ERR_INVALID);
    /* An address that would break an SMTP command is no sender. */
    assert_int_equal(parse(ar, "From: \"x\" <a>b@example.id>\r\n\r\nhalo\r\n", &m, &why),
                     ERR_INVALID);
    /* Whatever GMime makes of a@b@c, what it gives has one @. */
    if (parse(ar, "From: a@b@example.id\r\n\r\nhalo\r\n", &m, &why) == ERR_OK)
        assert_ptr_equal(strchr(m.from, '@'), strrchr(m.from, '@'));
    assert_int_equal(
        parse(ar, "From: =?utf-8?q?a=0D=0ARCPT_TO:x?=@example.id\r\n\r\nhalo\r\n", &m, &why),
        ERR_INVALID);
    arena_destroy(ar);
}

static void charsets_and_html(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    email_msg m;
    const char *why;
    assert_int_equal(parse(ar,
                           "From: a@example.id\r\nSubject: =?iso-8859-1?q?caf=E9?=\r\n"
                           "Content-Type: text/plain; charset=iso-8859-1\r\n"
                           "Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 ramai\r\n",
                           &m, &why),
                     ERR_OK);
    assert_string_equal(m.subject, "caf\xc3\xa9");
    assert_string_equal(m.text, "Caf\xc3\xa9 ramai");
    assert_int_equal(parse(ar,
                           "From: a@example.id\r\nContent-Type: text/html\r\n\r\n"
                           "<p>Sampah <b>menumpuk</b></p>\r\n",
                           &m, &why),
                     ERR_OK);
    assert_string_equal(m.text, "Sampah menumpuk");
    arena_destroy(ar);
}

static const char *rendered_text(arena_t *ar, const channel_msg *m)
{
    const char *payload = email_driver.render(ar, "a@example.id", m);
    if (!payload)
        return NULL;
    json_t *j = json_loads(payload, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "to")), "a@example.id");
    const char *t = arena_strdup(ar, json_string_value(json_object_get(j, "text")));
    json_decref(j);
    return t;
}

static void rendering(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    channel_msg m = {.kind = CHANNEL_MSG_TEXT, .text = "Laporan *ABCD-EFGH*: Diverifikasi."};
    assert_string_equal(rendered_text(ar, &m), "Laporan ABCD-EFGH: Diverifikasi.");
    m.text = "2 * 3 = 6, a*b";
    assert_string_equal(rendered_text(ar, &m), "2 * 3 = 6, a*b");
    channel_choice c[] = {{"a", "Ya", NULL}, {"b", "Tidak", NULL}};
    m = (channel_msg){.kind = CHANNEL_MSG_CHOICES, .text = "Benar?", .choices = c, .nchoices = 2};
    assert_string_equal(rendered_text(ar, &m), "Benar?\n1. Ya\n2. Tidak");
    m = (channel_msg){.kind = CHANNEL_MSG_DOCUMENT, .media = "x", .filename = "a.pdf"};
    assert_null(rendered_text(ar, &m));
    /* Mail has no re-engagement window. */
    assert_true(email_driver.can_send_text(0, 1000000));
    arena_destroy(ar);
}

static void a_place_in_the_text(void **state)
{
    (void)state;
    double lat = 0, lon = 0;
    assert_true(email_find_place("Lokasinya geo:-2.3331,115.4660 dekat pasar", &lat, &lon));
    assert_true(lat == -2.3331 && lon == 115.4660);
    assert_true(email_find_place("https://maps.google.com/?q=-2.5,115.25", &lat, &lon));
    assert_true(lat == -2.5 && lon == 115.25);
    assert_true(email_find_place("https://www.google.com/maps/@-2.40,115.30,17z", &lat, &lon));
    assert_true(lat == -2.40 && lon == 115.30);
    assert_true(email_find_place("www.openstreetmap.org/?mlat=-2.1&mlon=115.9#map", &lat, &lon));
    assert_true(lat == -2.1 && lon == 115.9);
    assert_true(email_find_place("Lokasi: -2.333, 115.466\nTerima kasih", &lat, &lon));
    assert_true(lat == -2.333 && lon == 115.466);
    /* A phone number, a date, an address or an impossible point is none. */
    assert_false(email_find_place("Hubungi 0812,3456 atau q=0812,7777", &lat, &lon));
    assert_false(email_find_place("warga@example.id menulis pada 3.12,2026", &lat, &lon));
    assert_false(email_find_place("geo:95.0,115.0", &lat, &lon));
    assert_false(email_find_place("geo:0.0,0.0", &lat, &lon));
    assert_false(email_find_place("Jl. A. Yani km 3,5", &lat, &lon));
    assert_false(email_find_place(NULL, &lat, &lon));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_code_of_a_reply), cmocka_unit_test(a_person_s_mail),
        cmocka_unit_test(automatic_mail),      cmocka_unit_test(malformed_mail),
        cmocka_unit_test(charsets_and_html),   cmocka_unit_test(rendering),
        cmocka_unit_test(a_place_in_the_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The dialogue as tables (issue 15, item 3): every state has one step and
 * one stored name that maps back to it; the dialogue speaks neutral
 * messages (channels/channel.h) that a driver renders, and degrades by the
 * driver's capabilities: a fake driver without buttons, lists or location
 * requests gets numbered options, where typing a number picks the option
 * as a tap would, and is asked for the typed address (on SQLite and, with
 * ADUAN_TEST_PG, on PostgreSQL). WhatsApp's render gives the Graph API
 * payloads the dialogue gave before it spoke neutral messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channels/dialog.h"
#include "channels/whatsapp/wa.h"
#include "channels/texts.h"
#include "core/secret.h"
#include "store/store.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1795305600 /* 2026-11-22T08:00:00+08:00 */

#define FIXTURE_NAME "dialogue"
#include "store_fixture.h"

static void every_state_has_one_step_and_name(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    for (int st = 0; st < DLG__COUNT; st++) {
        const dlg_step *s = dlg_step_of((dlg_state)st);
        assert_non_null(s);
        assert_int_equal(s->state, st);
        assert_non_null(s->on_input);
        assert_non_null(dlg_part_of((dlg_state)st));
        int64_t arg = -1;
        const char *name = dlg_name(ar, (dlg_state)st, 42);
        assert_non_null(name);
        assert_int_equal(dlg_parse(name, &arg), st);
        assert_int_equal(arg, st == DLG_SVC_RESEND || st == DLG_WITHDRAW ? 42 : 0);
        for (int other = 0; other < st; other++)
            assert_string_not_equal(name, dlg_name(ar, (dlg_state)other, 42));
    }
    /* No state is in two tables. */
    const dlg_part *parts[] = {&dlg_report, &dlg_emergency, &dlg_service, &dlg_survey};
    size_t total = 0;
    for (size_t p = 0; p < 4; p++)
        total += parts[p]->n;
    assert_int_equal(total, DLG__COUNT);
    /* The names stored before the tables, as the conversations keep them. */
    assert_int_equal(dlg_parse(NULL, NULL), DLG_IDLE);
    assert_int_equal(dlg_parse("e_after", NULL), DLG_E_AFTER);
    assert_int_equal(dlg_parse("svc_doc", NULL), DLG_SVC_DOC);
    assert_int_equal(dlg_parse("sv_q", NULL), DLG_SV_Q);
    assert_true(bot_state_drafting("kecamatan") && bot_state_drafting("svc_nik"));
    assert_false(bot_state_drafting("svc_resend:7") || bot_state_drafting("e_after") ||
                 bot_state_drafting("nope") || bot_state_drafting(NULL));
    /* What no version wrote. */
    const char *bad[] = {"",
                         "Idle",
                         "no_such_state",
                         "svc_resend:",
                         "svc_resend:x",
                         "svc_resend:0",
                         "svc_resend:12x",
                         "sv_",
                         "menu "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(dlg_parse(bad[i], NULL), DLG_UNKNOWN);
    assert_null(dlg_name(ar, DLG_UNKNOWN, 0));
    assert_null(dlg_step_of(DLG__COUNT));
    arena_destroy(ar);
}

/* A fake channel that shows neither buttons nor lists nor location
 * requests: it renders text alone ("plain:<text>") and nothing else. */
static const char *plain_render(arena_t *ar, const char *address, const channel_msg *m)
{
    (void)address;
    return m->kind == CHANNEL_MSG_TEXT ? arena_printf(ar, "plain:%s", m->text) : NULL;
}

static const channel_driver PLAIN_DRIVER = {
    .name = "plain",
    .caps = {.buttons_max = 0, .list_rows_max = 0, .location_request = false},
    .render = plain_render};
static const channel_caps *const PLAIN = &PLAIN_DRIVER.caps;
static const channel_caps *const WHATSAPP = &wa_driver.caps;

/* One message from 6281200000001 to agency (1: Satpol PP, 2: Damkar) in
 * state with draft; fx gets the effects. */
static void step_to(fixture *f, int64_t agency, const channel_caps *caps, const char *state,
                    const char *draft, const char *text, store_dialog_effects *fx)
{
    static int n;
    store_agency *ag = arena_alloc(f->ar, sizeof *ag);
    assert_non_null(ag);
    assert_int_equal(store_agency_get(f->s, f->ar, agency, ag), ERR_OK);
    wa_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = WA_EV_MESSAGE;
    ev.phone_number_id = "100000000000001";
    ev.wamid = arena_printf(f->ar, "wamid.unit%d", ++n);
    ev.from = "6281200000001";
    ev.type = "text";
    ev.timestamp = NOW;
    ev.text = text;
    bot_in in = {f->s,
                 f->ar,
                 "https://aduan.example.go.id",
                 NOW,
                 ag,
                 ev.phone_number_id,
                 &ev,
                 {state, draft, "id", 3, NOW - 60, NOW - 60},
                 5,
                 7 * 60 + 30,
                 16 * 60,
                 30,
                 "",
                 NULL};
    memset(fx, 0, sizeof *fx);
    assert_int_equal(bot_step_caps(&in, caps, fx), ERR_OK);
}

static void step(fixture *f, const channel_caps *caps, const char *state, const char *draft,
                 const char *text, store_dialog_effects *fx)
{
    step_to(f, 1, caps, state, draft, text, fx);
}

/* The text of the only reply, as the plain driver renders it: it must be
 * a message that driver can show. */
static const char *only_text(fixture *f, const store_dialog_effects *fx)
{
    assert_int_equal(fx->nout, 1);
    const char *r = channel_render_json(f->ar, &PLAIN_DRIVER, "x", fx->out[0].message);
    assert_non_null(r);
    assert_true(strncmp(r, "plain:", 6) == 0);
    return r + 6;
}

/* The only reply rendered by WhatsApp's driver to 6281200000001. */
static const char *only_wa(fixture *f, const store_dialog_effects *fx)
{
    assert_int_equal(fx->nout, 1);
    const char *r = channel_render_json(f->ar, &wa_driver, "6281200000001", fx->out[0].message);
    assert_non_null(r);
    return r;
}

static void no_buttons_gets_numbered_options(void **state)
{
    fixture *f = *state;
    store_dialog_effects fx;
    /* The menu (a list on WhatsApp) as numbered lines. */
    step(f, PLAIN, "idle", "{}", "halo", &fx);
    const char *menu = only_text(f, &fx);
    assert_string_equal(fx.state, "menu");
    assert_non_null(strstr(menu, "\n1. Buat laporan"));
    assert_non_null(strstr(menu, "\n2. "));
    assert_non_null(strstr(menu, "\n3. "));
    assert_non_null(strstr(menu, bot_text("choose_number", "id")));
    /* WhatsApp itself is unchanged: the same message is a list. */
    store_dialog_effects wa;
    step(f, WHATSAPP, "idle", "{}", "halo", &wa);
    assert_non_null(strstr(only_wa(f, &wa), "\"type\":\"list\""));
    assert_null(strstr(wa.draft, "offered"));

    /* A typed address, then the kecamatan: a list on WhatsApp, where only
     * a tap answers it; numbered here, where "2" picks the second. */
    store_region *g;
    size_t ng = 0;
    assert_int_equal(store_region_list(f->s, f->ar, &g, &ng), ERR_OK);
    assert_true(ng >= 2);
    const char *draft = "{\"consent\":1,\"report\":{\"cat\":1,\"cat_name\":\"PKL\","
                        "\"desc\":\"Pedagang menutup trotoar\"}}";
    step(f, PLAIN, "location", draft, "Jl. Ahmad Yani 12, Paringin", &fx);
    assert_string_equal(fx.state, "kecamatan");
    const char *kec = only_text(f, &fx);
    assert_non_null(strstr(kec, arena_printf(f->ar, "\n1. %s", g[0].name)));
    assert_non_null(strstr(kec, arena_printf(f->ar, "\n2. %s", g[1].name)));
    const char *asked = arena_strdup(f->ar, fx.draft);
    step(f, PLAIN, "kecamatan", asked, "2", &fx);
    assert_string_equal(fx.state, "photos");
    json_error_t je;
    json_t *d = json_loads(fx.draft, 0, &je);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "report"), "kec")),
                        g[1].code);
    /* The photos question (buttons on WhatsApp) is numbered too, and the
     * offer of the kecamatan is gone. */
    json_t *offered = json_object_get(d, "offered");
    assert_int_equal(json_array_size(offered), 2);
    assert_string_equal(json_string_value(json_array_get(offered, 1)), "photos:skip");
    json_decref(d);
    assert_non_null(strstr(only_text(f, &fx), "\n2. "));

    /* A number beyond the options is no pick: asked again. */
    step(f, PLAIN, "kecamatan", asked, "9", &fx);
    assert_string_equal(fx.state, "kecamatan");
    /* On WhatsApp a typed number is no tap on a kecamatan. */
    step(f, WHATSAPP, "kecamatan", draft, "2", &fx);
    assert_string_equal(fx.state, "kecamatan");
}

/* An emergency on a channel that cannot share a location: the typed
 * address and its kecamatan, then the case at once. */
static void no_location_gets_the_typed_address(void **state)
{
    fixture *f = *state;
    store_dialog_effects fx;
    store_category *k;
    size_t nk = 0;
    int64_t fire = 0;
    assert_int_equal(store_category_list(f->s, f->ar, 2, &k, &nk), ERR_OK);
    for (size_t i = 0; i < nk && !fire; i++)
        if (strcmp(k[i].kind, "emergency") == 0)
            fire = k[i].id;
    assert_true(fire > 0);
    const char *draft = arena_printf(f->ar,
                                     "{\"consent\":1,\"report\":{\"cat\":%lld,\"cat_name\":"
                                     "\"Kebakaran\",\"emergency\":true}}",
                                     (long long)fire);
    /* WhatsApp asks for the shared location; this channel for the address. */
    step_to(f, 2, WHATSAPP, "e_location", draft, "Pasar Paringin, kios 12", &fx);
    assert_string_equal(fx.state, "e_location");
    channel_msg asked;
    assert_int_equal(channel_msg_parse(f->ar, fx.out[0].message, &asked), ERR_OK);
    assert_int_equal(asked.kind, CHANNEL_MSG_LOCATION);
    /* ... which WhatsApp asks in words, as before. */
    assert_non_null(strstr(only_wa(f, &fx), "\"type\":\"text\""));
    step_to(f, 2, PLAIN, "e_location", draft, "ya", &fx);
    assert_string_equal(fx.state, "e_location");
    assert_non_null(strstr(only_text(f, &fx), "Ketik alamat"));
    step_to(f, 2, PLAIN, "e_location", draft, "Pasar Paringin, kios 12", &fx);
    assert_string_equal(fx.state, "kecamatan");
    assert_null(fx.new_case);
    step_to(f, 2, PLAIN, "kecamatan", arena_strdup(f->ar, fx.draft), "1", &fx);
    assert_string_equal(fx.state, "e_after");
    assert_non_null(fx.new_case);
    assert_string_equal(fx.new_case->kind, "emergency");
    assert_string_equal(fx.new_case->address, "Pasar Paringin, kios 12");
    assert_non_null(fx.new_case->kecamatan_code);
    assert_false(fx.new_case->has_location);
}

/* WhatsApp's render gives, byte for byte, the Graph API payloads the
 * dialogue built itself before it spoke neutral messages (the e2e tests
 * compare what the fake Graph API receives; this pins each kind). */
static void whatsapp_renders_the_payloads_of_before(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    const char *to = "6281200000001";
#define ENV                                                                                        \
    "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":"                \
    "\"6281200000001\","
    channel_choice ch[] = {{"a", "Pilihan satu yang sangat panjang", "Baris kedua"},
                           {"b", "Dua", NULL}};
    const char *params[] = {"ADU-1", "baris\nbaru", NULL};
    channel_msg text = {.kind = CHANNEL_MSG_TEXT, .text = "Halo"};
    channel_msg buttons = {
        .kind = CHANNEL_MSG_CHOICES, .text = "Pilih", .choices = ch, .nchoices = 2};
    channel_msg list = buttons;
    list.list_button = "Menu";
    list.list_section = "Menu";
    channel_msg tmpl = {.kind = CHANNEL_MSG_TEMPLATE,
                        .template = "aduan_status_update",
                        .lang = "id",
                        .params = params,
                        .nparams = 3};
    channel_msg quick = tmpl;
    quick.nparams = 1;
    quick.choices = ch;
    quick.nchoices = 2;
    channel_msg doc = {
        .kind = CHANNEL_MSG_DOCUMENT, .text = "Dokumen", .media = "M1", .filename = "akta.pdf"};
    channel_msg doct = {.kind = CHANNEL_MSG_TEMPLATE,
                        .template = "aduan_dokumen",
                        .lang = "en",
                        .params = params,
                        .nparams = 1,
                        .media = "M1",
                        .filename = "akta.pdf"};
    channel_msg loc = {.kind = CHANNEL_MSG_LOCATION, .text = "Kirim lokasi"};
    struct {
        const channel_msg *m;
        const char *want;
    } cases[] = {
        {&text, ENV "\"type\":\"text\",\"text\":{\"preview_url\":false,\"body\":\"Halo\"}}"},
        {&loc, ENV "\"type\":\"text\",\"text\":{\"preview_url\":false,\"body\":\"Kirim lokasi\"}}"},
        {&buttons,
         ENV "\"type\":\"interactive\",\"interactive\":{\"type\":\"button\",\"body\":"
             "{\"text\":\"Pilih\"},\"action\":{\"buttons\":[{\"type\":\"reply\",\"reply\":"
             "{\"id\":\"a\",\"title\":\"Pilihan satu yang s…\"}},{\"type\":\"reply\","
             "\"reply\":{\"id\":\"b\",\"title\":\"Dua\"}}]}}}"},
        {&list, ENV "\"type\":\"interactive\",\"interactive\":{\"type\":\"list\",\"body\":"
                    "{\"text\":\"Pilih\"},\"action\":{\"button\":\"Menu\",\"sections\":[{\"title\":"
                    "\"Menu\",\"rows\":[{\"id\":\"a\",\"title\":\"Pilihan satu yang sanga…\","
                    "\"description\":\"Baris kedua\"},{\"id\":\"b\",\"title\":\"Dua\"}]}]}}}"},
        {&tmpl, ENV "\"type\":\"template\",\"template\":{\"name\":\"aduan_status_update\","
                    "\"language\":{\"code\":\"id\"},\"components\":[{\"type\":\"body\","
                    "\"parameters\":[{\"type\":\"text\",\"text\":\"ADU-1\"},{\"type\":\"text\","
                    "\"text\":\"baris baru\"},{\"type\":\"text\",\"text\":\"-\"}]}]}}"},
        {&quick,
         ENV "\"type\":\"template\",\"template\":{\"name\":\"aduan_status_update\","
             "\"language\":{\"code\":\"id\"},\"components\":[{\"type\":\"body\","
             "\"parameters\":[{\"type\":\"text\",\"text\":\"ADU-1\"}]},{\"type\":"
             "\"button\",\"sub_type\":\"quick_reply\",\"index\":\"0\",\"parameters\":"
             "[{\"type\":\"payload\",\"payload\":\"a\"}]},{\"type\":\"button\",\"sub_type\":"
             "\"quick_reply\",\"index\":\"1\",\"parameters\":[{\"type\":\"payload\","
             "\"payload\":\"b\"}]}]}}"},
        {&doc, ENV "\"type\":\"document\",\"document\":{\"id\":\"M1\",\"filename\":"
                   "\"akta.pdf\",\"caption\":\"Dokumen\"}}"},
        {&doct, ENV "\"type\":\"template\",\"template\":{\"name\":\"aduan_dokumen\","
                    "\"language\":{\"code\":\"en\"},\"components\":[{\"type\":\"header\","
                    "\"parameters\":[{\"type\":\"document\",\"document\":{\"id\":\"M1\","
                    "\"filename\":\"akta.pdf\"}}]},{\"type\":\"body\",\"parameters\":"
                    "[{\"type\":\"text\",\"text\":\"ADU-1\"}]}]}}"},
    };
#undef ENV
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* Through the JSON the outbox keeps, as the outbox renders it. */
        const char *json = channel_msg_json(ar, cases[i].m);
        assert_non_null(json);
        const char *got = channel_render_json(ar, &wa_driver, to, json);
        assert_non_null(got);
        assert_string_equal(got, cases[i].want);
    }
    /* What is no message renders as nothing. */
    assert_null(channel_render_json(ar, &wa_driver, to, "{\"kind\":\"choices\",\"choices\":[]}"));
    assert_null(channel_render_json(ar, &wa_driver, to, "{\"kind\":\"document\",\"text\":\"x\"}"));
    assert_null(channel_render_json(ar, &wa_driver, to, "{\"kind\":\"telepathy\",\"text\":\"x\"}"));
    assert_null(channel_render_json(ar, &wa_driver, to, "{\"type\":\"text\"}"));
    assert_null(channel_render_json(ar, &wa_driver, to, "not json"));
    arena_destroy(ar);
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_state_has_one_step_and_name),
        cmocka_unit_test(whatsapp_renders_the_payloads_of_before),
        cmocka_unit_test_setup_teardown(no_buttons_gets_numbered_options, setup, teardown),
        cmocka_unit_test_setup_teardown(no_location_gets_the_typed_address, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("dialogue-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("dialogue-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "dialogue: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}

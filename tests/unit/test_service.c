/* Service requests in the store, on SQLite and PostgreSQL: a request made
 * in the WhatsApp apply transaction, verdicts, sending back, and the
 * retention that deletes the files of closed requests but keeps the record
 * (and the bytes another open request still uses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/secret.h"
#include "domain/cases.h"
#include "domain/deadline.h"
#include "domain/services.h"
#include "domain/seed.h"
#include "jobs/svc_jobs.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1795305600 /* 2026-11-22T08:00:00+08:00 */

#define FIXTURE_NAME "svc"
#include "store_fixture.h"

#define SHA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* A service request of a citizen with one file, made as the bot does. */
static int64_t make_request(fixture *f, const char *wa_id, const char *wamid, int64_t *att)
{
    store_agency ag;
    store_category *k;
    store_svc_doc *d;
    size_t nk = 0, nd = 0;
    assert_int_equal(store_agency_find(f->s, f->ar, "disdukcapil", &ag), ERR_OK);
    assert_int_equal(store_category_list(f->s, f->ar, ag.id, &k, &nk), ERR_OK);
    int64_t cat = 0;
    for (size_t i = 0; i < nk; i++)
        if (strcmp(k[i].code, "akta_kelahiran") == 0)
            cat = k[i].id;
    assert_true(cat > 0);
    assert_int_equal(store_svc_docs(f->s, f->ar, cat, false, &d, &nd), ERR_OK);
    assert_int_equal(nd, 4);
    store_case *c = arena_alloc(f->ar, sizeof *c);
    memset(c, 0, sizeof *c);
    c->agency_id = ag.id;
    c->category_id = cat;
    c->kind = "service";
    c->channel = "whatsapp";
    c->status = "submitted";
    c->priority = "normal";
    c->description = "Permohonan Akta kelahiran melalui WhatsApp";
    c->created_at = NOW;
    store_svc_effects x = {0};
    x.nik = "6311064506210001";
    x.applicant_name = "Siti Aminah";
    x.consent_at = NOW;
    x.nfiles = 1;
    x.files[0].document_id = d[0].id;
    x.files[0].m = (store_media){"media-1", "image/jpeg", NULL, NULL};
    x.nskipped = 1;
    x.skipped[0] = d[3].id;
    store_dialog_effects fx = {0};
    fx.seen_key = arena_printf(f->ar, "m:%s", wamid);
    fx.agency_id = ag.id;
    fx.address = wa_id;
    fx.phone_number_id = "100000000000003";
    fx.wamid = wamid;
    fx.msg_type = "interactive";
    fx.expect_version = -1;
    fx.state = "idle";
    fx.draft = "{}";
    fx.lang = "id";
    fx.new_case = c;
    fx.svc = &x;
    fx.now = NOW;
    assert_int_equal(store_dialog_apply(f->s, f->ar, &fx), ERR_OK);
    store_svc_file *files;
    size_t nf = 0;
    assert_int_equal(store_svc_files(f->s, f->ar, c->id, &files, &nf), ERR_OK);
    assert_int_equal(nf, 1);
    assert_int_equal(files[0].document_id, d[0].id);
    assert_string_equal(files[0].a.state, "pending");
    *att = files[0].a.id;
    assert_int_equal(store_media_stored(f->s, *att, SHA, 3, NULL, NOW), ERR_OK);
    return c->id;
}

static void request_and_checks(void **state)
{
    fixture *f = *state;
    int64_t att;
    int64_t id = make_request(f, "6281377000011", "wamid.A", &att);
    store_svc_request r;
    assert_int_equal(store_svc_request_get(f->s, f->ar, id, &r), ERR_OK);
    assert_string_equal(r.nik, "6311064506210001");
    assert_string_equal(r.applicant_name, "Siti Aminah");
    assert_int_equal(r.resubmissions, 0);
    store_svc_check *ck;
    size_t n = 0;
    assert_int_equal(store_svc_checks(f->s, f->ar, id, &ck, &n), ERR_OK);
    assert_int_equal(n, 2); /* the file's (pending) and the skipped one */
    int64_t doc = ck[0].document_id;
    /* A verdict on the state it was made on only. */
    assert_int_equal(store_svc_verdict(f->s, id, "checking", doc, "accepted", NULL, 1, NOW),
                     ERR_CONFLICT);
    assert_int_equal(store_svc_verdict(f->s, id, "submitted", doc, "rejected", "buram", 1, NOW + 1),
                     ERR_OK);
    int64_t ev = 0;
    assert_int_equal(store_svc_request_more(f->s, id, "submitted", 1, "kirim ulang", NULL, 0,
                                            "belum dikirim", "svc_resend:1", NOW + 2, &ev),
                     ERR_OK);
    assert_true(ev > 0);
    assert_int_equal(store_svc_request_more(f->s, id, "submitted", 1, "again", NULL, 0, "x", "idle",
                                            NOW + 3, &ev),
                     ERR_CONFLICT);
    store_case c;
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_string_equal(c.status, "incomplete");
    assert_int_equal(store_svc_request_get(f->s, f->ar, id, &r), ERR_OK);
    assert_int_equal(r.resubmissions, 1);
    /* Issuing needs "processing". */
    int64_t a2 = 0, o2 = 0;
    assert_int_equal(store_svc_issue(f->s, id, 1, SHA, 3, "x.pdf", "{}", "{}", NULL, NOW, &a2, &o2),
                     ERR_CONFLICT);
}

static void retention_keeps_the_record(void **state)
{
    fixture *f = *state;
    int64_t att_closed, att_open;
    int64_t closed = make_request(f, "6281377000012", "wamid.B", &att_closed);
    int64_t open = make_request(f, "6281377000013", "wamid.C", &att_open);
    (void)open;
    store_transition t = {.case_id = closed,
                          .expect_status = "submitted",
                          .new_status = "rejected",
                          .action = "reject",
                          .actor_id = 1,
                          .note = "bukan wewenang",
                          .is_public = true,
                          .now = NOW + 10};
    assert_int_equal(store_case_transition(f->s, f->ar, &t), ERR_OK);
    const char **sha;
    size_t n = 0, files = 0;
    /* Not yet: closed after the cut-off. */
    assert_int_equal(store_svc_expire(f->s, f->ar, NOW + 5, NOW + 20, &sha, &n, &files), ERR_OK);
    assert_int_equal(files, 0);
    assert_int_equal(store_svc_expire(f->s, f->ar, NOW + 11, NOW + 20, &sha, &n, &files), ERR_OK);
    assert_int_equal(files, 1);
    assert_int_equal(n, 0); /* the open request still has the same bytes */
    store_svc_file fl;
    assert_int_equal(store_svc_file_get(f->s, f->ar, closed, att_closed, &fl), ERR_OK);
    assert_string_equal(fl.a.state, "deleted");
    assert_string_equal(fl.a.sha256, SHA); /* the record that it existed */
    assert_int_equal(store_svc_file_get(f->s, f->ar, open, att_open, &fl), ERR_OK);
    assert_string_equal(fl.a.state, "stored");
    store_svc_request r;
    assert_int_equal(store_svc_request_get(f->s, f->ar, closed, &r), ERR_OK);
    assert_int_equal(r.files_deleted_at, NOW + 20);
    store_event *ev;
    size_t nev = 0;
    assert_int_equal(store_case_events(f->s, f->ar, closed, &ev, &nev), ERR_OK);
    assert_string_equal(ev[nev - 1].action, "files_deleted");
    /* Once is enough. */
    assert_int_equal(store_svc_expire(f->s, f->ar, NOW + 11, NOW + 30, &sha, &n, &files), ERR_OK);
    assert_int_equal(files, 0);

    /* The worker's pass removes the bytes once nothing uses them. */
    t = (store_transition){.case_id = open,
                           .expect_status = "submitted",
                           .new_status = "rejected",
                           .action = "reject",
                           .actor_id = 1,
                           .note = "ganda",
                           .is_public = true,
                           .now = NOW + 40};
    assert_int_equal(store_case_transition(f->s, f->ar, &t), ERR_OK);
    config_t cfg;
    config_defaults(&cfg);
    char dir[64], path[160];
    snprintf(dir, sizeof dir, "/tmp/aduan-media-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(cfg.media_dir, sizeof cfg.media_dir, "%s", dir);
    snprintf(path, sizeof path, "%s/%s", dir, SHA);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("KTP", fp);
    fclose(fp);
    static int64_t later = NOW + 31 * 86400;
    later += 3600; /* each run of the group: past the once-a-minute gate */
    assert_int_equal(svc_retention_run(&cfg, f->s, later), 1);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(store_svc_file_get(f->s, f->ar, open, att_open, &fl), ERR_OK);
    assert_string_equal(fl.a.state, "deleted");
    rmdir(dir);
}

/* Local time on the calendar's zone, as Unix seconds. */
static int64_t local(const cal_t *c, int y, int m, int d, int h, int min)
{
    return (int64_t)cal_day_from_ymd(y, m, d) * 86400 + h * 3600 + min * 60 -
           (int64_t)c->utc_offset_min * 60;
}

/* The measures count working time on the agency's calendar: office hours,
 * weekends, and the seeded holidays (Christmas 2026 with its cuti bersama). */
static void work_seconds_on_the_calendar(void **state)
{
    fixture *f = *state;
    cal_t cal;
    assert_int_equal(deadline_calendar(f->s, f->ar, 3, &cal), ERR_OK);
    assert_int_equal(cal.utc_offset_min, 480); /* Balangan: WITA */
    /* Tuesday 10:00 to 11:30: all working time. */
    assert_int_equal(
        svc_work_seconds(&cal, local(&cal, 2026, 12, 22, 10, 0), local(&cal, 2026, 12, 22, 11, 30)),
        5400);
    /* Wednesday 15:00 to Monday 09:00: 1 h on Wednesday, Thursday (cuti
     * bersama) and Friday (Natal) off, the weekend, 1.5 h on Monday. */
    int64_t wed = local(&cal, 2026, 12, 23, 15, 0), mon = local(&cal, 2026, 12, 28, 9, 0);
    assert_int_equal(svc_work_seconds(&cal, wed, mon), 9000);
    /* Nothing, or backwards. */
    assert_int_equal(svc_work_seconds(&cal, mon, wed), 0);
    assert_int_equal(svc_work_seconds(&cal, wed, wed), 0);
    /* At night only: no working time. */
    assert_int_equal(
        svc_work_seconds(&cal, local(&cal, 2026, 12, 22, 20, 0), local(&cal, 2026, 12, 23, 6, 0)),
        0);
    /* Round the clock: clock time. */
    cal.always_open = true;
    assert_int_equal(svc_work_seconds(&cal, wed, mon), mon - wed);
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(request_and_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(retention_keeps_the_record, setup, teardown),
        cmocka_unit_test_setup_teardown(work_seconds_on_the_calendar, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("service-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("service-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "service: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}

/* core/metrics: the counters of GET /metrics and their text: the latency
 * histogram's buckets, the (result, code) slots and their overflow, and
 * concurrent counting without a lost increment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text metrics_write produces now (caller frees). */
static char *written(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    metrics_write(f);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void has(const char *text, const char *line)
{
    if (!strstr(text, line))
        fail_msg("missing line: %s", line);
}

static void test_histogram_buckets(void **state)
{
    (void)state;
    metrics_reset();
    metrics_webhook(METRICS_WH_ACKED, 3000000);     /* 3 ms */
    metrics_webhook(METRICS_WH_ACKED, 15000000);    /* 15 ms */
    metrics_webhook(METRICS_WH_ACKED, 60000000000); /* a minute: only +Inf */
    metrics_webhook(METRICS_WH_REJECTED, 5);        /* not in the histogram */
    char *t = written();
    has(t, "aduan_webhook_ack_seconds_bucket{le=\"0.0025\"} 0\n");
    has(t, "aduan_webhook_ack_seconds_bucket{le=\"0.005\"} 1\n");
    has(t, "aduan_webhook_ack_seconds_bucket{le=\"0.02\"} 2\n");
    has(t, "aduan_webhook_ack_seconds_bucket{le=\"10\"} 2\n");
    has(t, "aduan_webhook_ack_seconds_bucket{le=\"+Inf\"} 3\n");
    has(t, "aduan_webhook_ack_seconds_count 3\n");
    has(t, "aduan_webhook_ack_seconds_sum 60.018000000\n");
    has(t, "aduan_webhook_requests_total{result=\"acknowledged\"} 3\n");
    has(t, "aduan_webhook_requests_total{result=\"rejected\"} 1\n");
    has(t, "# TYPE aduan_webhook_ack_seconds histogram\n");
    free(t);
}

static void test_send_codes_and_overflow(void **state)
{
    (void)state;
    metrics_reset();
    metrics_send(METRICS_SEND_SENT, 0);
    metrics_send(METRICS_SEND_PAUSED, 190);
    metrics_send(METRICS_SEND_PAUSED, 190);
    metrics_send(METRICS_SEND_RETRY, 131056);
    metrics_send((metrics_send_result)99, 1); /* ignored */
    /* More distinct codes than slots: the rest count as "other". */
    for (long c = 1; c <= METRICS_CODES_MAX + 5; c++)
        metrics_send(METRICS_SEND_FAILED, 1000 + c);
    char *t = written();
    has(t, "aduan_wa_sends_total{result=\"sent\",code=\"none\"} 1\n");
    has(t, "aduan_wa_sends_total{result=\"retry\",code=\"none\"} 0\n");
    has(t, "aduan_wa_sends_total{result=\"paused\",code=\"190\"} 2\n");
    has(t, "aduan_wa_sends_total{result=\"retry\",code=\"131056\"} 1\n");
    has(t, "aduan_wa_sends_total{result=\"failed\",code=\"1001\"} 1\n");
    /* 48 slots: sent/none, paused/190, retry/131056 and 45 failed codes. */
    has(t, "aduan_wa_sends_total{result=\"failed\",code=\"other\"} 8\n");
    assert_null(strstr(t, "code=\"1046\""));
    free(t);
}

static void *count_many(void *arg)
{
    long code = (long)(intptr_t)arg;
    for (int i = 0; i < 10000; i++) {
        metrics_send(METRICS_SEND_RETRY, code);
        metrics_sla_breach();
        metrics_pool_wait(1000);
    }
    return NULL;
}

static void test_concurrent_counting(void **state)
{
    (void)state;
    metrics_reset();
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, count_many, (void *)(intptr_t)(i % 2 + 4)),
                         0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    char *t = written();
    has(t, "aduan_wa_sends_total{result=\"retry\",code=\"4\"} 20000\n");
    has(t, "aduan_wa_sends_total{result=\"retry\",code=\"5\"} 20000\n");
    has(t, "aduan_sla_breaches_total 40000\n");
    has(t, "aduan_db_pool_waits_total 40000\n");
    has(t, "aduan_db_pool_wait_seconds_total 0.040000000\n");
    /* One slot per code even when two threads claim it at once. */
    assert_null(strstr(strstr(t, "code=\"4\"") + 1, "code=\"4\""));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_histogram_buckets),
        cmocka_unit_test(test_send_codes_and_overflow),
        cmocka_unit_test(test_concurrent_counting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

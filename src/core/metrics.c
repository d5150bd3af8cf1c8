/* The process's counters (core/metrics.h). */
#include "core/metrics.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

/* Upper bounds of the acknowledgement latency histogram, seconds: the
 * target is a p99 under 20 ms (DESIGN.md §7), so the buckets are fine
 * around it; Meta gives up on a webhook after about 10 s. */
static const double ack_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.05,
                                    0.1,   0.25,   0.5,   1,    2.5,  10};
#define NBOUNDS (sizeof ack_bounds / sizeof ack_bounds[0])

static const char *const wh_names[METRICS_WH__COUNT] = {"acknowledged", "rejected", "failed"};
static const char *const send_names[METRICS_SEND__COUNT] = {"sent", "retry", "paused", "failed"};

/* A (result, code) pair of the sends: a slot is taken once, by CAS on key
 * (result + 1) << 40 | code, and never given back. */
typedef struct {
    _Atomic uint64_t key; /* 0: free */
    _Atomic uint64_t n;
} send_slot;

static struct {
    _Atomic uint64_t webhook[METRICS_WH__COUNT];
    _Atomic uint64_t ack_bucket[NBOUNDS]; /* not cumulative: made so when written */
    _Atomic uint64_t ack_count, ack_sum_ns;
    send_slot sends[METRICS_CODES_MAX];
    _Atomic uint64_t sends_other[METRICS_SEND__COUNT];
    _Atomic uint64_t sla_breaches, sla_autoclosed;
    _Atomic uint64_t sla_catching_up; /* gauge: 0 or 1 */
    _Atomic uint64_t unknown_states;
    _Atomic uint64_t pool_waits, pool_wait_ns;
    _Atomic uint64_t hooks[METRICS_HOOK__COUNT];
} m;

#define ADD(x, v) atomic_fetch_add_explicit(&(x), (v), memory_order_relaxed)
#define GET(x)    atomic_load_explicit(&(x), memory_order_relaxed)

uint64_t metrics_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void metrics_webhook(metrics_webhook_result r, uint64_t ns)
{
    if ((unsigned)r >= METRICS_WH__COUNT)
        return;
    ADD(m.webhook[r], 1);
    if (r != METRICS_WH_ACKED)
        return;
    double s = (double)ns / 1e9;
    for (size_t i = 0; i < NBOUNDS; i++) {
        if (s <= ack_bounds[i]) {
            ADD(m.ack_bucket[i], 1);
            break;
        }
    }
    ADD(m.ack_sum_ns, ns);
    ADD(m.ack_count, 1);
}

void metrics_send(metrics_send_result r, long code)
{
    if ((unsigned)r >= METRICS_SEND__COUNT)
        return;
    /* Graph codes are small positive numbers (190, 131047, ...). */
    uint64_t c = code > 0 && code < (1L << 40) ? (uint64_t)code : 0;
    uint64_t key = ((uint64_t)r + 1) << 40 | c;
    for (size_t i = 0; i < METRICS_CODES_MAX; i++) {
        uint64_t k = GET(m.sends[i].key);
        if (k == 0) {
            uint64_t zero = 0;
            if (atomic_compare_exchange_strong(&m.sends[i].key, &zero, key))
                k = key;
            else
                k = zero; /* taken meanwhile: compare with its key */
        }
        if (k == key) {
            ADD(m.sends[i].n, 1);
            return;
        }
    }
    ADD(m.sends_other[r], 1);
}

void metrics_hook_delivery(metrics_hook_result r) { ADD(m.hooks[r], 1); }

void metrics_sla_breach(void) { ADD(m.sla_breaches, 1); }

void metrics_sla_autoclosed(void) { ADD(m.sla_autoclosed, 1); }

void metrics_sla_catching_up(bool on)
{
    atomic_store_explicit(&m.sla_catching_up, on ? 1 : 0, memory_order_relaxed);
}

void metrics_dialogue_unknown_state(void) { ADD(m.unknown_states, 1); }

void metrics_pool_wait(uint64_t ns)
{
    ADD(m.pool_waits, 1);
    ADD(m.pool_wait_ns, ns);
}

void metrics_reset(void)
{
    /* Tests only, never while others count. */
    memset(&m, 0, sizeof m);
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void write_sends(FILE *f)
{
    head(f, "aduan_wa_sends_total", "counter",
         "WhatsApp send attempts by result and Graph API error code (none: no code).");
    /* Every result appears, so a rate() over it exists before the first send. */
    for (int r = 0; r < METRICS_SEND__COUNT; r++) {
        uint64_t none = 0;
        for (size_t i = 0; i < METRICS_CODES_MAX; i++)
            if (GET(m.sends[i].key) == ((uint64_t)r + 1) << 40)
                none = GET(m.sends[i].n);
        fprintf(f, "aduan_wa_sends_total{result=\"%s\",code=\"none\"} %llu\n", send_names[r],
                (unsigned long long)none);
    }
    for (size_t i = 0; i < METRICS_CODES_MAX; i++) {
        uint64_t k = GET(m.sends[i].key);
        uint64_t code = k & ((1ull << 40) - 1);
        if (k == 0 || code == 0)
            continue;
        fprintf(f, "aduan_wa_sends_total{result=\"%s\",code=\"%llu\"} %llu\n",
                send_names[(k >> 40) - 1], (unsigned long long)code,
                (unsigned long long)GET(m.sends[i].n));
    }
    for (int r = 0; r < METRICS_SEND__COUNT; r++)
        if (GET(m.sends_other[r]))
            fprintf(f, "aduan_wa_sends_total{result=\"%s\",code=\"other\"} %llu\n", send_names[r],
                    (unsigned long long)GET(m.sends_other[r]));
}

void metrics_write(FILE *f)
{
    head(f, "aduan_webhook_requests_total", "counter",
         "POST /webhooks/whatsapp answered, by result (acknowledged: 200 after the commit).");
    for (int r = 0; r < METRICS_WH__COUNT; r++)
        fprintf(f, "aduan_webhook_requests_total{result=\"%s\"} %llu\n", wh_names[r],
                (unsigned long long)GET(m.webhook[r]));
    head(f, "aduan_webhook_ack_seconds", "histogram",
         "Time from a webhook's body being read to its acknowledgement (signature, commit).");
    /* Read the count first: a webhook counted meanwhile lands in a bucket
     * but not in it, and +Inf must not be below a bucket. */
    uint64_t count = GET(m.ack_count), cum = 0;
    for (size_t i = 0; i < NBOUNDS; i++) {
        cum += GET(m.ack_bucket[i]);
        fprintf(f, "aduan_webhook_ack_seconds_bucket{le=\"%g\"} %llu\n", ack_bounds[i],
                (unsigned long long)cum);
    }
    if (count < cum)
        count = cum;
    fprintf(f, "aduan_webhook_ack_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)count);
    fprintf(f, "aduan_webhook_ack_seconds_sum %.9f\n", (double)GET(m.ack_sum_ns) / 1e9);
    fprintf(f, "aduan_webhook_ack_seconds_count %llu\n", (unsigned long long)count);
    write_sends(f);
    head(f, "aduan_sla_breaches_total", "counter",
         "SLA breaches recorded by this instance's scheduler (an event and a staff alert).");
    fprintf(f, "aduan_sla_breaches_total %llu\n", (unsigned long long)GET(m.sla_breaches));
    head(f, "aduan_sla_autoclosed_total", "counter",
         "Resolved cases this instance's scheduler closed for want of a reply.");
    fprintf(f, "aduan_sla_autoclosed_total %llu\n", (unsigned long long)GET(m.sla_autoclosed));
    head(f, "aduan_sla_catching_up", "gauge",
         "1 while this instance's scheduler catches up on a backlog of stale or due deadlines "
         "(from its start until a pass ends below its bounds); then 0.");
    fprintf(f, "aduan_sla_catching_up %llu\n", (unsigned long long)GET(m.sla_catching_up));
    head(f, "aduan_dialogue_unknown_state_total", "counter",
         "Messages whose conversation was in a dialogue state this version does not know "
         "(answered with the menu; the warning in the log names the state).");
    fprintf(f, "aduan_dialogue_unknown_state_total %llu\n",
            (unsigned long long)GET(m.unknown_states));
    head(f, "aduan_db_pool_waits_total", "counter",
         "Borrows of a database connection that waited because the pool was empty.");
    fprintf(f, "aduan_db_pool_waits_total %llu\n", (unsigned long long)GET(m.pool_waits));
    head(f, "aduan_db_pool_wait_seconds_total", "counter",
         "Time spent waiting for a pooled database connection.");
    fprintf(f, "aduan_db_pool_wait_seconds_total %.9f\n", (double)GET(m.pool_wait_ns) / 1e9);
    static const char *const hook_names[] = {"delivered", "retry", "failed"};
    head(f, "aduan_webhook_deliveries_total", "counter",
         "Outbound webhook delivery attempts by result (docs/WEBHOOKS.md).");
    for (int r = 0; r < METRICS_HOOK__COUNT; r++)
        fprintf(f, "aduan_webhook_deliveries_total{result=\"%s\"} %llu\n", hook_names[r],
                (unsigned long long)GET(m.hooks[r]));
}

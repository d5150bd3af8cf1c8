/* metrics: the process's counters for GET /metrics (issue 19 §6), kept in
 * atomics so any thread may count without a lock, and written out in the
 * Prometheus text exposition format 0.0.4.
 *
 * Counters count since the process started (Prometheus handles resets);
 * with several instances each is scraped and summed. What lives in the
 * database (queue depths, sessions) is read at scrape time instead
 * (store_ops_gauges, http/metrics.c). */
#ifndef ADUAN_METRICS_H
#define ADUAN_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* How a signed or unsigned POST /webhooks/whatsapp ended. */
typedef enum {
    METRICS_WH_ACKED,    /* 200: the body is committed */
    METRICS_WH_REJECTED, /* 401: no valid signature, nothing stored */
    METRICS_WH_FAILED,   /* 5xx: not committed, Meta sends it again */
    METRICS_WH__COUNT
} metrics_webhook_result;

/* One webhook answered; ns: from the handler's start (the body is in) to
 * the answer (after the group commit), counted in the latency histogram
 * for acknowledged ones only. */
void metrics_webhook(metrics_webhook_result r, uint64_t ns);

/* How one attempt of the outbound webhook worker ended (issue 17 §2). */
typedef enum {
    METRICS_HOOK_DELIVERED, /* 2xx */
    METRICS_HOOK_RETRY,     /* not 2xx or no answer: tried again later */
    METRICS_HOOK_FAILED,    /* not 2xx, and the 24 h are over: failed for good */
    METRICS_HOOK__COUNT
} metrics_hook_result;
void metrics_hook_delivery(metrics_hook_result r);

/* How one attempt of the outbox dispatcher to send a message ended. */
typedef enum {
    METRICS_SEND_SENT,   /* Meta accepted it (or the simulator took it) */
    METRICS_SEND_RETRY,  /* a transient error: tried again later */
    METRICS_SEND_PAUSED, /* the access token was refused (190): waits */
    METRICS_SEND_FAILED, /* failed for good: recorded for an operator */
    METRICS_SEND__COUNT
} metrics_send_result;

/* One send attempt; code: the Graph API's error code (0: none, e.g. a
 * network error or a success). At most METRICS_CODES_MAX distinct
 * (result, code) pairs are kept apart; later ones count as code "other". */
#define METRICS_CODES_MAX 48
void metrics_send(metrics_send_result r, long code);

/* One SLA breach recorded by this process's scheduler. */
void metrics_sla_breach(void);

/* One resolved case auto-closed by this process's scheduler. */
void metrics_sla_autoclosed(void);

/* Whether the scheduler's last pass left a backlog behind (the gauge
 * aduan_sla_catching_up; benchmarks wait for 0). */
void metrics_sla_catching_up(bool on);

/* One message that found its conversation in a dialogue state this
 * version does not know (bot.c: the citizen got the menu). */
void metrics_dialogue_unknown_state(void);

/* One borrow of a pooled database connection that had to wait, and for
 * how long (the pools in the drivers call it when no connection was free). */
void metrics_pool_wait(uint64_t ns);

/* Monotonic nanoseconds, for the latencies above. */
uint64_t metrics_now_ns(void);

/* Writes every counter, with its # HELP and # TYPE lines, to f. */
void metrics_write(FILE *f);

/* Zeroes every counter (unit tests). */
void metrics_reset(void);

#endif

/* GET /metrics (issue 19 §6): the process's counters (core/metrics.h) and
 * the queues read from the database, in the Prometheus text exposition
 * format 0.0.4, for loopback and ADUAN_METRICS_ALLOW only.
 *
 * The client is req_client_addr's: the peer, or behind a trusted proxy the
 * address it forwarded. Behind nginx without ADUAN_TRUSTED_PROXIES every
 * request comes from loopback, which is why the shipped nginx configs
 * answer /metrics themselves (404) instead of passing it on. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ADUAN_VERSION
#define ADUAN_VERSION "0.1.0"
#endif

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

static bool allowed(app_t *app, req_t *r)
{
    static const char loopback[] = "127.0.0.0/8,::1";
    netaddr_t who, lo[2];
    if (!req_client_addr(app, r, &who))
        return false;
    int n = netaddr_parse_list(loopback, lo, 2, NULL);
    if (n > 0 && netaddr_in(&who, lo, (size_t)n))
        return true;
    return netaddr_in(&who, app->cfg->metrics_allow, app->cfg->nmetrics_allow);
}

static void gauge(FILE *f, const char *name, const char *help, long long v)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help, name, name, v);
}

static void write_gauges(FILE *f, const store_ops_gauges *g, int64_t now)
{
    gauge(f, "aduan_inbound_pending", "Webhook bodies stored and not processed yet.",
          (long long)g->inbox_pending);
    gauge(f, "aduan_inbound_oldest_age_seconds",
          "Age of the oldest webhook body not processed yet (0: none).",
          g->inbox_oldest_at ? (long long)(now - g->inbox_oldest_at) : 0);
    gauge(f, "aduan_inbound_dead", "Webhook bodies the processor gave up on (dead letters).",
          (long long)g->inbox_dead);
    gauge(f, "aduan_outbox_pending", "WhatsApp messages queued and not sent yet.",
          (long long)g->outbox_pending);
    gauge(f, "aduan_outbox_due", "Queued WhatsApp messages due to be sent now.",
          (long long)g->outbox_due);
    gauge(f, "aduan_endpoints_paused",
          "WhatsApp numbers whose sending waits because the Graph API refused the access token.",
          (long long)g->numbers_paused);
    gauge(f, "aduan_sessions_active", "Staff sessions not expired.", (long long)g->sessions_active);
}

err_t h_metrics(app_t *app, req_t *r)
{
    char *buf = NULL;
    size_t len = 0;
    if (!allowed(app, r)) {
        r->detail = "metrics are answered to loopback and ADUAN_METRICS_ALLOW only";
        return ERR_FORBIDDEN;
    }
    store_ops_gauges g;
    int64_t now = clock_now();
    err_t e = store_ops_gauges_read(app->store, now, &g);
    if (e != ERR_OK)
        log_warn("http", "event=metrics_store_failed error=%s", err_code(e));
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return ERR_NOMEM;
    fprintf(f, "# HELP aduan_build_info The running version.\n# TYPE aduan_build_info gauge\n"
               "aduan_build_info{version=\"" ADUAN_VERSION "\"} 1\n");
    /* A scrape still answers when the database does not: the counters,
     * and this gauge at 0 for an alert. */
    gauge(f, "aduan_database_up", "1 when the database answered this scrape.", e == ERR_OK);
    if (e == ERR_OK)
        write_gauges(f, &g, now);
    metrics_write(f);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(buf);
        return ERR_NOMEM;
    }
    char *text = arena_alloc(r->ar, len + 1);
    if (text)
        memcpy(text, buf, len + 1);
    free(buf);
    if (!text)
        return ERR_NOMEM;
    r->status = 200;
    r->text = text;
    r->text_len = len;
    r->content_type = METRICS_TYPE;
    return ERR_OK;
}

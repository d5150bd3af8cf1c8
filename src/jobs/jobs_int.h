/* Internal to jobs/: the two kinds of background work. */
#ifndef ADUAN_JOBS_INT_H
#define ADUAN_JOBS_INT_H

#include "core/config.h"
#include "store/store.h"

/* One pass over the inbox / the outbox; each returns how many items it
 * handled (0 when there was nothing due). */
int inbox_run(const config_t *cfg, store_t *s, int64_t now);
int outbox_run(const config_t *cfg, store_t *s, int64_t now);
int media_run(const config_t *cfg, store_t *s, int64_t now);
/* One pass over the new cases' rules (rules.c). */
int case_rules_run(const config_t *cfg, store_t *s, int64_t now);
/* Raw webhook bodies past their retention (retention.c); the worker calls
 * it between passes, never during a burst. Returns how many rows it
 * changed. */
int retention_run(const config_t *cfg, store_t *s, int64_t now);

/* Outbound webhooks (webhooks.c): one pass over the due deliveries, and
 * the thread that runs it. */
int webhooks_run(store_t *s, int64_t now);
typedef struct webhooks webhooks_t;
webhooks_t *webhooks_start(store_t *s);
void webhooks_stop(webhooks_t *w);
/* The wait before the try after attempt number attempts (1: the first),
 * times scale; the failures in a row that pause a subscription. */
int64_t webhook_backoff(int attempts, double scale);
int webhook_pause_after(void);
/* "t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". */
#define WEBHOOK_SIG_BUF 96
void webhook_sign(const char *secret, int64_t t, const char *body, char out[WEBHOOK_SIG_BUF]);

#endif

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
/* Decodes the picture downloaded to tmp (len bytes) and stores it encoded
 * again from its pixels (core/image.h: EXIF and the rest dropped) under its
 * new sha256, into hex (its size and type into *size and mime); tmp is
 * removed. Returns NULL, or why not, in err (with *final when trying again
 * cannot help). */
const char *media_keep_image(const config_t *cfg, const char *tmp, size_t len, char hex[65],
                             size_t *size, char *mime, size_t mime_cap, bool *final, char *err,
                             size_t cap);
/* One pass over the new cases' rules (rules.c). */
int case_rules_run(const config_t *cfg, store_t *s, int64_t now);
/* Raw webhook bodies past their retention (retention.c); the worker calls
 * it between passes, never during a burst. Returns how many rows it
 * changed. */
int retention_run(const config_t *cfg, store_t *s, int64_t now);

/* A thread that runs pass(arg) until stopped (poller.c): again at once
 * when it returns 0 or less (more may be waiting), else after that many
 * milliseconds, or as soon as poller_stop wakes it. poller_stop waits for
 * the pass under way to end. NULL when the thread could not start. */
typedef long (*poller_pass_fn)(void *arg);
typedef struct poller poller_t;
poller_t *poller_start(poller_pass_fn pass, void *arg);
void poller_stop(poller_t *p);

/* Outbound webhooks (webhooks.c): one pass over the due deliveries, and
 * the thread that runs it. */
int webhooks_run(store_t *s, int64_t now);
typedef struct webhooks webhooks_t;
webhooks_t *webhooks_start(store_t *s);
void webhooks_stop(webhooks_t *w);

/* Evidence named by a URL (fetch.c, issue 17 §1): one pass over the due
 * fetches, and the thread that runs it (its own: a slow or silent server
 * must hold up neither the outbox nor the webhooks). */
int fetch_run(const config_t *cfg, store_t *s, int64_t now);
typedef struct fetcher fetcher_t;
fetcher_t *fetcher_start(const config_t *cfg, store_t *s);
void fetcher_stop(fetcher_t *f);
/* The wait before the try after attempt number attempts (1: the first),
 * times scale; the failures in a row that pause a subscription. */
int64_t webhook_backoff(int attempts, double scale);
int webhook_pause_after(void);
/* "t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". */
#define WEBHOOK_SIG_BUF 96
void webhook_sign(const char *secret, int64_t t, const char *body, char out[WEBHOOK_SIG_BUF]);

#endif

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

#endif

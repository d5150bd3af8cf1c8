/* The audit log's retention (issue 19 §2): entries older than
 * ADUAN_AUDIT_RETENTION_DAYS go, through the one delete the database
 * allows (0019). */
#ifndef ADUAN_AUDIT_JOBS_H
#define ADUAN_AUDIT_JOBS_H

#include "core/config.h"
#include "store/store.h"

#include <stdint.h>

/* Tells the database the configured retention (it refuses deletes of
 * younger entries and logs a change), then deletes a batch of expired
 * entries; at most once every AUDIT_PRUNE_EVERY_S. Returns the entries
 * deleted. */
int audit_retention_run(const config_t *cfg, store_t *s, int64_t now);

#endif

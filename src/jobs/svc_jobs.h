/* svc_jobs: the background work of service requests (issue #7): uploading
 * an issued PDF to the Graph API before its document message goes, and
 * deleting the files of closed requests after the retention period. */
#ifndef ADUAN_SVC_JOBS_H
#define ADUAN_SVC_JOBS_H

#include "core/config.h"
#include "store/store.h"

#include <curl/curl.h>

/* The longest upload of an issued document (seconds): a few MB on a slow
 * uplink. The outbox's lease must cover it (jobs/outbox.c). */
#define SVC_UPLOAD_TIMEOUT 120

/* Readies an outbox message of kind "document": uploads its file
 * (POST {graph}/{phone_number_id}/media) and puts the media id into the
 * payload and the template. Returns true when m can be sent now; false
 * when it was put back for a later try (or failed for good), which is
 * recorded on the row. curl may be NULL in simulator mode. */
bool svc_outbox_prepare(const config_t *cfg, store_t *s, CURL *curl, arena_t *ar,
                        store_outbox_row *m, int64_t now);

/* At most once a minute: deletes the files of service requests closed more
 * than cfg->svc_retention_days ago. Returns how many files it deleted. */
int svc_retention_run(const config_t *cfg, store_t *s, int64_t now);

#endif

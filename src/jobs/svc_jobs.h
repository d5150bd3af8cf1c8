/* svc_jobs: the background work of service requests (issue #7): handing
 * an issued PDF to the channel (its driver's attach_document) before its
 * document message goes, and deleting the files of closed requests after
 * the retention period. */
#ifndef ADUAN_SVC_JOBS_H
#define ADUAN_SVC_JOBS_H

#include "channels/channel.h"
#include "core/config.h"
#include "store/store.h"

#include <curl/curl.h>

/* The longest upload of an issued document (seconds): the outbox's lease
 * must cover it (jobs/outbox.c). */
#define SVC_UPLOAD_TIMEOUT CHANNEL_FILE_TIMEOUT

/* Readies an outbox message of kind "document": its driver sends the file
 * to the channel and puts the channel's id of it into the payload and the
 * template (channel_driver.attach_document). Returns true when m can be
 * sent now; false when it was put back for a later try (or failed for
 * good), which is recorded on the row. curl may be NULL in simulator
 * mode. */
bool svc_outbox_prepare(const config_t *cfg, store_t *s, CURL *curl, arena_t *ar,
                        store_outbox_row *m, int64_t now);

/* At most once a minute: deletes the files of service requests closed more
 * than cfg->svc_retention_days ago. Returns how many files it deleted. */
int svc_retention_run(const config_t *cfg, store_t *s, int64_t now);

#endif

#include "jobs/svc_jobs.h"

#include "channels/channel.h"
#include "core/log.h"
#include "domain/services.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UPLOAD_ATTEMPTS 12
#define RETENTION_EVERY 60 /* seconds between retention checks */

bool svc_outbox_prepare(const config_t *cfg, store_t *s, CURL *curl, arena_t *ar,
                        store_outbox_row *m, int64_t now)
{
    const char *sha = NULL, *filename = NULL, *why = NULL;
    char err[512] = "", path[CONFIG_PATH_MAX + 80];
    bool final = false;
    if (!m->payload || !strstr(m->payload, SVC_MEDIA_PLACEHOLDER))
        return true; /* already filled */
    const channel_driver *d = channel_find(m->channel);
    if (!d || !d->attach_document)
        return true; /* the outbox fails it visibly: no driver for this channel */
    err_t e = store_svc_outbox_file(s, ar, m->id, &sha, &filename);
    if (e == ERR_NOT_FOUND) {
        why = "the issued file is gone";
        final = true;
    } else if (e != ERR_OK) {
        why = "database";
    } else {
        snprintf(path, sizeof path, "%s/%s", cfg->media_dir, sha);
        why = d->attach_document(cfg, d->live(cfg) ? curl : NULL, ar, m->endpoint, path, sha,
                                 filename ? filename : "dokumen.pdf", &m->payload, &m->template,
                                 &final, err, sizeof err);
    }
    if (!why) {
        log_info("svc", "event=document_uploaded outbox_id=%lld", (long long)m->id);
        return true;
    }
    bool give_up = final || m->attempts >= UPLOAD_ATTEMPTS;
    int64_t at = give_up ? 0 : now + ((int64_t)1 << (m->attempts < 10 ? m->attempts : 10));
    log_warn("svc", "event=document_upload_%s outbox_id=%lld error=\"%s\"",
             give_up ? "failed" : "retry", (long long)m->id, why);
    if (store_outbox_retry(s, m->id, at, why, now) != ERR_OK)
        log_warn("svc", "event=outbox_store_failed id=%lld", (long long)m->id);
    return false;
}

int svc_retention_run(const config_t *cfg, store_t *s, int64_t now)
{
    /* Only the worker thread calls this. */
    static int64_t last = 0;
    if (now - last < RETENTION_EVERY)
        return 0;
    last = now;
    arena_t *ar = arena_new();
    const char **sha = NULL;
    size_t n = 0, files = 0;
    int64_t before = now - (int64_t)cfg->svc_retention_days * 86400;
    if (!ar)
        return 0;
    err_t e = store_svc_expire(s, ar, before, now, &sha, &n, &files);
    if (e != ERR_OK)
        log_warn("svc", "event=retention_failed error=%s", err_code(e));
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        char path[CONFIG_PATH_MAX + 80];
        snprintf(path, sizeof path, "%s/%s", cfg->media_dir, sha[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            log_warn("svc", "event=retention_unlink_failed errno=%d", errno);
    }
    if (files)
        log_info("svc", "event=retention files=%zu removed=%zu", files, n);
    arena_destroy(ar);
    if (files == 200)
        last = 0; /* more are due: the next pass goes on */
    return (int)files;
}

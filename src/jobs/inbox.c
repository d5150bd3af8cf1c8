/* The inbox worker: every stored inbound body, once, in order, processed
 * by its channel's driver (channel_driver.process); here the claim, the
 * order, the retries and the dead letters, the same for every channel. */
#include "jobs/jobs_int.h"

#include "channels/channel.h"
#include "core/log.h"

#include <stdlib.h>

/* Rows taken per pass, and how long a claim protects a row (seconds):
 * longer than any processing takes, short enough that a crashed worker's
 * rows come back soon. */
#define INBOX_BATCH 32
#define INBOX_LEASE 60
/* A row that keeps failing for reasons other than its content (database
 * trouble) is retried this many times, then kept as a dead letter. */
#define INBOX_ATTEMPTS 20

/* The driver of a row: the channel whose webhook received it. */
static const channel_driver *row_driver(const store_inbound_row *row)
{
    return row->channel ? channel_find(row->channel) : NULL;
}

/* Processes one inbox row. Returns ERR_OK when it is finished (done or
 * dead), an error when it should be tried again later. */
static err_t process_row(const config_t *cfg, store_t *s, const store_inbound_row *row, int64_t now)
{
    arena_t *ar = arena_new();
    channel_inbound in = {0};
    if (!ar)
        return ERR_NOMEM;
    const channel_driver *d = row_driver(row);
    err_t e = ERR_OK;
    if (d && d->process)
        e = d->process(cfg, s, ar, row->id, row->body, now, &in);
    else
        in.dead = "no driver for this channel";
    if (e == ERR_OK) {
        e = store_inbound_finish(s, row->id, in.dead ? "dead" : "done", in.dead, in.summary, now);
        if (in.dead)
            log_warn("inbox", "event=dead_letter inbox_id=%lld reason=\"%s\"", (long long)row->id,
                     in.dead);
    } else if (row->attempts >= INBOX_ATTEMPTS) {
        log_error("inbox", "event=dead_letter inbox_id=%lld reason=retries error=%s",
                  (long long)row->id, err_code(e));
        e = store_inbound_finish(s, row->id, "dead", "processing failed repeatedly", in.summary,
                                 now);
    }
    arena_destroy(ar);
    return e;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const store_inbound_row *)a)->id, y = ((const store_inbound_row *)b)->id;
    return (x > y) - (x < y);
}

int inbox_run(const config_t *cfg, store_t *s, int64_t now)
{
    arena_t *ar = arena_new();
    store_inbound_row *rows;
    size_t n = 0;
    if (!ar)
        return 0;
    /* Everything below is derived from inbox rows that are already on disk
     * and is done again if its commits are lost (the row stays 'new'); its
     * replies leave only after the outbox claim, an acknowledging commit
     * that makes these durable too. So a power cut may cost work, never a
     * message, and the worker does not wait for a disk flush per message
     * (store_redo_commits). */
    bool was = store_redo_commits(true);
    if (store_inbound_claim(s, ar, now, INBOX_LEASE, INBOX_BATCH, &rows, &n) != ERR_OK)
        n = 0;
    /* In arrival order: a citizen's messages make sense only in sequence,
     * and UPDATE ... RETURNING promises no order. */
    if (n > 1)
        qsort(rows, n, sizeof *rows, by_id);
    for (size_t i = 0; i < n; i++) {
        err_t e = process_row(cfg, s, &rows[i], now);
        if (e != ERR_OK)
            log_warn("inbox", "event=inbox_retry inbox_id=%lld error=%s", (long long)rows[i].id,
                     err_code(e));
    }
    store_redo_commits(was);
    arena_destroy(ar);
    return (int)n;
}

/* Idempotency-Key on the field officer's changes (issue 18): a phone that
 * sent a queued action and lost the signal before the answer sends it
 * again under the same key, and gets the first answer back instead of a
 * second transition or a second photo. Routes flagged R_IDEM; the keys
 * live in idempotency_keys (0036) for 48 hours (jobs/retention.c).
 *
 * The first request reserves (user, key) before its handler runs, so two
 * copies racing each other cannot both run: the second gets 409 with
 * Retry-After until the first has answered. A failed request lets its key
 * go: sending it again runs it again. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"

#include <microhttpd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Keys are client-made UUIDs (36 characters); room for other schemes. */
#define IDEM_KEY_MAX 100
/* A reservation older than this died with its instance (a handler takes
 * milliseconds once the body is in): the same request may take it over. */
#define IDEM_STALE_S 60

static bool key_ok(const char *k)
{
    size_t n = 0;
    for (const char *p = k; *p; p++, n++)
        if (*p < 0x21 || *p > 0x7e || n >= IDEM_KEY_MAX)
            return false;
    return n > 0;
}

static enum MHD_Result hash_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    crypto_hash_sha256_state *st = cls;
    crypto_hash_sha256_update(st, (const unsigned char *)key, strlen(key) + 1);
    if (value)
        crypto_hash_sha256_update(st, (const unsigned char *)value, strlen(value));
    crypto_hash_sha256_update(st, (const unsigned char *)"\n", 1);
    return MHD_YES;
}

/* SHA-256 of what the request asks: method, path, query, type and body. */
static void request_hash(req_t *r, char hex[2 * crypto_hash_sha256_BYTES + 1])
{
    crypto_hash_sha256_state st;
    unsigned char d[crypto_hash_sha256_BYTES];
    const char *ct = req_header(r, "Content-Type");
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)r->method, strlen(r->method) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)r->path, strlen(r->path) + 1);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, hash_arg, &st);
    crypto_hash_sha256_update(&st, (const unsigned char *)(ct ? ct : ""),
                              (ct ? strlen(ct) : 0) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)r->body, r->body_len);
    crypto_hash_sha256_final(&st, d);
    sodium_bin2hex(hex, 2 * sizeof d + 1, d, sizeof d);
}

err_t idem_begin(app_t *app, req_t *r, bool *replayed)
{
    *replayed = false;
    const char *key = req_header(r, "Idempotency-Key");
    if (!key)
        return ERR_OK;
    if (!key_ok(key)) {
        r->detail = "Idempotency-Key: 1 to 100 visible ASCII characters";
        return ERR_INVALID;
    }
    char hash[2 * crypto_hash_sha256_BYTES + 1];
    request_hash(r, hash);
    int64_t now = clock_now();
    store_idem row;
    err_t e =
        store_idem_begin(app->store, r->ar, r->user.id, key, hash, now, now - IDEM_STALE_S, &row);
    if (e == ERR_OK) {
        r->idem_key = key;
        return ERR_OK;
    }
    if (e != ERR_CONFLICT)
        return e;
    if (!row.request_hash || strcmp(row.request_hash, hash) != 0) {
        r->detail = "Idempotency-Key: already used for a different request";
        return ERR_IDEM_REUSED;
    }
    if (row.status == 0 || !row.body) {
        r->detail = "the first request with this Idempotency-Key is still running; try again "
                    "shortly";
        r->retry_after = "2";
        return ERR_CONFLICT;
    }
    json_error_t je;
    json_t *j = json_loads(row.body, 0, &je);
    if (!j)
        return ERR_INTERNAL;
    json_decref(r->json);
    r->json = j;
    r->status = (unsigned)row.status;
    r->idem_replayed = true;
    *replayed = true;
    log_info("http", "event=idempotent_replay path=%s user_id=%lld status=%d", r->path,
             (long long)r->user.id, row.status);
    return ERR_OK;
}

void idem_end(app_t *app, req_t *r, err_t e)
{
    if (!r->idem_key)
        return;
    char *body = NULL;
    if (e == ERR_OK && r->json && r->status >= 200 && r->status < 300)
        body = json_dumps(r->json, JSON_COMPACT | JSON_REAL_PRECISION(10));
    err_t f = body ? store_idem_finish(app->store, r->user.id, r->idem_key, (int)r->status, body)
                   : store_idem_forget(app->store, r->user.id, r->idem_key);
    if (f != ERR_OK)
        log_warn("http", "event=idempotency_key_not_kept path=%s error=%s", r->path, err_code(f));
    free(body);
}

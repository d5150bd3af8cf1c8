#include "domain/withdraw.h"

#include "core/log.h"
#include "core/secret.h"
#include "domain/deadline.h"

#include <sodium.h>
#include <string.h>

err_t case_withdraw_allowed(const store_case *c, const char **detail)
{
    const transition_t *t;
    int kind = kind_parse(c->kind), status = status_parse(c->status);
    *detail = NULL;
    if (kind < 0 || status < 0)
        return ERR_INTERNAL;
    err_t e = lifecycle_check_reporter((case_kind_t)kind, (case_status_t)status, ACT_WITHDRAW, &t);
    if (e != ERR_OK)
        *detail = "the case is already being handled or is finished; it can no longer be withdrawn";
    return e;
}

err_t case_withdraw(store_t *s, arena_t *ar, const store_case *c, const char *reason, int64_t now,
                    const char **detail)
{
    err_t e = case_withdraw_allowed(c, detail);
    if (e == ERR_OK)
        e = store_case_withdraw(s, c->id, c->status, reason, now, NULL);
    if (e == ERR_CONFLICT && !*detail)
        *detail = "the case changed meanwhile; it can no longer be withdrawn";
    if (e != ERR_OK)
        return e;
    log_info("case", "event=withdrawn case_id=%lld from=%s", (long long)c->id, c->status);
    /* As after every change (domain/cases.c): the scheduler catches up
     * when this fails. */
    if (deadline_refresh(s, ar, c->id) != ERR_OK)
        log_warn("sla", "event=refresh_failed case_id=%lld", (long long)c->id);
    return ERR_OK;
}

void withdraw_token_new(char token[WITHDRAW_TOKEN_BUF], char hash[65])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, WITHDRAW_TOKEN_BUF, raw, sizeof raw);
    secret_sha256_hex(token, strlen(token), hash);
}

bool withdraw_token_hash(const char *token, char hash[65])
{
    if (!token || strlen(token) != WITHDRAW_TOKEN_BUF - 1 ||
        strspn(token, "0123456789abcdef") != WITHDRAW_TOKEN_BUF - 1)
        return false;
    secret_sha256_hex(token, strlen(token), hash);
    return true;
}

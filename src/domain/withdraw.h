/* withdraw: the reporter withdraws a filed case (issue 16), the one check
 * every channel goes through. Who the reporter is, each channel proves
 * itself (the contact the case came from, the mail thread, a private link). */
#ifndef ADUAN_WITHDRAW_H
#define ADUAN_WITHDRAW_H

#include "domain/lifecycle.h"
#include "store/store.h"

/* ERR_OK when the reporter may withdraw case c now (the lifecycle's
 * NEED_REPORTER step from its status); ERR_CONFLICT, with *detail, when a
 * team has it already or it is done. */
err_t case_withdraw_allowed(const store_case *c, const char **detail)
    __attribute__((warn_unused_result));

/* Withdraws case c (read just before) for its reporter: checks as above,
 * closes it (store_case_withdraw) with reason as the internal note, then
 * refreshes its deadline. ERR_CONFLICT with *detail when not allowed or
 * the case moved meanwhile; nothing changes on any error. */
err_t case_withdraw(store_t *s, arena_t *ar, const store_case *c, const char *reason, int64_t now,
                    const char **detail) __attribute__((warn_unused_result));

/* The web form's private cancel link (issue 16): a random token (64 hex
 * digits), shown once, and the SHA-256 (hex) the store keeps. */
#define WITHDRAW_TOKEN_BUF 65
void withdraw_token_new(char token[WITHDRAW_TOKEN_BUF], char hash[65]);
/* The hash of a token typed or followed; false when it is no token. */
bool withdraw_token_hash(const char *token, char hash[65]);

#endif

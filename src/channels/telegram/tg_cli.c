/* `aduan telegram connect|status|disconnect`: an agency's bot connected
 * (its token kept in channel_endpoints with a new webhook secret, and
 * setWebhook pointed at ADUAN_PUBLIC_URL/webhooks/telegram/{agency}), its
 * webhook's state from getWebhookInfo, and the bot let go (deleteWebhook,
 * the token forgotten). The token is never printed. */
#include "channels/telegram/tg.h"

#include "core/clock.h"
#include "core/secret.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char tg_cli_usage[] = "aduan telegram connect AGENCY --token BOT_TOKEN|-\n"
                            "       aduan telegram status [AGENCY]\n"
                            "       aduan telegram disconnect AGENCY";

enum { OK = 0, FAIL = 1, USAGE = 2 };

/* One Bot API call; *result the answer's result (the caller's reference),
 * or NULL with why printed. */
static int api(const config_t *cfg, const char *token, const char *method, json_t *args,
               json_t **result)
{
    tg_answer a = {.max = 64 * 1024};
    CURLcode cc = CURLE_OK;
    CURL *curl = curl_easy_init();
    char *body = args ? json_dumps(args, JSON_COMPACT) : NULL;
    json_decref(args);
    long st = curl && body ? tg_call(cfg, curl, token, method, body, NULL, CHANNEL_SEND_TIMEOUT,
                                     tg_answer_sink, &a, &cc)
                           : 0;
    curl_easy_cleanup(curl);
    free(body);
    json_error_t je;
    json_t *j = a.data ? json_loads(a.data, 0, &je) : NULL;
    tg_answer_free(&a);
    *result = NULL;
    if (st == 200 && json_is_true(json_object_get(j, "ok"))) {
        *result = json_incref(json_object_get(j, "result"));
        json_decref(j);
        return OK;
    }
    const char *desc = json_string_value(json_object_get(j, "description"));
    if (st)
        fprintf(stderr, "aduan: Telegram %s: HTTP %ld %s\n", method, st, desc ? desc : "");
    else
        fprintf(stderr, "aduan: Telegram %s: %s\n", method, curl_easy_strerror(cc));
    json_decref(j);
    return FAIL;
}

static int find(store_t *s, arena_t *ar, const char *code, store_agency *a)
{
    err_t e = store_agency_find(s, ar, code, a);
    if (e == ERR_OK)
        return OK;
    fprintf(stderr, "aduan: %s agency '%s'\n", e == ERR_NOT_FOUND ? "unknown" : "cannot read",
            code);
    return FAIL;
}

static int connect_bot(const config_t *cfg, store_t *s, arena_t *ar, const char *code,
                       const char *token)
{
    char bot[32], secret[SECRET_TOKEN_BUF];
    store_agency a;
    json_t *res;
    if (!tg_token_valid(token, bot, sizeof bot)) {
        fprintf(stderr, "aduan: --token: the bot token BotFather gave, e.g. 123456789:AAE...\n");
        return USAGE;
    }
    if (find(s, ar, code, &a) != OK)
        return FAIL;
    if (strncmp(cfg->public_url, "https://", 8) != 0)
        fprintf(stderr, "aduan: warning: ADUAN_PUBLIC_URL is not https://; Telegram sends "
                        "webhooks to HTTPS only\n");
    /* The bot's username (getMe) makes the public page's follow link,
     * https://t.me/<username>?start=...; the call also proves the token. */
    const char *username = NULL;
    if (api(cfg, token, "getMe", json_object(), &res) != OK) {
        fprintf(stderr, "aduan: the bot was not connected; nothing was changed\n");
        return FAIL;
    }
    username = tg_username_valid(json_string_value(json_object_get(res, "username")))
                   ? arena_strdup(ar, json_string_value(json_object_get(res, "username")))
                   : NULL;
    json_decref(res);
    secret_token(secret);
    const char *url = arena_printf(ar, "%s/webhooks/telegram/%s", cfg->public_url, a.code);
    json_t *args =
        json_pack("{s:s, s:s, s:[s, s], s:b}", "url", url, "secret_token", secret,
                  "allowed_updates", "message", "callback_query", "drop_pending_updates", 0);
    if (!url || !args || api(cfg, token, "setWebhook", args, &res) != OK) {
        fprintf(stderr, "aduan: the bot was not connected; nothing was changed\n");
        return FAIL;
    }
    json_decref(res);
    json_t *settings = json_pack("{s:s, s:s, s:s?}", "webhook_secret", secret, "webhook_url", url,
                                 "username", username);
    char *st = settings ? json_dumps(settings, JSON_COMPACT) : NULL;
    json_decref(settings);
    err_t e = st ? store_endpoint_put(s, a.id, TG_CHANNEL, bot, token, st, clock_now()) : ERR_NOMEM;
    free(st);
    sodium_memzero(secret, sizeof secret);
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: the bot's token could not be stored (%s)\n", err_code(e));
        return FAIL;
    }
    printf("aduan: Telegram bot %s%s%s now answers for %s; webhook %s\n", bot, username ? " @" : "",
           username ? username : "", a.code, url);
    return OK;
}

static int status(const config_t *cfg, store_t *s, arena_t *ar, const char *code)
{
    store_endpoint *eps;
    size_t n = 0;
    int rc = OK, shown = 0;
    if (store_endpoint_list(s, ar, TG_CHANNEL, &eps, &n) != ERR_OK) {
        fprintf(stderr, "aduan: cannot read the connected bots\n");
        return FAIL;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *res;
        if (code && strcmp(code, eps[i].agency_code) != 0)
            continue;
        shown++;
        json_t *set = json_loads(eps[i].settings ? eps[i].settings : "{}", 0, NULL);
        const char *name = json_string_value(json_object_get(set, "username"));
        printf("%s: bot %s%s%s\n", eps[i].agency_code, eps[i].endpoint, name ? " @" : "",
               name ? name : "");
        json_decref(set);
        if (api(cfg, eps[i].secret, "getWebhookInfo", json_object(), &res) != OK) {
            rc = FAIL;
            continue;
        }
        const char *url = json_string_value(json_object_get(res, "url"));
        const char *err = json_string_value(json_object_get(res, "last_error_message"));
        printf("  url: %s\n  pending_update_count: %lld\n", url && *url ? url : "(none)",
               (long long)json_integer_value(json_object_get(res, "pending_update_count")));
        if (err)
            printf("  last_error_date: %lld\n  last_error_message: %s\n",
                   (long long)json_integer_value(json_object_get(res, "last_error_date")), err);
        json_decref(res);
    }
    if (!shown)
        printf("aduan: no Telegram bot is connected%s%s\n", code ? " for " : "", code ? code : "");
    return rc;
}

static int disconnect(const config_t *cfg, store_t *s, arena_t *ar, const char *code)
{
    store_agency a;
    store_endpoint ep;
    json_t *res;
    if (find(s, ar, code, &a) != OK)
        return FAIL;
    err_t e = store_endpoint_of_agency(s, ar, a.id, TG_CHANNEL, &ep);
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: %s has no Telegram bot\n", a.code);
        return FAIL;
    }
    /* Forgotten here whatever Telegram says (a revoked token cannot). */
    if (api(cfg, ep.secret, "deleteWebhook", json_object(), &res) != OK)
        fprintf(stderr, "aduan: warning: deleteWebhook failed; the token is forgotten anyway\n");
    json_decref(res);
    if (store_endpoint_remove(s, a.id, TG_CHANNEL) != ERR_OK) {
        fprintf(stderr, "aduan: the bot could not be removed\n");
        return FAIL;
    }
    printf("aduan: Telegram bot %s no longer answers for %s\n", ep.endpoint, a.code);
    return OK;
}

int tg_cli(const config_t *cfg, store_t *s, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";
    int rc = USAGE;
    arena_t *ar = arena_new();
    if (!ar)
        return FAIL;
    if (!strcmp(sub, "connect") && argc == 4 && !strcmp(argv[2], "--token")) {
        /* "-": the token as one line on standard input (not in ps or the
         * shell's history). */
        char line[256] = "";
        const char *token = argv[3];
        if (!strcmp(token, "-")) {
            if (!fgets(line, sizeof line, stdin))
                line[0] = '\0';
            line[strcspn(line, "\r\n")] = '\0';
            token = line;
        }
        rc = connect_bot(cfg, s, ar, argv[1], token);
        sodium_memzero(line, sizeof line);
    } else if (!strcmp(sub, "status") && argc <= 2)
        rc = status(cfg, s, ar, argc == 2 ? argv[1] : NULL);
    else if (!strcmp(sub, "disconnect") && argc == 2)
        rc = disconnect(cfg, s, ar, argv[1]);
    else
        fprintf(stderr, "Usage: %s\n", tg_cli_usage);
    arena_destroy(ar);
    return rc;
}

/* tg: the Telegram Bot API channel (issue 16 §2, docs/CHANNELS.md). Each
 * agency connects its own bot (`aduan telegram connect`): the bot's id is
 * the agency's endpoint, its token and the webhook's secret are kept in
 * channel_endpoints. Telegram posts updates to /webhooks/telegram/{agency}
 * with the secret in X-Telegram-Bot-Api-Secret-Token. */
#ifndef ADUAN_TG_H
#define ADUAN_TG_H

#include "channels/channel.h"
#include "store/store.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

/* The channel's name in contacts, conversations, the outbox and cases. */
#define TG_CHANNEL "telegram"
/* An update is small; a generous bound (the Bot API sends JSON only). */
#define TG_BODY_MAX (1024 * 1024)
/* The webhook secret Telegram echoes: 1-256 of A-Z a-z 0-9 _ - (Bot API). */
#define TG_SECRET_MAX 256

extern const channel_driver tg_driver;

/* A small answer of the Bot API, collected in memory (at most max bytes);
 * data is NUL-terminated, freed by tg_answer_free. */
typedef struct {
    char *data;
    size_t len, max;
} tg_answer;
bool tg_answer_sink(void *arg, const char *data, size_t len);
void tg_answer_free(tg_answer *a);

/* One call of the Bot API: POST {api}/bot{token}/{method} with json (or
 * the multipart form, or neither: GET), the answer into sink/arg. The only
 * place that speaks HTTP to Telegram. Returns the HTTP status, 0 when
 * there was no answer (*cc says why). */
long tg_call(const config_t *cfg, CURL *curl, const char *token, const char *method,
             const char *json, curl_mime *form, long timeout, channel_sink sink, void *arg,
             CURLcode *cc);
/* GET {api}/file/bot{token}/{file_path} into sink. */
long tg_download(const config_t *cfg, CURL *curl, const char *token, const char *file_path,
                 channel_sink sink, void *arg, CURLcode *cc);

/* The bot's id: the digits before ':' of its token; false when token is
 * not a bot token (digits ':' 30-60 of A-Z a-z 0-9 _ -). */
bool tg_token_valid(const char *token, char *bot_id, size_t cap);

/* Whether name is a bot's username as Telegram gives them: 5-32 of
 * A-Z a-z 0-9 _ (safe in a t.me link). */
bool tg_username_valid(const char *name);

/* The payload of a t.me deep link (?start=, 1-64 of A-Z a-z 0-9 _ -) that
 * carries text ("IKUTI ABCD-EFGH" -> "IKUTI_ABCD-EFGH"), and back: the
 * text a "/start <payload>" message stands for. NULL when text or payload
 * cannot be carried. */
const char *tg_start_payload(arena_t *ar, const char *text);
const char *tg_start_text(arena_t *ar, const char *payload);
/* The driver's start_link: the agency's bot's t.me link with text. */
const char *tg_start_link(struct store *s, arena_t *ar, int64_t agency_id, const char *text);

/* The token of the bot that is endpoint (its id), into a new arena string;
 * ERR_NOT_FOUND when no agency has connected it. */
err_t tg_token_of(struct store *s, arena_t *ar, const char *endpoint, const char **token)
    __attribute__((warn_unused_result));

/* The driver's parts. */
const char *tg_render(arena_t *ar, const char *address, const channel_msg *m);
const struct http_route *tg_routes(size_t *n);
err_t tg_process(const config_t *cfg, struct store *s, arena_t *ar, int64_t inbound_id,
                 const char *body, int64_t now, channel_inbound *out)
    __attribute__((warn_unused_result));
bool tg_fetch_media(const config_t *cfg, struct store *s, void *curl, const char *media_id,
                    channel_fetch *f);
const char *tg_attach_document(const config_t *cfg, void *curl, arena_t *ar, const char *endpoint,
                               const char *path, const char *sha256, const char *filename,
                               const char **payload, const char **template, bool *final, char *err,
                               size_t cap);

/* `aduan telegram connect|status|disconnect` (tg_cli.c). */
extern const char tg_cli_usage[];
int tg_cli(const config_t *cfg, store_t *s, int argc, char **argv);

#endif

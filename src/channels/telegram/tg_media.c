/* The Telegram driver's files: a photo or document a citizen sent,
 * downloaded with getFile (its file_path, valid for an hour) and then
 * {api}/file/bot{token}/{file_path} (the Bot API serves files up to
 * 20 MB); an issued document goes with its message, uploaded by
 * sendDocument (tg_send.c), so readying it only names the file. */
#include "channels/telegram/tg.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define META_MAX (16 * 1024)

bool tg_fetch_media(const config_t *cfg, struct store *s, void *curl, const char *media_id,
                    channel_fetch *f)
{
    char endpoint[32], *body = NULL;
    const char *slash = strchr(media_id, '/'), *token;
    tg_answer meta = {.max = META_MAX};
    CURLcode cc;
    f->mime[0] = f->stored[0] = f->error[0] = '\0';
    f->final = false;
    size_t n = slash ? (size_t)(slash - media_id) : 0;
    if (!slash || n == 0 || n >= sizeof endpoint || !curl) {
        snprintf(f->error, sizeof f->error, "%s", curl ? "not a Telegram file id" : "no handle");
        f->final = curl != NULL;
        return false;
    }
    memcpy(endpoint, media_id, n);
    endpoint[n] = '\0';
    arena_t *ar = arena_new();
    err_t e = ar ? tg_token_of(s, ar, endpoint, &token) : ERR_NOMEM;
    if (e != ERR_OK) {
        snprintf(f->error, sizeof f->error, "%s",
                 e == ERR_NOT_FOUND ? "no Telegram bot is connected for this file"
                                    : "the bot's token could not be read");
        f->final = e == ERR_NOT_FOUND;
        arena_destroy(ar);
        return false;
    }
    json_t *q = json_pack("{s:s}", "file_id", slash + 1);
    body = q ? json_dumps(q, JSON_COMPACT) : NULL;
    json_decref(q);
    long st = body ? tg_call(cfg, curl, token, "getFile", body, NULL, CHANNEL_FILE_TIMEOUT,
                             tg_answer_sink, &meta, &cc)
                   : 0;
    free(body);
    json_error_t je;
    json_t *j = st == 200 && meta.data ? json_loads(meta.data, 0, &je) : NULL;
    tg_answer_free(&meta);
    const char *path =
        json_string_value(json_object_get(json_object_get(j, "result"), "file_path"));
    bool ok = false;
    if (!path) {
        if (st && st != 200)
            snprintf(f->error, sizeof f->error, "getFile: HTTP %ld", st);
        else
            snprintf(f->error, sizeof f->error, "getFile: %s",
                     st ? "no file_path in the answer" : curl_easy_strerror(cc));
        /* 400: the file is gone or too big for bots; 429 and 5xx retry. */
        f->final = st >= 400 && st < 500 && st != 429;
    } else {
        st = tg_download(cfg, curl, token, path, f->sink, f->arg, &cc);
        ok = st == 200;
        if (!ok && st)
            snprintf(f->error, sizeof f->error, "download: HTTP %ld", st);
        else if (!ok)
            snprintf(f->error, sizeof f->error, "download: %s", curl_easy_strerror(cc));
    }
    json_decref(j);
    arena_destroy(ar);
    return ok;
}

/* The file's path goes into the sendDocument call: tg_send uploads it. */
static const char *with_path(arena_t *ar, const char *payload, const char *path,
                             const char *filename)
{
    json_error_t je;
    json_t *j = payload ? json_loads(payload, 0, &je) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        return payload;
    }
    json_object_set_new(j, "document_path", json_string(path));
    if (filename)
        json_object_set_new(j, "filename", json_string(filename));
    return channel_dump(ar, j);
}

const char *tg_attach_document(const config_t *cfg, void *curl, arena_t *ar, const char *endpoint,
                               const char *path, const char *sha256, const char *filename,
                               const char **payload, const char **template, bool *final, char *err,
                               size_t cap)
{
    (void)cfg;
    (void)curl;
    (void)endpoint;
    (void)sha256;
    *final = false;
    const char *p = with_path(ar, *payload, path, filename);
    if (!p) {
        snprintf(err, cap, "out of memory");
        return err;
    }
    *payload = p;
    if (*template)
        *template = with_path(ar, *template, path, filename);
    return NULL;
}

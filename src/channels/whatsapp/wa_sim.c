/* The WhatsApp simulator, a mode of the driver: with no Meta access token
 * configured, /sim is a chat page (web/sim/, served as a static asset)
 * whose messages the server signs and posts to its own webhook, so the
 * demo runs the real path. */
#include "channels/whatsapp/wa_routes.h"

#include "channels/whatsapp/wa.h"
#include "core/clock.h"
#include "core/fsfile.h"
#include "core/image.h"
#include "core/log.h"
#include "core/msg.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A simulated photo: WhatsApp's own limit for images is 5 MB; the
 * simulator keeps it smaller (it travels as base64 in JSON). */
#define SIM_PHOTO_MAX (2 * 1024 * 1024)
err_t h_sim_numbers(app_t *app, req_t *r)
{
    store_agency *a;
    size_t n;
    err_t e = store_agency_list(app->store, r->ar, &a, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        const char *nums = NULL;
        if (store_agency_numbers(app->store, r->ar, a[i].id, &nums) != ERR_OK || !nums || !*nums)
            continue;
        char *list = arena_strdup(r->ar, nums), *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
            json_array_append_new(items, json_pack("{s:s, s:s, s:{s:I, s:s}}", "phone_number_id", t,
                                                   "display_phone", t, "agency", "id",
                                                   (json_int_t)a[i].id, "name", a[i].name));
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* Stores a simulated photo in the media directory under its sha256 (as
 * the media worker would) and returns its simulated media id. */
static err_t sim_photo(app_t *app, req_t *r, const char *b64, const char **media_id,
                       const char **sha_hex)
{
    size_t cap = strlen(b64) * 3 / 4 + 3, len = 0;
    unsigned char *bin = arena_alloc(r->ar, cap);
    if (!bin)
        return ERR_NOMEM;
    if (sodium_base642bin(bin, cap, b64, strlen(b64), "\r\n", &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len == 0) {
        r->detail = "message.data_b64: not base64";
        return ERR_INVALID;
    }
    if (len > SIM_PHOTO_MAX) {
        r->detail = "message.data_b64: at most 2 MB";
        return ERR_TOO_LARGE;
    }
    /* Kept as the media worker would keep a download: decoded and encoded
     * again, so that a photo's EXIF never reaches the disk (core/image.h). */
    image_t im;
    image_status st = image_reencode(bin, len, &im);
    if (st != IMAGE_OK) {
        r->detail = image_why(st, r->lang);
        return st == IMAGE_TOO_LARGE ? ERR_TOO_LARGE : st == IMAGE_NOMEM ? ERR_NOMEM : ERR_INVALID;
    }
    unsigned char d[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof d + 1];
    crypto_hash_sha256(d, im.data, im.len);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    mkdir(app->cfg->media_dir, 0750);
    err_t e =
        fsfile_write(app->cfg->media_dir, hex, im.data, im.len, !app->cfg->durability_process);
    image_free(&im);
    if (e != ERR_OK)
        return e;
    *media_id = arena_printf(r->ar, "sim:%s", hex);
    *sha_hex = arena_strdup(r->ar, hex);
    return ERR_OK;
}

/* The Meta-format message for the simulator's message object m. */
static err_t sim_message(app_t *app, req_t *r, json_t *m, const char *from, const char *wamid,
                         json_t **out)
{
    const char *type = json_string_value(json_object_get(m, "type"));
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)clock_now());
    json_t *msg = json_pack("{s:s, s:s, s:s}", "from", from, "id", wamid, "timestamp", ts);
    if (!msg)
        return ERR_NOMEM;
    *out = msg;
    if (type && !strcmp(type, "text") && json_is_string(json_object_get(m, "text"))) {
        json_object_set_new(msg, "type", json_string("text"));
        json_object_set_new(msg, "text", json_pack("{s:O}", "body", json_object_get(m, "text")));
    } else if (type && !strcmp(type, "interactive") &&
               json_is_string(json_object_get(m, "reply_id"))) {
        const char *kind = json_string_value(json_object_get(m, "kind"));
        const char *key = kind && !strcmp(kind, "list") ? "list_reply" : "button_reply";
        json_t *title = json_object_get(m, "title");
        json_object_set_new(msg, "type", json_string("interactive"));
        json_object_set_new(msg, "interactive",
                            json_pack("{s:s, s:{s:O, s:s}}", "type", key, key, "id",
                                      json_object_get(m, "reply_id"), "title",
                                      json_is_string(title) ? json_string_value(title) : ""));
    } else if (type && !strcmp(type, "location") && json_is_number(json_object_get(m, "lat")) &&
               json_is_number(json_object_get(m, "lon"))) {
        json_t *loc = json_pack("{s:O, s:O}", "latitude", json_object_get(m, "lat"), "longitude",
                                json_object_get(m, "lon"));
        if (json_is_string(json_object_get(m, "address")))
            json_object_set(loc, "address", json_object_get(m, "address"));
        json_object_set_new(msg, "type", json_string("location"));
        json_object_set_new(msg, "location", loc);
    } else if (type && !strcmp(type, "image") && json_is_string(json_object_get(m, "data_b64"))) {
        const char *id = NULL, *sha = NULL;
        err_t e = sim_photo(app, r, json_string_value(json_object_get(m, "data_b64")), &id, &sha);
        if (e != ERR_OK)
            return e;
        json_t *mime = json_object_get(m, "mime");
        json_t *img = json_pack("{s:s, s:s, s:s}", "id", id, "sha256", sha, "mime_type",
                                json_is_string(mime) ? json_string_value(mime) : "image/jpeg");
        if (json_is_string(json_object_get(m, "caption")))
            json_object_set(img, "caption", json_object_get(m, "caption"));
        json_object_set_new(msg, "type", json_string("image"));
        json_object_set_new(msg, "image", img);
    } else if (type && !strcmp(type, "button") && json_is_string(json_object_get(m, "payload"))) {
        /* A tap on a template's quick-reply button, as WhatsApp delivers it. */
        json_t *label = json_object_get(m, "text");
        json_object_set_new(msg, "type", json_string("button"));
        json_object_set_new(msg, "button",
                            json_pack("{s:O, s:s}", "payload", json_object_get(m, "payload"),
                                      "text",
                                      json_is_string(label) ? json_string_value(label) : ""));
    } else if (type && !strcmp(type, "reaction") &&
               json_is_string(json_object_get(m, "message_id")) &&
               json_is_string(json_object_get(m, "emoji"))) {
        json_object_set_new(msg, "type", json_string("reaction"));
        json_object_set_new(msg, "reaction",
                            json_pack("{s:O, s:O}", "message_id", json_object_get(m, "message_id"),
                                      "emoji", json_object_get(m, "emoji")));
    } else {
        r->detail = "message: text, interactive, button, location, image or reaction, with its "
                    "fields";
        return ERR_INVALID;
    }
    return ERR_OK;
}

/* Posts body, signed with the app secret, to this server's own webhook. */
static long post_to_self(app_t *app, const char *body)
{
    char url[CONFIG_HOST_MAX + 64], sig[80], hdr[128];
    bool v6 = strchr(app->cfg->listen_host, ':') != NULL;
    const char *host = strcmp(app->cfg->listen_host, "0.0.0.0") == 0 ? "127.0.0.1"
                       : strcmp(app->cfg->listen_host, "::") == 0    ? "::1"
                                                                     : app->cfg->listen_host;
    snprintf(url, sizeof url,
             v6 ? "http://[%s]:%u/webhooks/whatsapp" : "http://%s:%u/webhooks/whatsapp", host,
             app->cfg->listen_port);
    wa_signature(app->cfg->wa_app_secret, body, strlen(body), sig, sizeof sig);
    snprintf(hdr, sizeof hdr, "X-Hub-Signature-256: %s", sig);
    CURL *curl = curl_easy_init();
    if (!curl)
        return 0;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, hdr);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    return status;
}

err_t h_sim_send(app_t *app, req_t *r)
{
    json_t *body, *msg = NULL;
    const char *pnid = NULL, *wa_id = NULL, *name = NULL;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "phone_number_id", &pnid);
    if (e == ERR_OK)
        e = jfield_str(r, body, "wa_id", &wa_id);
    if (e == ERR_OK)
        e = jfield_str(r, body, "name", &name);
    if (e != ERR_OK)
        return e;
    if (!pnid || !*pnid || !wa_id || strspn(wa_id, "0123456789") != strlen(wa_id) ||
        strlen(wa_id) < 8 || strlen(wa_id) > 15 ||
        !json_is_object(json_object_get(body, "message"))) {
        r->detail = "phone_number_id, wa_id (8-15 digits) and message are required";
        return ERR_INVALID;
    }
    unsigned char rnd[8];
    char hex[17];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    const char *wamid = arena_printf(r->ar, "wamid.SIM%s", hex);
    e = sim_message(app, r, json_object_get(body, "message"), wa_id, wamid, &msg);
    if (e != ERR_OK) {
        json_decref(msg);
        return e;
    }
    json_t *env =
        json_pack("{s:s, s:[{s:s, s:[{s:s, s:{s:s, s:{s:s, s:s}, s:[{s:{s:s}, s:s}], s:[o]}}]}]}",
                  "object", "whatsapp_business_account", "entry", "id", "SIMULATOR", "changes",
                  "field", "messages", "value", "messaging_product", "whatsapp", "metadata",
                  "display_phone_number", pnid, "phone_number_id", pnid, "contacts", "profile",
                  "name", name && *name ? name : "Simulasi", "wa_id", wa_id, "messages", msg);
    char *text = env ? json_dumps(env, JSON_COMPACT) : NULL;
    json_decref(env);
    if (!text)
        return ERR_NOMEM;
    long status = post_to_self(app, text);
    free(text);
    if (status != 200) {
        r->detail = arena_printf(r->ar, msg_lang(r->lang, "the webhook answered %ld"), status);
        return ERR_UNAVAILABLE;
    }
    return reply_json(r, 200, json_pack("{s:s, s:s}", "status", "received", "wamid", wamid));
}

/* A file the simulated agency sent (an issued document), by the sha256
 * in its media id (SIM_MEDIA_PREFIX and the sha256 of the file in the
 * media directory). It is served only to the number it was sent to: a
 * message to wa_id must carry the id. */
err_t h_sim_media(app_t *app, req_t *r)
{
    const char *wa_id = NULL, *sha = strrchr(r->path, '/');
    store_outbox_item *items;
    size_t n = 0;
    err_t e = req_query(r, "wa_id", &wa_id);
    if (e != ERR_OK)
        return e;
    sha = sha ? sha + 1 : "";
    if (!wa_id || strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64) {
        r->detail = "the sha256 of a simulated file and the wa_id it was sent to are required";
        return ERR_INVALID;
    }
    const char *id = arena_printf(r->ar, SIM_MEDIA_PREFIX "%s", sha);
    if (!id)
        return ERR_NOMEM;
    e = store_outbox_list(app->store, r->ar, WA_CHANNEL, wa_id, 200, &items, &n);
    if (e != ERR_OK)
        return e;
    const char *filename = NULL;
    bool sent = false;
    /* What was sent (a document message, or the template with the
     * document in its header). */
    for (size_t i = 0; i < n && !sent; i++) {
        const char *p = items[i].payload, *at = p ? strstr(p, id) : NULL;
        if (!at || strcmp(items[i].state, "pending") == 0)
            continue;
        sent = true;
        const char *fn = strstr(p, "\"filename\":\"");
        size_t len = fn ? strcspn(fn + 12, "\"\\") : 0;
        if (len)
            filename = arena_strndup(r->ar, fn + 12, len);
    }
    if (!sent) {
        r->detail = "no message to this number carries that file";
        return ERR_NOT_FOUND;
    }
    char path[CONFIG_PATH_MAX + 80];
    snprintf(path, sizeof path, "%s/%s", app->cfg->media_dir, sha);
    FILE *fp = fopen(path, "rb");
    struct stat sb;
    if (!fp || fstat(fileno(fp), &sb) != 0 || sb.st_size > SIM_DOCUMENT_MAX) {
        if (fp)
            fclose(fp);
        r->detail = "the file cannot be read";
        return ERR_NOT_FOUND;
    }
    char *buf = arena_alloc(r->ar, (size_t)sb.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)sb.st_size, fp) : 0;
    fclose(fp);
    if (!buf || got != (size_t)sb.st_size)
        return buf ? ERR_IO : ERR_NOMEM;
    bool pdf = got >= 5 && memcmp(buf, "%PDF-", 5) == 0;
    r->status = 200;
    r->text = buf;
    r->text_len = got;
    r->content_type = pdf ? "application/pdf" : "application/octet-stream";
    r->disposition =
        arena_printf(r->ar, "inline; filename=\"%s\"",
                     filename && !strpbrk(filename, "\"\\\r\n") ? filename : "dokumen.pdf");
    return ERR_OK;
}

/* The staff numbers an admin may act as in the simulator (a field
 * officer's answer to an alert): the users with a number in the agencies
 * the admin has a role in, every one for a superadmin. */
err_t h_sim_staff(app_t *app, req_t *r)
{
    store_user *u;
    size_t n = 0;
    bool all = false;
    for (size_t i = 0; i < r->actor.nroles; i++)
        all = all || r->actor.roles[i].agency_id == 0;
    err_t e = store_user_list(app->store, r->ar, &u, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        if (!u[i].mobile || u[i].disabled)
            continue;
        store_role *ro;
        size_t nr = 0;
        if (store_user_roles(app->store, r->ar, u[i].id, &ro, &nr) != ERR_OK)
            continue;
        bool shared = all;
        for (size_t k = 0; k < nr && !shared; k++)
            for (size_t a = 0; a < r->actor.nroles && !shared; a++)
                shared = ro[k].agency_id == r->actor.roles[a].agency_id &&
                         (!strcmp(r->actor.roles[a].role, "admin") ||
                          !strcmp(r->actor.roles[a].role, "superadmin"));
        if (shared)
            json_array_append_new(items,
                                  json_pack("{s:s, s:s, s:s?, s:s}", "name", u[i].name, "wa_id",
                                            u[i].mobile, "role", nr ? ro[0].role : NULL, "agency",
                                            nr && ro[0].agency_name ? ro[0].agency_name : ""));
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items ? items : json_array()));
}

err_t h_sim_messages(app_t *app, req_t *r)
{
    const char *wa_id = NULL, *after_s = NULL, *pnid = NULL;
    store_outbox_item *items;
    size_t n;
    err_t e = req_query(r, "wa_id", &wa_id);
    if (e == ERR_OK)
        e = req_query(r, "after", &after_s);
    if (e == ERR_OK)
        e = req_query(r, "phone_number_id", &pnid);
    if (e != ERR_OK)
        return e;
    if (!wa_id) {
        r->detail = "wa_id: required";
        return ERR_INVALID;
    }
    long long after = after_s ? strtoll(after_s, NULL, 10) : 0;
    e = store_outbox_list(app->store, r->ar, WA_CHANNEL, wa_id, 200, &items, &n);
    if (e != ERR_OK)
        return e;
    json_t *arr = json_array();
    for (size_t i = n; arr && i-- > 0;) { /* oldest first */
        if (items[i].id <= after || strcmp(items[i].state, "pending") == 0 ||
            (pnid && items[i].endpoint && strcmp(pnid, items[i].endpoint) != 0))
            continue;
        json_error_t je;
        json_t *payload = json_loads(items[i].payload ? items[i].payload : "null", 0, &je);
        json_array_append_new(
            arr, json_pack("{s:I, s:o, s:s, s:s?, s:s?, s:o}", "id", (json_int_t)items[i].id,
                           "payload", payload ? payload : json_null(), "state", items[i].state,
                           "delivery", items[i].delivery, "provider_id", items[i].provider_id,
                           "created_at", json_time(items[i].created_at)));
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* The operator dashboard's API: a case's chat thread and 24-hour window,
 * the actions a user may take on a case, its files (read and, for
 * officers, added from the phone's camera), and the user's teams. */
#include "core/msg.h"
#include "http/http.h"

#include "channels/channel.h"
#include "channels/bot.h"
#include "core/clock.h"
#include "core/fsfile.h"
#include "core/image.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Messages shown in a case's thread: the newest this many. */
#define THREAD_MAX 300
/* The reporter's other cases listed beside the thread: the newest this many. */
#define OTHER_CASES_MAX 20
/* Largest file read back from the media directory. */
#define MEDIA_READ_MAX (64 * 1024 * 1024)

/* ---- actions --------------------------------------------------------------- */

static const char *const action_id[ACT__COUNT] = {
    "Verifikasi", "Tolak",         "Tunda",  "Lanjutkan", "Disposisi ke tim",
    "Mulai",      "Selesai",       "Tutup",  "Alihkan",   "Buka kembali",
    "Periksa",    "Belum lengkap", "Proses", "Terbitkan", "Dibatalkan oleh pelapor"};
static const char *const action_en[ACT__COUNT] = {
    "Verify", "Reject",     "Put on hold", "Resume",  "Dispatch to a team",
    "Start",  "Resolve",    "Close",       "Forward", "Reopen",
    "Check",  "Incomplete", "Process",     "Issue",   "Withdrawn by the reporter"};

json_t *case_actions_json(app_t *app, req_t *r, const store_case *c)
{
    json_t *arr = json_array();
    int role = actor_role(&r->actor, c->agency_id);
    int kind = kind_parse(c->kind), status = status_parse(c->status);
    if (!arr || role < 0 || kind < 0 || status < 0)
        return arr;
    /* A field officer acts only on the cases of a team they belong to. */
    if (role == ROLE_FIELD &&
        (!c->team_id || store_team_has_member(app->store, c->team_id, r->user.id) != ERR_OK))
        return arr;
    unsigned count;
    const transition_t *t = lifecycle_table(&count);
    bool en = strcmp(r->lang, "en") == 0;
    for (unsigned i = 0; i < count; i++) {
        if (!(t[i].kinds & (1u << kind)) || t[i].from != (case_status_t)status ||
            !(t[i].roles & (1u << role)))
            continue;
        /* public: the step is told to the reporter (a public_note may go
         * with it); needs_public_note: it must (issue #13). */
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b}", "action",
                           action_name(t[i].action), "label",
                           en ? action_en[t[i].action] : action_id[t[i].action], "to",
                           status_name(t[i].to), "needs_note", (t[i].needs & NEED_NOTE) != 0,
                           "needs_public_note", (t[i].needs & NEED_PUBLIC) != 0, "public",
                           t[i].is_public, "needs_team", (t[i].needs & NEED_TEAM) != 0,
                           "needs_agency", (t[i].needs & NEED_AGENCY) != 0));
    }
    return arr;
}

/* ---- the chat thread ------------------------------------------------------- */

/* Sets "text" (what a person reads) and "template_name" on j from one of
 * our messages: the payload the channel's driver rendered (a Graph API
 * body, once sent) or, before that, the neutral message (channels/
 * channel.h). */
static void outbound_text(json_t *j, const char *payload)
{
    json_error_t je;
    json_t *p = payload && *payload ? json_loads(payload, 0, &je) : NULL;
    json_t *out = NULL, *tname = NULL;
    const char *type = json_string_value(json_object_get(p, "type"));
    const char *kind = json_string_value(json_object_get(p, "kind"));
    if (kind && strcmp(kind, "template") == 0) {
        json_t *tp = json_object_get(p, "template"), *params = json_object_get(tp, "params");
        tname = json_object_get(tp, "name");
        out = json_array_get(params, json_array_size(params) - 1);
    } else if (kind) {
        out = json_object_get(p, "text");
    } else if (type && strcmp(type, "text") == 0) {
        out = json_object_get(json_object_get(p, "text"), "body");
    } else if (type && strcmp(type, "interactive") == 0) {
        out = json_object_get(json_object_get(json_object_get(p, "interactive"), "body"), "text");
    } else if (type && strcmp(type, "template") == 0) {
        json_t *tp = json_object_get(p, "template"), *comp;
        size_t i;
        tname = json_object_get(tp, "name");
        /* The last body parameter is the message itself. */
        json_array_foreach(json_object_get(tp, "components"), i, comp)
        {
            json_t *params = json_object_get(comp, "parameters");
            size_t n = json_array_size(params);
            if (n)
                out = json_object_get(json_array_get(params, n - 1), "text");
        }
    } else if (type) {
        out = json_object_get(json_object_get(p, type), "caption");
    }
    json_object_set_new(j, "text", json_is_string(out) ? json_copy(out) : json_null());
    json_object_set_new(j, "template_name", json_is_string(tname) ? json_copy(tname) : json_null());
    json_decref(p);
}

/* The events a thread's status updates tell: the case's own, and those of
 * the master case it follows (told with the master's tracking code). */
typedef struct {
    const store_event *ev;
    size_t n;
    const char *code;
    const char *kind; /* the case's: a service request is a "permohonan" */
} thread_events;

/* The text of the status update of event_id as the reporter read it (or
 * will), in lang; NULL when the event is not among sets. */
static const char *status_text(arena_t *ar, const thread_events *sets, size_t nsets,
                               int64_t event_id, const char *lang)
{
    for (size_t k = 0; event_id && k < nsets; k++)
        for (size_t i = 0; i < sets[k].n; i++)
            if (sets[k].ev[i].id == event_id)
                return bot_status_text(ar, sets[k].code, sets[k].kind, &sets[k].ev[i], lang);
    return NULL;
}

/* told: the text of a status update (NULL: read it from the payload). */
static json_t *thread_item_json(const store_thread_item *t, const char *told)
{
    json_t *j = json_pack("{s:s, s:I, s:s?, s:o, s:s?}", "dir", t->inbound ? "in" : "out", "id",
                          (json_int_t)t->id, "type", t->type, "at", json_time(t->created_at),
                          "channel", t->channel);
    if (!j)
        return NULL;
    if (t->inbound) {
        json_object_set_new(j, "text", t->body ? json_string(t->body) : json_null());
        json_object_set_new(j, "attachment_id",
                            t->attachment_id ? json_integer((json_int_t)t->attachment_id)
                                             : json_null());
        json_object_set_new(j, "location",
                            t->has_location ? json_pack("{s:f, s:f}", "lat", t->lat, "lon", t->lon)
                                            : json_null());
        return j;
    }
    outbound_text(j, t->body);
    /* A status update shows what it says: before it is sent its payload is
     * empty, and as a template only its variables are stored. */
    if (told && (!t->body || !*t->body || json_is_string(json_object_get(j, "template_name"))))
        json_object_set_new(j, "text", json_string(told));
    json_object_set_new(j, "state", json_string(t->state ? t->state : "pending"));
    json_object_set_new(j, "delivery", t->delivery ? json_string(t->delivery) : json_null());
    json_object_set_new(j, "as_template", json_boolean(t->used_template));
    json_object_set_new(j, "error", t->error ? json_string(t->error) : json_null());
    return j;
}

/* The reporter's other cases with this agency, for the side panel; null
 * for a field officer (their work is the case in hand). */
static json_t *other_cases_json(app_t *app, req_t *r, const store_case *c, int role)
{
    store_case *cs = NULL;
    size_t n = 0;
    char shown[IDS_SHOWN_BUF];
    if (role != ROLE_SUPERADMIN && role != ROLE_ADMIN && role != ROLE_SUPERVISOR)
        return json_null();
    json_t *arr = json_array();
    if (!arr || !c->reporter_mobile)
        return arr;
    if (store_case_list_for_mobile(app->store, r->ar, c->agency_id, c->reporter_mobile,
                                   OTHER_CASES_MAX, &cs, &n) != ERR_OK)
        return arr;
    bool en = strcmp(r->lang, "en") == 0;
    for (size_t i = 0; i < n; i++) {
        if (cs[i].id == c->id)
            continue;
        int st = status_parse(cs[i].status);
        ids_tracking_format(cs[i].tracking_code, shown);
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o}", "id", (json_int_t)cs[i].id,
                           "tracking_code", shown, "status", cs[i].status, "status_label",
                           st >= 0 ? status_label((case_status_t)st, r->lang) : cs[i].status,
                           "category", en ? cs[i].category_name_en : cs[i].category_name_id,
                           "created_at", json_time(cs[i].created_at)));
    }
    return arr;
}

err_t h_case_conversation(app_t *app, req_t *r)
{
    /* The router checked that the user sees the reporter (R_PERSONAL). */
    store_case c = r->scope.kase, m;
    int role = r->scope.role;
    store_thread_item *items = NULL;
    store_event *ev = NULL, *mev = NULL;
    store_dispatch_info di;
    size_t n = 0, nev = 0, nmev = 0;
    thread_events sets[2];
    size_t nsets = 0;
    err_t e;
    bool chat = case_notifies(&c);
    /* A walk-in or phone reporter who agreed: reached by template until
     * they write themselves. */
    bool consent = chat && strcmp(c.channel, c.notify_channel) != 0;
    int64_t last_in = 0, now = clock_now();
    const char *lang = "id";
    if (chat) {
        store_conv conv;
        e = store_conv_get(app->store, r->ar, c.agency_id, c.notify_channel, c.notify_address,
                           &conv);
        if (e == ERR_OK) {
            last_in = conv.last_inbound_at;
            lang = conv.lang && !strcmp(conv.lang, "en") ? "en" : "id";
        } else if (e != ERR_NOT_FOUND) {
            return e;
        }
        e = store_case_thread(app->store, r->ar, c.id, THREAD_MAX, &items, &n);
        if (e == ERR_OK)
            e = store_case_events(app->store, r->ar, c.id, &ev, &nev);
        if (e != ERR_OK)
            return e;
        sets[nsets++] = (thread_events){ev, nev, c.tracking_code, c.kind};
        /* A follower's reporter also got its master's updates. */
        if (store_dispatch_get(app->store, r->ar, c.id, &di) == ERR_OK && di.follows_id &&
            store_case_get(app->store, r->ar, di.follows_id, &m) == ERR_OK &&
            store_case_events(app->store, r->ar, m.id, &mev, &nmev) == ERR_OK)
            sets[nsets++] = (thread_events){mev, nmev, m.tracking_code, m.kind};
    }
    const channel_driver *d = chat ? channel_find(c.notify_channel) : NULL;
    bool open = d && d->can_send_text(last_in, now);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(
            arr, thread_item_json(&items[i],
                                  items[i].inbound
                                      ? NULL
                                      : status_text(r->ar, sets, nsets, items[i].event_id, lang)));
    return reply_json(r, 200,
                      json_pack("{s:b, s:s?, s:b, s:b, s:o, s:o, s:b, s:o, s:o}", "chat", chat,
                                "channel", chat ? c.notify_channel : NULL, "via_consent", consent,
                                "window_open", open, "last_inbound_at", json_time(last_in),
                                "window_closes_at",
                                json_time(last_in && d && d->caps.reengage_seconds
                                              ? last_in + d->caps.reengage_seconds
                                              : 0),
                                "can_reply", chat && role != ROLE_FIELD, "items", arr,
                                "other_cases", other_cases_json(app, r, &c, role)));
}

/* ---- attachments ----------------------------------------------------------- */

/* Types shown inline; anything else is sent as an opaque download. */
static const char *safe_mime(const char *m)
{
    static const char *const ok[] = {"image/jpeg", "image/png",  "image/webp",     "image/gif",
                                     "video/mp4",  "video/3gpp", "audio/ogg",      "audio/mpeg",
                                     "audio/aac",  "audio/amr",  "application/pdf"};
    for (size_t i = 0; m && i < sizeof ok / sizeof ok[0]; i++)
        if (strcasecmp(m, ok[i]) == 0)
            return ok[i];
    return "application/octet-stream";
}

static bool is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

err_t h_attachment_get(app_t *app, req_t *r)
{
    const store_attachment a = r->scope.attachment; /* its case checked by the router */
    if (strcmp(a.source, "citizen") == 0 && r->scope.role == ROLE_VIEWER) {
        r->detail = "the reporter's files are personal data";
        return ERR_FORBIDDEN;
    }
    return evidence_send(app, r, &a);
}

err_t media_send(app_t *app, req_t *r, const store_attachment *att)
{
    const store_attachment a = *att;
    if (strcmp(a.state, "stored") != 0 || !is_hex64(a.sha256)) {
        r->detail = "the file is not stored (yet)";
        return ERR_NOT_FOUND;
    }
    char path[CONFIG_PATH_MAX + 80];
    snprintf(path, sizeof path, "%s/%s", app->cfg->media_dir, a.sha256);
    FILE *f = fopen(path, "rb");
    if (!f) {
        log_warn("dash", "event=media_missing attachment_id=%lld", (long long)a.id);
        r->detail = "the file is missing from the media directory";
        return ERR_NOT_FOUND;
    }
    struct stat sb;
    char *buf = NULL;
    size_t len = 0;
    if (fstat(fileno(f), &sb) == 0 && sb.st_size > 0 && sb.st_size <= MEDIA_READ_MAX) {
        len = (size_t)sb.st_size;
        buf = arena_alloc(r->ar, len);
        if (buf && fread(buf, 1, len, f) != len)
            buf = NULL;
    }
    fclose(f);
    if (!buf)
        return ERR_IO;
    r->status = 200;
    r->text = buf;
    r->text_len = len;
    r->content_type = safe_mime(a.mime);
    return ERR_OK;
}

err_t h_case_attach(app_t *app, req_t *r)
{
    /* The router checked the role and, for a field officer, the team (R_TEAM). */
    store_case c = r->scope.kase;
    if (!strcmp(c.status, "closed") || !strcmp(c.status, "rejected") ||
        !strcmp(c.status, "forwarded")) {
        r->detail = "the case is finished; files can no longer be added";
        return ERR_CONFLICT;
    }
    const char *ct = req_header(r, "Content-Type");
    char want[32] = "";
    if (ct) {
        size_t k = strcspn(ct, "; ");
        snprintf(want, sizeof want, "%.*s", (int)(k < sizeof want - 1 ? k : sizeof want - 1), ct);
    }
    if (strcasecmp(want, "image/jpeg") != 0 && strcasecmp(want, "image/png") != 0 &&
        strcasecmp(want, "image/webp") != 0) {
        r->detail = "Content-Type must be image/jpeg, image/png or image/webp";
        return ERR_UNSUPPORTED;
    }
    const char *got = image_sniff(r->body, r->body_len);
    if (got && strcasecmp(got, want) != 0) {
        r->detail = arena_printf(r->ar, msg_lang(r->lang, "the body is not a %s image"), want);
        return ERR_INVALID;
    }
    const char *note = NULL;
    err_t e = req_query(r, "note", &note);
    if (e != ERR_OK)
        return e;
    if (note && text_utf8_len(note) > CASE_NOTE_MAX) {
        r->detail = "note: at most 2000 characters";
        return ERR_INVALID;
    }
    /* What is stored is the picture decoded and encoded again: a file that
     * is not one is refused, and the phone's EXIF (its GPS position, the
     * camera) does not travel on (core/image.h). */
    image_t im;
    image_status st = image_reencode(r->body, r->body_len, &im);
    if (st != IMAGE_OK) {
        r->detail = image_why(st, r->lang);
        log_info("dash", "event=photo_refused case_id=%lld reason=%s bytes=%zu", (long long)c.id,
                 image_code(st), r->body_len);
        return st == IMAGE_TOO_LARGE ? ERR_TOO_LARGE : st == IMAGE_NOMEM ? ERR_NOMEM : ERR_INVALID;
    }
    unsigned char d[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof d + 1];
    crypto_hash_sha256(d, im.data, im.len);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    mkdir(app->cfg->media_dir, 0750);
    e = fsfile_write(app->cfg->media_dir, hex, im.data, im.len, !app->cfg->durability_process);
    size_t size = im.len;
    const char *mime = im.mime;
    image_free(&im);
    int64_t id = 0;
    if (e == ERR_OK)
        e = store_attachment_add(app->store, c.id, r->user.id, hex, mime, (int64_t)size, note,
                                 clock_now(), &id);
    if (e != ERR_OK)
        return e;
    log_info("dash", "event=officer_photo case_id=%lld attachment_id=%lld bytes=%zu user_id=%lld",
             (long long)c.id, (long long)id, size, (long long)r->user.id);
    return reply_json(r, 201,
                      json_pack("{s:I, s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)id, "case_id",
                                (json_int_t)c.id, "sha256", hex, "mime", mime, "size",
                                (json_int_t)size, "source", "officer"));
}

/* ---- the user's teams ------------------------------------------------------ */

err_t h_my_teams(app_t *app, req_t *r)
{
    int64_t *ids;
    size_t n;
    err_t e = store_user_teams(app->store, r->ar, r->user.id, &ids, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        store_team t;
        if (store_team_get(app->store, r->ar, ids[i], &t) != ERR_OK)
            continue;
        json_array_append_new(items,
                              json_pack("{s:I, s:I, s:s}", "id", (json_int_t)t.id, "agency_id",
                                        (json_int_t)t.agency_id, "name", t.name));
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- the pages' settings and policy ----------------------------------------- */

/* The origin of the tile URL as a CSP source ("{s}." becomes "*."). */
static const char *tile_source(arena_t *ar, const char *url)
{
    const char *host = strstr(url, "://");
    if (!host)
        return "";
    host += 3;
    size_t scheme = (size_t)(host - url), n = strcspn(host, "/");
    if (strncmp(host, "{s}.", 4) == 0)
        return arena_printf(ar, "%.*s*.%.*s", (int)scheme, url, (int)(n - 4), host + 4);
    return arena_printf(ar, "%.*s%.*s", (int)scheme, url, (int)n, host);
}

const char *dash_csp(const config_t *cfg, req_t *r)
{
    return arena_printf(r->ar,
                        "default-src 'none'; script-src 'self'; style-src 'self'; "
                        "img-src 'self' data: blob: %s; media-src 'self' blob:; "
                        "connect-src 'self' %s; frame-src 'self'; manifest-src 'self'; "
                        "worker-src 'self'; "
                        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                        tile_source(r->ar, cfg->map_tile_url),
                        tile_source(r->ar, cfg->map_tile_url));
}

err_t h_dash_settings(app_t *app, req_t *r)
{
    return reply_json(r, 200, json_pack("{s:s}", "tile_url", app->cfg->map_tile_url));
}

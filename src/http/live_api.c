/* The operators' live workspace (issue 18): a case's assignee, the
 * inbox's unread counts, presence on a case, and the event stream
 * GET /api/v1/events (server-sent events).
 *
 * The stream: each open stream is a connection whose response is a content
 * reader. When it has nothing to send, the reader suspends its connection
 * and joins the hub's waiters. The hub's thread learns of new live events
 * (live_events, written in the transaction of each change, by any
 * instance): on PostgreSQL from LISTEN/NOTIFY (each such transaction
 * notifies every instance at its commit), on SQLite from the commit in
 * this process (store_live_wait); besides, it asks for the newest id every
 * LIVE_CHECK_S (what the CLI wrote, a notification missed while the
 * listener reconnected). It resumes the waiters that have not seen the
 * newest, and all of them every LIVE_PING_S for a keep-alive comment.
 * A resumed reader reads the events above its last id that its user may
 * see. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The hub's turn: how long it waits for a notification, and how often it
 * asks the store for a newer event while the listener is down (one
 * indexed MAX(id) per instance each time): well within the 2 s. */
#define LIVE_POLL_MS 250
/* Otherwise the newest id is still asked this often: an event nobody
 * notified (written by another process, or while PostgreSQL's listener
 * reconnected) is delayed this long at most. */
#define LIVE_CHECK_S 5
/* A comment line this often keeps proxies (nginx's proxy_read_timeout of
 * 60 s) and the server's own idle timeout (30 s) from closing a quiet
 * stream, and finds a client that went away. */
#define LIVE_PING_S 15
/* Events read per query; more wait for the next read. */
#define LIVE_BATCH 100
/* A stream's pending text: a batch of events, each well under 200 bytes. */
#define LIVE_BUF_MAX (LIVE_BATCH * 256)
/* Someone whose heartbeat is older than this has left the case (the page
 * beats every 20 s). */
#define PRESENCE_TTL_S 45
/* Most people shown as looking at one case. */
#define PRESENCE_MAX 20
/* live_events are kept a day: a stream resumes after a dropped connection
 * or a laptop's sleep from its Last-Event-ID; older ones are of no use
 * (the page reloads what it shows). Each instance's hub prunes hourly, in
 * batches. */
#define LIVE_KEEP_S     86400
#define LIVE_PRUNE_S    3600
#define LIVE_PRUNE_ROWS 5000

typedef struct live_stream {
    struct MHD_Connection *conn;
    app_t *app;
    int64_t user_id; /* 0: a superadmin, every agency */
    int64_t last_id; /* the newest event sent (or skipped) */
    time_t last_write;
    /* The session, checked again every LIVE_PING_S: a stream ends with
     * its session (signed out, expired, the user disabled). */
    char token_hash[SECRET_DIGEST_BUF];
    time_t checked;
    char buf[LIVE_BUF_MAX];
    size_t len, off;
    bool waiting; /* suspended, in the hub's list */
    struct live_stream *prev, *next;
} live_stream;

struct live_hub {
    store_t *store;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool stopping;
    live_stream *waiters; /* suspended streams */
    int64_t last;         /* the newest event the hub has seen */
    size_t nstreams;      /* open streams, for the metrics and the log */
};

/* ---- the hub -------------------------------------------------------------------------- */

/* Resumes the waiters that have not seen event last (all: every one);
 * the caller holds mu. */
static void wake(live_hub_t *h, int64_t last, bool all)
{
    live_stream **p = &h->waiters;
    while (*p) {
        live_stream *s = *p;
        if (!all && s->last_id >= last) {
            p = &s->next;
            continue;
        }
        *p = s->next;
        if (s->next)
            s->next->prev = s->prev;
        s->waiting = false;
        MHD_resume_connection(s->conn);
    }
}

static void wake_all(live_hub_t *h) { wake(h, 0, true); }

/* Sleeps up to LIVE_POLL_MS unless stopped (the caller holds mu). */
static void nap(live_hub_t *h)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += LIVE_POLL_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&h->cv, &h->mu, &until);
}

/* Deletes old live events, hourly (the caller holds mu). */
static void prune(live_hub_t *h, time_t *pruned)
{
    int64_t n = 0;
    time_t now = time(NULL);
    if (now - *pruned < LIVE_PRUNE_S)
        return;
    pthread_mutex_unlock(&h->mu);
    if (store_live_prune(h->store, clock_now() - LIVE_KEEP_S, LIVE_PRUNE_ROWS, &n) != ERR_OK)
        log_warn("live", "event=prune_failed");
    /* A full batch: more are due, again at the next turn. */
    *pruned = n == LIVE_PRUNE_ROWS ? 0 : now;
    pthread_mutex_lock(&h->mu);
}

static void *hub_main(void *arg)
{
    live_hub_t *h = arg;
    time_t pinged = time(NULL), pruned = 0, asked = 0;
    bool listening = true; /* until the store says it cannot */
    pthread_mutex_lock(&h->mu);
    while (!h->stopping) {
        bool told = false;
        err_t le = ERR_UNSUPPORTED;
        if (listening) {
            pthread_mutex_unlock(&h->mu);
            le = store_live_wait(h->store, LIVE_POLL_MS, &told);
            pthread_mutex_lock(&h->mu);
            if (le == ERR_UNSUPPORTED)
                listening = false;
        }
        if (le != ERR_OK && !h->stopping)
            nap(h); /* the listener is down: ask each turn */
        if (h->stopping)
            break;
        prune(h, &pruned);
        time_t now = time(NULL);
        bool ping = now - pinged >= LIVE_PING_S;
        if (ping)
            pinged = now;
        /* Asked even with no stream waiting: one that is reading now
         * compares its last id with h->last before it waits. */
        bool ask = le != ERR_OK || told || now - asked >= LIVE_CHECK_S;
        err_t e = ERR_UNAVAILABLE;
        if (ask) {
            int64_t last = 0;
            asked = now;
            pthread_mutex_unlock(&h->mu);
            e = store_live_last(h->store, &last);
            pthread_mutex_lock(&h->mu);
            if (e == ERR_OK && last > h->last)
                h->last = last;
        }
        if (ping)
            wake_all(h);
        else if (e == ERR_OK)
            wake(h, h->last, false);
    }
    wake_all(h);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

err_t live_start(store_t *store, live_hub_t **out)
{
    live_hub_t *h = calloc(1, sizeof *h);
    *out = NULL;
    if (!h)
        return ERR_NOMEM;
    h->store = store;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (pthread_create(&h->thread, NULL, hub_main, h) != 0) {
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
        free(h);
        return ERR_INTERNAL;
    }
    *out = h;
    return ERR_OK;
}

void live_stop(live_hub_t *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stopping = true;
    wake_all(h);
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
}

void live_free(live_hub_t *h)
{
    if (!h)
        return;
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

/* ---- one stream ----------------------------------------------------------------------- */

/* Appends the events above s->last_id that the user may see. */
static err_t stream_fill(live_stream *s)
{
    arena_t *ar = arena_new();
    store_live_event *ev = NULL;
    size_t n = 0;
    int64_t top = 0;
    if (!ar)
        return ERR_NOMEM;
    /* The newest now, first: when every event up to it has been read
     * (none of them this user's, perhaps), the stream has seen it, and the
     * hub wakes it only for a newer one. */
    err_t e = store_live_last(s->app->store, &top);
    if (e == ERR_OK)
        e = store_live_since(s->app->store, ar, s->user_id, s->last_id, LIVE_BATCH, &ev, &n);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        int w = snprintf(s->buf + s->len, sizeof s->buf - s->len,
                         "id: %lld\nevent: %s\ndata: {\"id\":%lld,\"kind\":\"%s\","
                         "\"agency_id\":%lld,\"case_id\":%lld,\"at\":%lld}\n\n",
                         (long long)ev[i].id, ev[i].kind, (long long)ev[i].id, ev[i].kind,
                         (long long)ev[i].agency_id, (long long)ev[i].case_id,
                         (long long)ev[i].created_at);
        if (w < 0 || (size_t)w >= sizeof s->buf - s->len)
            break; /* the rest at the next read */
        s->len += (size_t)w;
        s->last_id = ev[i].id;
    }
    if (e == ERR_OK && n < LIVE_BATCH && s->last_id < top)
        s->last_id = top; /* what was left is not this user's */
    arena_destroy(ar);
    return e;
}

/* False once the stream's session has ended: checked before events go out
 * (force) and every LIVE_PING_S otherwise. */
static bool session_alive(live_stream *s, bool force)
{
    time_t now = time(NULL);
    if (!force && now - s->checked < LIVE_PING_S)
        return true;
    s->checked = now;
    arena_t *ar = arena_new();
    store_session ses;
    err_t e =
        ar ? store_session_get(s->app->store, ar, s->token_hash, clock_now(), &ses) : ERR_NOMEM;
    arena_destroy(ar);
    return e != ERR_NOT_FOUND; /* a database hiccup ends no stream */
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    live_stream *s = cls;
    live_hub_t *h = s->app->live;
    (void)pos;
    if (s->off == s->len) {
        s->off = s->len = 0;
        pthread_mutex_lock(&h->mu);
        bool stopping = h->stopping;
        pthread_mutex_unlock(&h->mu);
        if (stopping || !session_alive(s, false))
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (stream_fill(s) != ERR_OK)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (s->len && !session_alive(s, true))
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (s->len == 0 && time(NULL) - s->last_write >= LIVE_PING_S)
            s->len = (size_t)snprintf(s->buf, sizeof s->buf, ": ping\n\n");
    }
    if (s->off < s->len) {
        size_t n = s->len - s->off < max ? s->len - s->off : max;
        memcpy(out, s->buf + s->off, n);
        s->off += n;
        s->last_write = time(NULL);
        return (ssize_t)n;
    }
    /* Nothing to say: wait for the hub. Joining its list and suspending
     * happen under its lock, so it cannot resume a connection that is
     * not suspended yet. */
    pthread_mutex_lock(&h->mu);
    if (h->stopping) {
        pthread_mutex_unlock(&h->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    /* The hub saw a newer event since this read asked: read again soon
     * rather than wait for the next one. (Returning 0 unsuspended would
     * wait for the socket's next epoll event.) */
    if (s->last_id < h->last) {
        MHD_suspend_connection(s->conn);
        MHD_resume_connection(s->conn);
        pthread_mutex_unlock(&h->mu);
        return 0;
    }
    s->waiting = true;
    s->prev = NULL;
    s->next = h->waiters;
    if (h->waiters)
        h->waiters->prev = s;
    h->waiters = s;
    MHD_suspend_connection(s->conn);
    pthread_mutex_unlock(&h->mu);
    return 0;
}

static void stream_free(void *cls)
{
    live_stream *s = cls;
    live_hub_t *h = s->app->live;
    pthread_mutex_lock(&h->mu);
    if (s->waiting) { /* not expected: MHD frees no suspended connection */
        if (s->prev)
            s->prev->next = s->next;
        else
            h->waiters = s->next;
        if (s->next)
            s->next->prev = s->prev;
    }
    h->nstreams--;
    pthread_mutex_unlock(&h->mu);
    log_info("live", "event=stream_closed user_id=%lld last_id=%lld", (long long)s->user_id,
             (long long)s->last_id);
    free(s);
}

/* The id to resume after: Last-Event-ID (EventSource sends it when it
 * reconnects) or ?last_event_id=; else the newest now. */
static err_t resume_point(app_t *app, req_t *r, int64_t *out)
{
    const char *v = req_header(r, "Last-Event-ID");
    const char *q = NULL;
    err_t e = req_query(r, "last_event_id", &q);
    if (e != ERR_OK)
        return e;
    if (!v || !*v)
        v = q;
    if (!v || !*v)
        return store_live_last(app->store, out);
    char *end;
    long long x = strtoll(v, &end, 10);
    if (*end || x < 0 || *v < '0' || *v > '9')
        return refuse(r, ERR_INVALID,
                      tr(r, "Last-Event-ID: bilangan bulat tidak negatif",
                         "Last-Event-ID: expected a non-negative integer"));
    *out = x;
    return ERR_OK;
}

err_t h_events(app_t *app, req_t *r)
{
    int64_t after = 0;
    err_t e = resume_point(app, r, &after);
    if (e != ERR_OK)
        return e;
    if (!app->live)
        return ERR_UNAVAILABLE;
    live_stream *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    s->conn = r->conn;
    s->app = app;
    s->user_id = actor_is_superadmin(&r->actor) ? 0 : r->user.id;
    s->last_id = after;
    snprintf(s->token_hash, sizeof s->token_hash, "%s", r->token_hash ? r->token_hash : "");
    s->checked = time(NULL);
    /* The first bytes go out at once: the client knows it is connected,
     * and retry tells EventSource how soon to reconnect. */
    s->len = (size_t)snprintf(s->buf, sizeof s->buf, "retry: 2000\n: %lld\n\n", (long long)after);
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s, stream_free);
    if (!resp) {
        free(s);
        return ERR_NOMEM;
    }
    pthread_mutex_lock(&app->live->mu);
    app->live->nstreams++;
    pthread_mutex_unlock(&app->live->mu);
    /* Through nginx: not buffered (deploy/ sets proxy_buffering off too). */
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    r->stream = resp;
    r->status = 200;
    r->content_type = "text/event-stream; charset=utf-8";
    log_info("live", "event=stream_open user_id=%lld after=%lld", (long long)r->user.id,
             (long long)after);
    return ERR_OK;
}

/* ---- ownership -------------------------------------------------------------------------- */

err_t h_case_assignee(app_t *app, req_t *r)
{
    const store_case *c = &r->scope.kase; /* checked by the router: the agency's desk */
    json_t *body, *v;
    int64_t user_id = 0;
    bool changed = false;
    err_t e = req_json_body(r, &body);
    if (e != ERR_OK)
        return e;
    v = json_object_get(body, "user_id");
    if (!v || !(json_is_null(v) || (json_is_integer(v) && json_integer_value(v) > 0)))
        return refuse(r, ERR_INVALID,
                      tr(r, "user_id: wajib, id petugas atau null (belum ditugaskan)",
                         "user_id: required, a user's id or null (nobody)"));
    user_id = json_is_null(v) ? 0 : (int64_t)json_integer_value(v);
    e = store_case_assign(app->store, c->id, user_id, r->user.id, clock_now(), &changed);
    if (e == ERR_INVALID)
        return refuse(r, e,
                      tr(r, "user_id: bukan admin atau kepala bidang aktif instansi kasus ini",
                         "user_id: not an active admin or supervisor of this case's agency"));
    store_case k;
    if (e == ERR_OK)
        e = store_case_get(app->store, r->ar, c->id, &k);
    if (e != ERR_OK)
        return e;
    if (changed)
        log_info("case", "event=case_assigned case_id=%lld assignee_id=%lld user_id=%lld",
                 (long long)k.id, (long long)k.assignee_id, (long long)r->user.id);
    json_t *j = case_json(&k, case_personal(app, r, &k), r->lang);
    if (j)
        json_object_set_new(j, "changed", json_boolean(changed));
    return reply_json(r, 200, j);
}

/* The people who may own a case of the agency (?agency=), for the picker. */
err_t h_assignees(app_t *app, req_t *r)
{
    store_user *u = NULL;
    size_t n = 0;
    err_t e = store_assignees(app->store, r->ar, r->scope.agency_id, &u, &n);
    if (e != ERR_OK)
        return e;
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)u[i].id,
                                           "login", u[i].login, "name", u[i].name, "me",
                                           u[i].id == r->user.id));
    return reply_json(r, 200, json_pack("{s:o}", "items", a));
}

/* GET /api/v1/inbox/counts: unread cases per view, with the list's
 * filters (agency, status, ...). */
err_t h_inbox_counts(app_t *app, req_t *r)
{
    store_case_filter f;
    store_unread u;
    err_t e = list_filter(app, r, &f);
    if (e == ERR_OK)
        e = store_unread_counts(app->store, r->ar, &f, r->user.id, &u);
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200,
                      json_pack("{s:{s:I, s:I, s:I}}", "unread", "mine", (json_int_t)u.mine, "none",
                                (json_int_t)u.none, "all", (json_int_t)u.all));
}

/* ---- presence ------------------------------------------------------------------------- */

static json_t *presence_json(app_t *app, req_t *r, int64_t case_id, err_t *e)
{
    store_presence *p = NULL;
    size_t n = 0;
    *e = store_presence_list(app->store, r->ar, case_id, clock_now() - PRESENCE_TTL_S, PRESENCE_MAX,
                             &p, &n);
    if (*e != ERR_OK)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a,
                              json_pack("{s:I, s:s, s:b, s:o}", "user_id", (json_int_t)p[i].user_id,
                                        "name", p[i].name, "me", p[i].user_id == r->user.id,
                                        "since", json_time(p[i].since)));
    return a;
}

/* POST /api/v1/cases/{id}/presence {"leaving": false}: the case page's
 * heartbeat (every 20 s); who else is looking comes back. A change of who
 * is there is a live event for the case. */
err_t h_case_presence(app_t *app, req_t *r)
{
    const store_case *c = &r->scope.kase;
    json_t *body = NULL;
    bool leaving = false, changed = false;
    err_t e = r->body_len ? req_json_body(r, &body) : ERR_OK;
    if (e == ERR_OK && body)
        e = jfield_bool(r, body, "leaving", &leaving);
    if (e != ERR_OK)
        return e;
    int64_t now = clock_now();
    e = store_presence_beat(app->store, c->id, r->user.id, leaving, now, now - PRESENCE_TTL_S,
                            &changed);
    if (e == ERR_OK && changed)
        e = store_live_add(app->store, c->agency_id, c->id, "presence", now);
    if (e != ERR_OK)
        return e;
    json_t *a = presence_json(app, r, c->id, &e);
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200, json_pack("{s:o, s:i}", "viewers", a, "ttl", PRESENCE_TTL_S));
}

/* GET /api/v1/cases/{id}/presence: who is looking now. */
err_t h_case_presence_get(app_t *app, req_t *r)
{
    err_t e;
    json_t *a = presence_json(app, r, r->scope.kase.id, &e);
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200, json_pack("{s:o, s:i}", "viewers", a, "ttl", PRESENCE_TTL_S));
}

/* Cases, their events and attachments, a case's LAPOR! number, and the
 * reporter and case rows other domains create inside their transactions
 * (dom.h). Written once for both engines on store/q.h. */
#include "store/case_query.h"
#include "store/dom.h"

#include "core/ids.h"

#include <stdio.h>
#include <string.h>

/* Tracking codes are random; a clash at 40 bits is rare, a few retries
 * make a failure practically impossible. */
#define CODE_ATTEMPTS 8
/* PostgreSQL's text search: how many of the newest candidate cases are
 * checked before the search index is asked (see ts_sql). */
#define SEARCH_WINDOW 10000

#define CASE_COLS                                                                                  \
    "c.id, c.agency_id, c.category_id, c.reporter_id, c.team_id, c.forwarded_from_id,"             \
    " c.forwarded_to_id, c.created_by, c.kind, c.channel, c.status, c.priority, c.tracking_code,"  \
    " c.description, c.address, c.kecamatan_code, c.lapor_tracking_id, c.lat, c.lon, c.rahasia,"   \
    " c.anonim, c.created_at, c.updated_at, a.name, k.code, k.name_id, k.name_en, t.name, g.name," \
    " r.name, r.phone, r.mobile, c.notify_consent_at, c.notify_channel, c.notify_address,"         \
    " c.lat IS NOT NULL, c.lapor_class, c.lapor_marked_at, c.assignee_id,"                         \
    " (SELECT u.name FROM users u WHERE u.id = c.assignee_id)"
#define CASE_JOINS                                                                                 \
    " JOIN agencies a ON a.id = c.agency_id"                                                       \
    " LEFT JOIN categories k ON k.id = c.category_id LEFT JOIN teams t ON t.id = c.team_id"        \
    " LEFT JOIN regions g ON g.code = c.kecamatan_code"                                            \
    " LEFT JOIN reporters r ON r.id = c.reporter_id"

static const q_field CASE_F[] = {
    QF(INT64, store_case, id),
    QF(INT64, store_case, agency_id),
    QF(INT64, store_case, category_id),
    QF(INT64, store_case, reporter_id),
    QF(INT64, store_case, team_id),
    QF(INT64, store_case, forwarded_from),
    QF(INT64, store_case, forwarded_to),
    QF(INT64, store_case, created_by),
    QF(TEXT, store_case, kind),
    QF(TEXT, store_case, channel),
    QF(TEXT, store_case, status),
    QF(TEXT, store_case, priority),
    QF(TEXT, store_case, tracking_code),
    QF(TEXT, store_case, description),
    QF(TEXT, store_case, address),
    QF(TEXT, store_case, kecamatan_code),
    QF(TEXT, store_case, lapor_tracking_id),
    QF(REAL, store_case, lat),
    QF(REAL, store_case, lon),
    QF(BOOL, store_case, rahasia),
    QF(BOOL, store_case, anonim),
    QF(INT64, store_case, created_at),
    QF(INT64, store_case, updated_at),
    QF(TEXT, store_case, agency_name),
    QF(TEXT, store_case, category_code),
    QF(TEXT, store_case, category_name_id),
    QF(TEXT, store_case, category_name_en),
    QF(TEXT, store_case, team_name),
    QF(TEXT, store_case, kecamatan_name),
    QF(TEXT, store_case, reporter_name),
    QF(TEXT, store_case, reporter_phone),
    QF(TEXT, store_case, reporter_mobile),
    QF(INT64, store_case, notify_consent_at),
    QF(TEXT, store_case, notify_channel),
    QF(TEXT, store_case, notify_address),
    QF(BOOL, store_case, has_location),
    QF(TEXT, store_case, lapor_class),
    QF(INT64, store_case, lapor_marked_at),
    QF(INT64, store_case, assignee_id),
    QF(TEXT, store_case, assignee_name),
};

static bool is_sqlite(const q_conn *c) { return strcmp(q_engine(c), "sqlite") == 0; }

/* ---- inside other domains' transactions (dom.h) -------------------------------- */

err_t dom_put_reporter(q_conn *c, const store_reporter_in *r, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO reporters (mobile, phone, name, community_group, consent_at, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (mobile) DO UPDATE SET"
        " name = COALESCE(excluded.name, reporters.name),"
        " phone = COALESCE(excluded.phone, reporters.phone),"
        " community_group = COALESCE(excluded.community_group, reporters.community_group),"
        " consent_at = COALESCE(reporters.consent_at, excluded.consent_at) RETURNING id";
    /* The address the reporter wrote from, or is answered at. */
    static const char contact[] =
        "INSERT INTO contacts (channel, address, reporter_id, created_at)"
        " VALUES ($4, $1, $2, $3) ON CONFLICT (channel, address) DO UPDATE SET"
        " reporter_id = excluded.reporter_id WHERE contacts.reporter_id IS DISTINCT FROM"
        " excluded.reporter_id";
    /* Without a mobile number (a Telegram chat) the contact is what says
     * who it is: its reporter again, with what is new. */
    static const char known[] = "SELECT reporter_id FROM contacts WHERE channel = $1"
                                " AND address = $2 AND reporter_id IS NOT NULL";
    static const char again[] =
        "UPDATE reporters SET name = COALESCE($2, name), phone = COALESCE($3, phone),"
        " community_group = COALESCE($4, community_group),"
        " consent_at = COALESCE(consent_at, $5) WHERE id = $1";
    err_t e;
    if (!r->mobile && r->channel && r->address) {
        e = q_row_int(c, known, id, Q_TEXT(r->channel), Q_TEXT(r->address));
        if (e == ERR_OK)
            return q_run(c, again, NULL, Q_INT(*id), Q_TEXT(r->name), Q_TEXT(r->phone),
                         Q_TEXT(r->community_group), Q_ID(r->consent_at));
        if (e != ERR_NOT_FOUND)
            return e;
    }
    e = q_row_int(c, sql, id, Q_TEXT(r->mobile), Q_TEXT(r->phone), Q_TEXT(r->name),
                  Q_TEXT(r->community_group), Q_ID(r->consent_at), Q_INT(now));
    if (e == ERR_OK && r->channel && r->address)
        e = q_run(c, contact, NULL, Q_TEXT(r->address), Q_INT(*id), Q_INT(now), Q_TEXT(r->channel));
    return e;
}

err_t dom_case_lock(q_conn *c, int64_t case_id)
{
    static const char sql[] = "SELECT id FROM cases WHERE id = $1 {FOR_UPDATE}";
    return q_row_int(c, sql, NULL, Q_INT(case_id));
}

err_t dom_case_moved(q_conn *c, int64_t case_id)
{
    err_t e = dom_case_lock(c, case_id);
    return e == ERR_OK ? ERR_CONFLICT : e;
}

/* The event of a transition t (from: the status it left, NULL for
 * "create"). */
static err_t add_event(q_conn *c, const store_transition *t, const char *from,
                       const char *public_note, int64_t *event_id)
{
    dom_event ev = {.case_id = t->case_id,
                    .action = t->action,
                    .from = from,
                    .to = t->new_status,
                    .actor_id = t->actor_id,
                    .note = t->note,
                    .public_note = public_note,
                    .team_id = t->team_id,
                    .target_agency_id = t->target_agency_id,
                    .is_public = t->is_public,
                    .now = t->now};
    return dom_event_add(c, &ev, event_id);
}

/* A clash of tracking codes inserts nothing (the transaction survives it)
 * and the next code is tried; a preset code (the caller already told it to
 * the citizen) gets one try, its clash is the caller's to handle. */
err_t dom_insert_case(q_conn *c, arena_t *ar, store_case *k, const char *note, int64_t *event_id)
{
    static const char sql[] =
        "INSERT INTO cases (agency_id, category_id, kind, channel, reporter_id, description, lat,"
        " lon, address, kecamatan_code, priority, status, team_id, rahasia, anonim, tracking_code,"
        " lapor_tracking_id, forwarded_from_id, created_by, created_at, updated_at, "
        "notify_consent_at,"
        " notify_channel, notify_address, lapor_class) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
        " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21, $22, $23, $24)"
        " ON CONFLICT "
        "(tracking_code) DO NOTHING RETURNING id";
    char code[IDS_CODE_BUF];
    err_t e = ERR_NOT_FOUND;
    int attempts = k->tracking_code ? 1 : CODE_ATTEMPTS;
    q_val lat = k->has_location ? Q_REAL(k->lat) : Q_NULL(REAL);
    q_val lon = k->has_location ? Q_REAL(k->lon) : Q_NULL(REAL);
    for (int i = 0; i < attempts && e == ERR_NOT_FOUND; i++) {
        if (k->tracking_code)
            snprintf(code, sizeof code, "%s", k->tracking_code);
        else
            ids_tracking_new(code);
        e = q_row_int(c, sql, &k->id, Q_INT(k->agency_id), Q_ID(k->category_id), Q_TEXT(k->kind),
                      Q_TEXT(k->channel), Q_ID(k->reporter_id), Q_TEXT(k->description), lat, lon,
                      Q_TEXT(k->address), Q_TEXT(k->kecamatan_code),
                      Q_TEXT(k->priority ? k->priority : "normal"), Q_TEXT(k->status),
                      Q_ID(k->team_id), Q_BOOL(k->rahasia), Q_BOOL(k->anonim), Q_TEXT(code),
                      Q_TEXT(k->lapor_tracking_id), Q_ID(k->forwarded_from), Q_ID(k->created_by),
                      Q_INT(k->created_at), Q_ID(k->notify_consent_at), Q_TEXT(k->notify_channel),
                      Q_TEXT(k->notify_address),
                      Q_TEXT(k->lapor_class ? k->lapor_class : "pengaduan"));
    }
    if (e == ERR_NOT_FOUND)
        e = ERR_CONFLICT;
    if (e == ERR_OK && !(k->tracking_code = arena_strdup(ar, code)))
        e = ERR_NOMEM;
    store_transition t = {.case_id = k->id,
                          .new_status = k->status,
                          .action = "create",
                          .actor_id = k->created_by,
                          .note = note,
                          .team_id = k->team_id,
                          .is_public = true,
                          .now = k->created_at};
    return e == ERR_OK ? add_event(c, &t, NULL, NULL, event_id) : e;
}

/* ---- cases ----------------------------------------------------------------------- */

typedef struct {
    arena_t *ar;
    store_case *k;
    const store_reporter_in *rep;
    const char *note;
    bool rules;
    const store_file_in *files; /* the reporter's pictures, stored with the case */
    size_t nfiles;
    const char *url;       /* evidence named by a URL, fetched later (fetch.c) */
    int64_t attachment_id; /* out: its pending attachment */
} create_ctx;

static err_t create_tx(q_conn *c, void *arg)
{
    create_ctx *x = arg;
    store_case *k = x->k;
    int64_t event_id = 0;
    err_t e = x->rep ? dom_put_reporter(c, x->rep, k->created_at, &k->reporter_id) : ERR_OK;
    if (e == ERR_OK)
        e = dom_insert_case(c, x->ar, k, x->note, &event_id);
    /* A walk-in reporter who agreed hears of the case (its code) at once. */
    if (e == ERR_OK && k->notify_consent_at)
        e = dom_outbox_queue_status(c, k->id, event_id, k->created_at);
    if (e == ERR_OK && x->rules)
        e = dom_case_rules_queue(c, k->id, k->created_at);
    static const char file[] =
        "INSERT INTO attachments (case_id, sha256, mime, size_bytes, source, state, created_at)"
        " VALUES ($1, $2, $3, $4, 'citizen', 'stored', $5)";
    for (size_t i = 0; e == ERR_OK && i < x->nfiles; i++)
        e = q_run(c, file, NULL, Q_INT(k->id), Q_TEXT(x->files[i].sha256), Q_TEXT(x->files[i].mime),
                  Q_INT(x->files[i].size), Q_INT(k->created_at));
    static const char pending[] =
        "INSERT INTO attachments (case_id, mime, source, state, source_url, attempts,"
        " next_attempt_at, created_at) VALUES ($1, 'application/octet-stream', 'citizen',"
        " 'pending', $2, 0, $3, $3) RETURNING id";
    if (e == ERR_OK && x->url)
        e = q_row_int(c, pending, &x->attachment_id, Q_INT(k->id), Q_TEXT(x->url),
                      Q_INT(k->created_at));
    return e;
}

err_t store_case_create(store_t *s, arena_t *ar, store_case *k, const store_reporter_in *rep,
                        const char *note)
{
    create_ctx x = {ar, k, rep, note, false, NULL, 0, NULL, 0};
    return q_tx(s, create_tx, &x);
}

err_t store_case_open(store_t *s, arena_t *ar, store_case *k, const store_reporter_in *rep,
                      const char *note)
{
    create_ctx x = {ar, k, rep, note, true, NULL, 0, NULL, 0};
    return q_tx(s, create_tx, &x);
}

err_t store_case_open_files(store_t *s, arena_t *ar, store_case *k, const store_reporter_in *rep,
                            const char *note, const store_file_in *files, size_t n)
{
    create_ctx x = {ar, k, rep, note, true, files, n, NULL, 0};
    return q_tx(s, create_tx, &x);
}

err_t store_case_open_fetch(store_t *s, arena_t *ar, store_case *k, const store_reporter_in *rep,
                            const char *note, const char *url, int64_t *attachment_id)
{
    create_ctx x = {ar, k, rep, note, true, NULL, 0, url, 0};
    err_t e = q_tx(s, create_tx, &x);
    *attachment_id = e == ERR_OK ? x.attachment_id : 0;
    return e;
}

err_t store_case_get(store_t *s, arena_t *ar, int64_t id, store_case *out)
{
    static const char sql[] = "SELECT " CASE_COLS " FROM cases c" CASE_JOINS " WHERE c.id = $1";
    *out = (store_case){0};
    return q_one(s, ar, sql, CASE_F, out, Q_INT(id));
}

err_t store_case_by_code(store_t *s, arena_t *ar, const char *code, store_case *out)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM cases c" CASE_JOINS " WHERE c.tracking_code = $1";
    *out = (store_case){0};
    return q_one(s, ar, sql, CASE_F, out, Q_TEXT(code));
}

err_t store_case_list_for_mobile(store_t *s, arena_t *ar, int64_t agency_id, const char *mobile,
                                 unsigned limit, store_case **out, size_t *n)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM cases c" CASE_JOINS
        " WHERE c.agency_id = $1 AND r.mobile = $2 ORDER BY c.id DESC LIMIT $3";
    return q_list(s, ar, sql, CASE_F, out, n, Q_INT(agency_id), Q_TEXT(mobile), Q_INT(limit));
}

err_t store_case_list_for_contact(store_t *s, arena_t *ar, int64_t agency_id, const char *channel,
                                  const char *address, unsigned limit, store_case **out, size_t *n)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM cases c" CASE_JOINS
        " WHERE c.agency_id = $1 AND c.reporter_id = (SELECT k.reporter_id FROM contacts k"
        " WHERE k.channel = $2 AND k.address = $3) ORDER BY c.id DESC LIMIT $4";
    return q_list(s, ar, sql, CASE_F, out, n, Q_INT(agency_id), Q_TEXT(channel), Q_TEXT(address),
                  Q_INT(limit));
}

err_t store_case_find_mobile(store_t *s, arena_t *ar, const char *mobile, unsigned limit,
                             store_case **out, size_t *n)
{
    static const char sql[] = "SELECT " CASE_COLS " FROM cases c" CASE_JOINS
                              " WHERE r.mobile = $1 ORDER BY c.id DESC LIMIT $2";
    return q_list(s, ar, sql, CASE_F, out, n, Q_TEXT(mobile), Q_INT(limit));
}

err_t store_case_find_lapor(store_t *s, arena_t *ar, const char *lapor_id, unsigned limit,
                            store_case **out, size_t *n)
{
    static const char sql[] = "SELECT " CASE_COLS " FROM cases c" CASE_JOINS
                              " WHERE c.lapor_tracking_id = $1 ORDER BY c.id DESC LIMIT $2";
    return q_list(s, ar, sql, CASE_F, out, n, Q_TEXT(lapor_id), Q_INT(limit));
}

/* ---- the case list ------------------------------------------------------------------ */

typedef struct {
    char *out;
    size_t len;
    bool ts; /* a tsquery (PostgreSQL), else an FTS5 expression */
} words_buf;

static void put_word(void *ctx, const char *w, size_t n)
{
    words_buf *b = ctx;
    const char *sep = b->ts ? " & '" : " \"", *end = b->ts ? "':*" : "\"*";
    size_t skip = b->len ? 0 : strlen(sep) - 1; /* the first word: only the quote */
    memcpy(b->out + b->len, sep + skip, strlen(sep) - skip);
    b->len += strlen(sep) - skip;
    memcpy(b->out + b->len, w, n);
    b->len += n;
    memcpy(b->out + b->len, end, strlen(end));
    b->len += strlen(end);
}

static bool word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* Splits free text into words (runs of letters and digits; any non-ASCII
 * byte counts as a letter) and calls fn for each. Returns the count. Both
 * engines search by these words, so they find the same cases. */
static int words(const char *text, void (*fn)(void *ctx, const char *w, size_t n), void *ctx)
{
    const unsigned char *p = (const unsigned char *)text;
    int count = 0;
    while (*p) {
        while (*p && !word_byte(*p))
            p++;
        const unsigned char *start = p;
        while (*p && word_byte(*p))
            p++;
        if (p > start) {
            fn(ctx, (const char *)start, (size_t)(p - start));
            count++;
        }
    }
    return count;
}

/* Free text as a search expression, every word as a word or a prefix: an
 * FTS5 expression ("a"* "b"*) or a tsquery ('a':* & 'b':*). Words hold
 * only letters and digits, and quoting them keeps the syntax out of users'
 * hands. NULL when the text has no word. */
static const char *search_expr(arena_t *ar, const char *q, bool ts)
{
    words_buf b = {arena_alloc(ar, strlen(q) * 8 + 8), 0, ts};
    if (!b.out || words(q, put_word, &b) == 0)
        return NULL;
    b.out[b.len] = '\0';
    return b.out;
}

/* The agencies a user may see (see cq_scope). */
err_t cq_user_scope(q_conn *c, arena_t *ar, int64_t user_id, cq_scope *sc)
{
    static const char sql[] = "SELECT agency_id FROM user_roles WHERE user_id = $1";
    int64_t *ids = NULL;
    size_t n = 0;
    memset(sc, 0, sizeof *sc);
    sc->all = user_id == 0;
    err_t e = user_id ? q_rows(c, ar, sql, Q_COL_INT64, &ids, &n, Q_INT(user_id)) : ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        if (ids[i] == 0)
            sc->all = true;
        else if (sc->n < CQ_AGENCIES_MAX)
            sc->ids[sc->n++] = ids[i];
        else
            sc->many = true;
    }
    return e;
}

/* Whether a field officer's teams have few cases (see cq_field_probe). */
static err_t field_probe(q_conn *c, const store_case_filter *f, cq_scope *sc)
{
    cq_t q;
    cq_init(&q);
    if (!cq_field_probe(&q, f, sc))
        return ERR_OK;
    q_stmt *st = q.overflow ? NULL : q_prep_dyn(c, q.sql);
    err_t e = q.overflow ? ERR_INTERNAL : q_step(st);
    if (e == ERR_OK)
        sc->field_sparse = q_col_int(st, 0) < CQ_FIELD_SPARSE;
    q_done(st);
    return e;
}

/* PostgreSQL's text search in two steps, both bounded. First the newest
 * SEARCH_WINDOW cases of the other filters, in index order, checked against
 * the stored tsvector: enough for a common word. Only when that window was
 * full and held fewer than a page of matches, the GIN index finds the rest
 * below it (a rare word: few matches). */
static void ts_sql(cq_t *q, const store_case_filter *f, const cq_scope *sc, const char *match)
{
    unsigned limit = f->limit ? f->limit : 50;
    /* The window keeps each case's answer, not its tsvector: carrying
     * 10,000 tsvectors spilled the CTE to a temporary file (q=tawon at
     * 200,000 cases: 47-68 ms, 28-32 ms with the flag). */
    cq_sql(q, "WITH w AS MATERIALIZED (SELECT c.id, c.search @@ to_tsquery('simple', ");
    cq_text(q, match);
    cq_sql(q, ") AS hit FROM cases c WHERE 1 = 1");
    cq_case_where(q, f, sc, "c.id");
    cq_case_order(q, f, "c.id", SEARCH_WINDOW);
    cq_sql(q, "), m AS (SELECT id FROM w WHERE hit");
    cq_case_order(q, f, "id", limit);
    cq_sql(q, "), edge AS (SELECT CASE WHEN COUNT(*) < ");
    cq_int(q, SEARCH_WINDOW);
    cq_sql(q, f->after_id ? " THEN NULL ELSE MAX(id)" : " THEN NULL ELSE MIN(id)");
    cq_sql(q, " END AS lo FROM w) SELECT id FROM m UNION ALL SELECT id FROM (SELECT c.id"
              " FROM cases c, edge WHERE (SELECT COUNT(*) FROM m) < ");
    cq_int(q, limit);
    cq_sql(q, f->after_id ? " AND c.id > edge.lo" : " AND c.id < edge.lo");
    cq_sql(q, " AND c.search @@ to_tsquery('simple', ");
    cq_text(q, match);
    cq_sql(q, ")");
    q->order_by_expr = true;
    cq_case_filters(q, f, sc, "c.id");
    q->order_by_expr = false;
    cq_sql(q, ") x");
    cq_case_order(q, f, "id", limit);
}

/* The page's ids first, from the cases table and its indexes alone (often
 * a covering index), then the joins for those rows only. SQLite searches
 * from the FTS5 index, which walks the word's rowids in order; it skips the
 * field probe then, as FTS5 would test the words case by case, each test of
 * a prefix reading the word's whole list of rows. PostgreSQL orders a date
 * range or a search by an expression (see cq_t.order_by_expr). */
err_t store_case_list(store_t *s, arena_t *ar, const store_case_filter *f, store_case **out,
                      size_t *n)
{
    q_conn *c = NULL;
    q_stmt *st = NULL;
    cq_scope sc;
    cq_t q;
    *out = NULL;
    *n = 0;
    err_t e = q_get(s, &c);
    bool lite = e == ERR_OK && is_sqlite(c);
    const char *match = e == ERR_OK && f->q ? search_expr(ar, f->q, !lite) : NULL;
    if (e == ERR_OK)
        e = cq_user_scope(c, ar, f->scope_user_id, &sc);
    if (e == ERR_OK && !(lite && match))
        e = field_probe(c, f, &sc);
    if (e != ERR_OK)
        goto out;
    cq_init(&q);
    q.order_by_expr = !lite && (f->from || f->to);
    cq_sql(&q, "SELECT " CASE_COLS " FROM (");
    if (!match) {
        cq_sql(&q, "SELECT c.id AS id FROM cases c WHERE 1 = 1");
        cq_case_filters(&q, f, &sc, "c.id");
    } else if (lite) {
        cq_sql(&q, "SELECT c.id AS id FROM cases_fts f JOIN cases c ON c.id = f.rowid"
                   " WHERE cases_fts MATCH ");
        cq_text(&q, match);
        cq_case_filters(&q, f, &sc, "f.rowid");
    } else {
        ts_sql(&q, f, &sc, match);
    }
    cq_sql(&q, ") p CROSS JOIN cases c" CASE_JOINS " WHERE c.id = p.id ORDER BY c.id ");
    cq_sql(&q, f->after_id || f->oldest_first ? "ASC" : "DESC");
    if (q.overflow) {
        e = ERR_INTERNAL;
        goto out;
    }
    st = q_prep_dyn(c, q.sql);
    for (int i = 0; i < q.ntext; i++)
        q_text(st, q.text[i]);
    e = q_collect(st, ar, CASE_F, out, n);
out:
    q_put(c);
    return e;
}

/* ---- events, attachments ---------------------------------------------------------- */

static const q_field EVENT_F[] = {
    QF(INT64, store_event, id),
    QF(INT64, store_event, case_id),
    QF(INT64, store_event, seq),
    QF(TEXT, store_event, action),
    QF(TEXT, store_event, from_status),
    QF(TEXT, store_event, to_status),
    QF(INT64, store_event, actor_id),
    QF(TEXT, store_event, actor_name),
    QF(TEXT, store_event, note),
    QF(INT64, store_event, team_id),
    QF(INT64, store_event, target_agency_id),
    QF(BOOL, store_event, is_public),
    QF(INT64, store_event, created_at),
    QF(TEXT, store_event, public_note),
};

Q_LIST_FN(store_case_events, store_event, int64_t, Q_INT, EVENT_F,
          "SELECT e.id, e.case_id, e.seq, e.action, e.from_status, e.to_status, e.actor_id, u.name,"
          " e.note, e.team_id, e.target_agency_id, e.is_public, e.created_at, e.public_note"
          " FROM case_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = $1"
          " ORDER BY e.seq")

#define ATTACHMENT_SQL "SELECT " DOM_ATTACHMENT_COLS " FROM attachments"

static const q_field ATTACHMENT_F[] = {DOM_ATTACHMENT_F(store_attachment, )};

Q_LIST_FN(store_case_attachments, store_attachment, int64_t, Q_INT, ATTACHMENT_F,
          ATTACHMENT_SQL " WHERE case_id = $1 ORDER BY id")

Q_ONE_FN(store_attachment_get, store_attachment, int64_t, Q_INT, ATTACHMENT_F,
         ATTACHMENT_SQL " WHERE id = $1")

typedef struct {
    int64_t case_id, actor_id, size, now;
    const char *sha256, *mime, *note;
    int64_t id; /* out */
} attach_ctx;

static err_t attach_tx(q_conn *c, void *arg)
{
    static const char sql[] =
        "INSERT INTO attachments (case_id, sha256, mime, size_bytes, source, state, created_at)"
        " SELECT id, $2, $3, $4, 'officer', 'stored', $5 FROM cases WHERE id = $1 RETURNING id";
    attach_ctx *x = arg;
    err_t e = q_row_int(c, sql, &x->id, Q_INT(x->case_id), Q_TEXT(x->sha256), Q_TEXT(x->mime),
                        Q_INT(x->size), Q_INT(x->now)); /* ERR_NOT_FOUND: no case */
    return e == ERR_OK ? dom_add_event(c, x->case_id, "attachment", NULL, x->actor_id, x->note,
                                       false, false, x->now, NULL)
                       : e;
}

err_t store_attachment_add(store_t *s, int64_t case_id, int64_t actor_id, const char *sha256,
                           const char *mime, int64_t size, const char *note, int64_t now,
                           int64_t *id)
{
    attach_ctx x = {case_id, actor_id, size, now, sha256, mime, note, 0};
    err_t e = q_tx(s, attach_tx, &x);
    if (e == ERR_OK)
        *id = x.id;
    return e;
}

/* ---- transitions ---------------------------------------------------------------------- */

/* The forwarded copy's columns from the source case. */
static const q_field FORWARD_F[] = {
    QF(INT64, store_case, reporter_id), QF(TEXT, store_case, description),
    QF(REAL, store_case, lat),          QF(REAL, store_case, lon),
    QF(TEXT, store_case, address),      QF(TEXT, store_case, kecamatan_code),
    QF(TEXT, store_case, priority),     QF(BOOL, store_case, rahasia),
    QF(BOOL, store_case, anonim),       QF(TEXT, store_case, lapor_tracking_id),
    QF(BOOL, store_case, has_location),
};

typedef struct {
    arena_t *ar;
    store_transition *t;
} transition_ctx;

/* Creates the forwarded copy and links both. */
static err_t forward_copy(q_conn *c, arena_t *ar, store_transition *t)
{
    static const char src[] =
        "SELECT reporter_id, description, lat, lon, address, kecamatan_code, priority, rahasia,"
        " anonim, lapor_tracking_id, lat IS NOT NULL FROM cases WHERE id = $1";
    static const char link[] = "UPDATE cases SET forwarded_to_id = $1 WHERE id = $2";
    store_case k = *t->forward_copy;
    err_t e = q_row(c, ar, src, FORWARD_F, &k, Q_INT(t->case_id));
    k.channel = "forward";
    k.tracking_code = NULL;
    k.forwarded_from = t->case_id;
    k.team_id = 0;
    k.created_by = t->actor_id;
    k.created_at = t->now;
    if (e == ERR_OK)
        e = dom_insert_case(c, ar, &k, t->note, NULL);
    if (e == ERR_OK)
        t->new_case_id = k.id;
    return e == ERR_OK ? q_run(c, link, NULL, Q_INT(k.id), Q_INT(t->case_id)) : e;
}

static err_t transition_tx(q_conn *c, void *arg)
{
    /* Compare-and-set on the status: if another request moved the case
     * since the decision was made, nothing is written. Its row lock orders
     * concurrent event appends for the case on PostgreSQL. */
    static const char upd[] = "UPDATE cases SET status = $1, team_id = COALESCE($2, team_id),"
                              " updated_at = $3 WHERE id = $4 AND status = $5";
    transition_ctx *x = arg;
    store_transition *t = x->t;
    int64_t changed = 0;
    err_t e = q_run(c, upd, &changed, Q_TEXT(t->new_status), Q_ID(t->team_id), Q_INT(t->now),
                    Q_INT(t->case_id), Q_TEXT(t->expect_status));
    if (e == ERR_OK && changed == 0)
        return dom_case_moved(c, t->case_id);
    if (e == ERR_OK)
        e = add_event(c, t, t->expect_status, t->is_public ? t->public_note : NULL, &t->event_id);
    if (e == ERR_OK && t->is_public)
        e = dom_outbox_queue_status(c, t->case_id, t->event_id, t->now);
    if (e == ERR_OK && t->is_public)
        e = dom_dispatch_queue_followers(c, t->case_id, t->event_id, t->now);
    if (e == ERR_OK && t->forward_copy)
        e = forward_copy(c, x->ar, t);
    return e;
}

err_t store_case_transition(store_t *s, arena_t *ar, store_transition *t)
{
    transition_ctx x = {ar, t};
    return q_tx(s, transition_tx, &x);
}

/* ---- kecamatan from the location (aduan region import) ----------------------------- */

static const q_field POINT_F[] = {
    QF(INT64, store_case_point, id),
    QF(REAL, store_case_point, lat),
    QF(REAL, store_case_point, lon),
};

err_t store_case_unlocated(store_t *s, arena_t *ar, int64_t after_id, unsigned max,
                           store_case_point **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, lat, lon FROM cases WHERE id > $1 AND kecamatan_code IS NULL"
        " AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY id LIMIT $2";
    return q_list(s, ar, sql, POINT_F, out, n, Q_INT(after_id), Q_INT(max));
}

err_t store_case_set_kecamatan(store_t *s, int64_t id, const char *code, int64_t now)
{
    static const char sql[] = "UPDATE cases SET kecamatan_code = $2, updated_at = $3"
                              " WHERE id = $1 AND kecamatan_code IS NULL";
    return q_write(s, sql, true, Q_INT(id), Q_TEXT(code), Q_INT(now));
}

/* ---- the LAPOR! tracking number (issue 13) ---------------------------------------- */

typedef struct {
    int64_t case_id, actor_id, now;
    const char *lapor_id;
    bool changed; /* out */
} lapor_ctx;

static err_t lapor_tx(q_conn *c, void *arg)
{
    /* Writes only when the value differs: saving the same number twice
     * adds no event. */
    static const char set[] = "UPDATE cases SET lapor_tracking_id = $2, updated_at = $3"
                              " WHERE id = $1 AND lapor_tracking_id IS DISTINCT FROM $2";
    lapor_ctx *x = arg;
    int64_t n = 0;
    err_t e = q_run(c, set, &n, Q_INT(x->case_id), Q_TEXT(x->lapor_id), Q_INT(x->now));
    if (e == ERR_OK && n == 0) /* unchanged, or no such case */
        return dom_case_lock(c, x->case_id);
    x->changed = e == ERR_OK;
    return e == ERR_OK ? dom_add_event(c, x->case_id, x->lapor_id ? "lapor_set" : "lapor_clear",
                                       NULL, x->actor_id, x->lapor_id, false, false, x->now, NULL)
                       : e;
}

err_t store_case_set_lapor(store_t *s, int64_t case_id, const char *lapor_id, int64_t actor_id,
                           int64_t now, bool *changed)
{
    lapor_ctx x = {case_id, actor_id, now, lapor_id, false};
    err_t e = q_tx(s, lapor_tx, &x);
    *changed = e == ERR_OK && x.changed;
    return e;
}

/* ---- the LAPOR! classification and mark (issue 17 §3) --------------------------- */

typedef struct {
    int64_t case_id, actor_id, now;
    const char *cls;
    int mark;
    bool changed; /* out */
} lapor_fields_ctx;

static err_t lapor_fields_tx(q_conn *c, void *arg)
{
    /* Each part writes only when it changes something, so saving the
     * same values twice adds no event. */
    static const char cls_sql[] = "UPDATE cases SET lapor_class = $2, updated_at = $3"
                                  " WHERE id = $1 AND lapor_class <> $2";
    static const char mark_sql[] = "UPDATE cases SET lapor_marked_at = $2, updated_at = $2"
                                   " WHERE id = $1 AND lapor_marked_at IS NULL";
    static const char unmark_sql[] = "UPDATE cases SET lapor_marked_at = NULL, updated_at = $2"
                                     " WHERE id = $1 AND lapor_marked_at IS NOT NULL";
    lapor_fields_ctx *x = arg;
    int64_t n = 0;
    err_t e = dom_case_lock(c, x->case_id);
    if (e == ERR_OK && x->cls) {
        e = q_run(c, cls_sql, &n, Q_INT(x->case_id), Q_TEXT(x->cls), Q_INT(x->now));
        if (e == ERR_OK && n > 0) {
            x->changed = true;
            e = dom_add_event(c, x->case_id, "lapor_class", NULL, x->actor_id, x->cls, false, false,
                              x->now, NULL);
        }
    }
    if (e == ERR_OK && x->mark) {
        e = q_run(c, x->mark > 0 ? mark_sql : unmark_sql, &n, Q_INT(x->case_id), Q_INT(x->now));
        if (e == ERR_OK && n > 0) {
            x->changed = true;
            e = dom_add_event(c, x->case_id, x->mark > 0 ? "lapor_mark" : "lapor_unmark", NULL,
                              x->actor_id, NULL, false, false, x->now, NULL);
        }
    }
    return e;
}

err_t store_case_set_lapor_fields(store_t *s, int64_t case_id, const char *cls, int mark,
                                  int64_t actor_id, int64_t now, bool *changed)
{
    lapor_fields_ctx x = {case_id, actor_id, now, cls, mark, false};
    err_t e = q_tx(s, lapor_fields_tx, &x);
    *changed = e == ERR_OK && x.changed;
    return e;
}

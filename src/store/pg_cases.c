/* The PostgreSQL store: cases, their events and attachments. Same
 * behaviour as store/sqlite_cases.c. */
#include "store/pg_int.h"

#include "store/case_query.h"

#include "core/ids.h"

#include <stdio.h>
#include <string.h>

#define CODE_ATTEMPTS 8
/* Text search: how many of the newest candidate cases are checked before
 * the search index is asked (see pg_case_list). */
#define SEARCH_WINDOW 10000

#define CASE_COLS                                                                                  \
    "c.id, c.agency_id, c.category_id, c.reporter_id, c.team_id, c.forwarded_from_id,"             \
    " c.forwarded_to_id, c.created_by, c.kind, c.channel, c.status, c.priority, c.tracking_code,"  \
    " c.description, c.address, c.kecamatan_code, c.lapor_tracking_id, c.lat, c.lon, c.rahasia,"   \
    " c.anonim, c.created_at, c.updated_at, a.name, k.code, k.name_id, k.name_en, t.name, g.name," \
    " r.name, r.phone, r.wa_id, c.wa_consent_at"
#define CASE_JOINS                                                                                 \
    " JOIN agencies a ON a.id = c.agency_id"                                                       \
    " LEFT JOIN categories k ON k.id = c.category_id LEFT JOIN teams t ON t.id = c.team_id"        \
    " LEFT JOIN regions g ON g.code = c.kecamatan_code LEFT JOIN reporters r ON r.id = "           \
    "c.reporter_id"
#define CASE_FROM " FROM cases c" CASE_JOINS

static void read_case(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_case *c = elem;
    memset(c, 0, sizeof *c);
    c->id = pq_int(r, i, 0);
    c->agency_id = pq_int(r, i, 1);
    c->category_id = pq_int(r, i, 2);
    c->reporter_id = pq_int(r, i, 3);
    c->team_id = pq_int(r, i, 4);
    c->forwarded_from = pq_int(r, i, 5);
    c->forwarded_to = pq_int(r, i, 6);
    c->created_by = pq_int(r, i, 7);
    c->kind = pq_text(ar, r, i, 8);
    c->channel = pq_text(ar, r, i, 9);
    c->status = pq_text(ar, r, i, 10);
    c->priority = pq_text(ar, r, i, 11);
    c->tracking_code = pq_text(ar, r, i, 12);
    c->description = pq_text(ar, r, i, 13);
    c->address = pq_text(ar, r, i, 14);
    c->kecamatan_code = pq_text(ar, r, i, 15);
    c->lapor_tracking_id = pq_text(ar, r, i, 16);
    c->has_location = !pq_null(r, i, 17);
    c->lat = pq_real(r, i, 17);
    c->lon = pq_real(r, i, 18);
    c->rahasia = pq_bool(r, i, 19);
    c->anonim = pq_bool(r, i, 20);
    c->created_at = pq_int(r, i, 21);
    c->updated_at = pq_int(r, i, 22);
    c->agency_name = pq_text(ar, r, i, 23);
    c->category_code = pq_text(ar, r, i, 24);
    c->category_name_id = pq_text(ar, r, i, 25);
    c->category_name_en = pq_text(ar, r, i, 26);
    c->team_name = pq_text(ar, r, i, 27);
    c->kecamatan_name = pq_text(ar, r, i, 28);
    c->reporter_name = pq_text(ar, r, i, 29);
    c->reporter_phone = pq_text(ar, r, i, 30);
    c->reporter_wa_id = pq_text(ar, r, i, 31);
    c->wa_consent_at = pq_int(r, i, 32);
}

/* Runs sql inside the caller's transaction and reads the first column of
 * the first row into *id (0 when there is no row). */
static err_t run_id(pconn_t *c, const char *sql, const pq_params *p, int64_t *id, const char *what)
{
    PGresult *r;
    err_t e = pq_run(c, sql, p, &r, what);
    if (e != ERR_OK)
        return e;
    *id = PQntuples(r) ? pq_int(r, 0, 0) : 0;
    PQclear(r);
    return ERR_OK;
}

err_t pq_put_reporter(pconn_t *c, const store_reporter_in *rep, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO reporters (wa_id, phone, name, community_group, consent_at, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (wa_id) DO UPDATE SET"
        " name = COALESCE(excluded.name, reporters.name),"
        " phone = COALESCE(excluded.phone, reporters.phone),"
        " community_group = COALESCE(excluded.community_group, reporters.community_group),"
        " consent_at = COALESCE(reporters.consent_at, excluded.consent_at) RETURNING id";
    pq_params p = {0};
    pp_text(&p, rep->wa_id);
    pp_text(&p, rep->phone);
    pp_text(&p, rep->name);
    pp_text(&p, rep->community_group);
    pp_id(&p, rep->consent_at);
    pp_int(&p, now);
    return run_id(c, sql, &p, id, "reporter_put");
}

static err_t add_event(pconn_t *c, int64_t case_id, const char *action, const char *from,
                       const char *to, int64_t actor, const char *note, const char *public_note,
                       int64_t team, int64_t target_agency, bool is_public, int64_t now,
                       int64_t *event_id)
{
    static const char sql[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
        " team_id, target_agency_id, is_public, created_at, public_note)"
        " SELECT $1::bigint, COALESCE(MAX(seq), 0) + 1, $2::text, $3::text, $4::text, $5::bigint,"
        " $6::text, $7::bigint, $8::bigint, $9::boolean, $10::bigint, $11::text"
        " FROM case_events WHERE case_id = $1 RETURNING id";
    pq_params p = {0};
    int64_t id = 0;
    pp_int(&p, case_id);
    pp_text(&p, action);
    pp_text(&p, from);
    pp_text(&p, to);
    pp_id(&p, actor);
    pp_text(&p, note);
    pp_id(&p, team);
    pp_id(&p, target_agency);
    pp_bool(&p, is_public);
    pp_int(&p, now);
    pp_text(&p, public_note);
    err_t e = run_id(c, sql, &p, &id, "event_add");
    if (e == ERR_OK && event_id)
        *event_id = id;
    return e;
}

/* Inside a transaction: the case row with a fresh tracking code (a clash
 * inserts nothing, so the transaction survives it) and its first event. */
err_t pq_insert_case(pconn_t *c, arena_t *ar, store_case *k, const char *note, int64_t *event_id)
{
    static const char sql[] =
        "INSERT INTO cases (agency_id, category_id, kind, channel, reporter_id, description, lat,"
        " lon, address, kecamatan_code, priority, status, team_id, rahasia, anonim, tracking_code,"
        " lapor_tracking_id, forwarded_from_id, created_by, created_at, updated_at, wa_consent_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18, $19, $20, $20, $21) ON CONFLICT (tracking_code) DO NOTHING RETURNING id";
    char code[IDS_CODE_BUF];
    err_t e = ERR_OK;
    int attempts = k->tracking_code ? 1 : CODE_ATTEMPTS; /* see sq_insert_case */
    k->id = 0;
    for (int attempt = 0; attempt < attempts && e == ERR_OK && !k->id; attempt++) {
        pq_params p = {0};
        if (k->tracking_code)
            snprintf(code, sizeof code, "%s", k->tracking_code);
        else
            ids_tracking_new(code);
        pp_int(&p, k->agency_id);
        pp_id(&p, k->category_id);
        pp_text(&p, k->kind);
        pp_text(&p, k->channel);
        pp_id(&p, k->reporter_id);
        pp_text(&p, k->description);
        if (k->has_location) {
            pp_real(&p, k->lat);
            pp_real(&p, k->lon);
        } else {
            pp_null(&p);
            pp_null(&p);
        }
        pp_text(&p, k->address);
        pp_text(&p, k->kecamatan_code);
        pp_text(&p, k->priority ? k->priority : "normal");
        pp_text(&p, k->status);
        pp_id(&p, k->team_id);
        pp_bool(&p, k->rahasia);
        pp_bool(&p, k->anonim);
        pp_text(&p, code);
        pp_text(&p, k->lapor_tracking_id);
        pp_id(&p, k->forwarded_from);
        pp_id(&p, k->created_by);
        pp_int(&p, k->created_at);
        pp_id(&p, k->wa_consent_at);
        e = run_id(c, sql, &p, &k->id, "case_insert");
    }
    if (e == ERR_OK && !k->id)
        e = ERR_CONFLICT;
    if (e != ERR_OK)
        return e;
    k->tracking_code = arena_strdup(ar, code);
    if (!k->tracking_code)
        return ERR_NOMEM;
    return add_event(c, k->id, "create", NULL, k->status, k->created_by, note, NULL, k->team_id, 0,
                     true, k->created_at, event_id);
}

err_t pg_case_create(store_t *s, arena_t *ar, store_case *k, const store_reporter_in *rep,
                     const char *note)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    int64_t event_id = 0;
    err_t e = pq_begin(c);
    if (e == ERR_OK && rep)
        e = pq_put_reporter(c, rep, k->created_at, &k->reporter_id);
    if (e == ERR_OK)
        e = pq_insert_case(c, ar, k, note, &event_id);
    /* A walk-in reporter who agreed hears of the case (its code) at once. */
    if (e == ERR_OK && k->wa_consent_at)
        e = pq_wa_queue_status(c, k->id, event_id, k->created_at);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

/* Runs a read on a borrowed connection. */
static err_t query(store_t *s, const char *sql, const pq_params *p, PGresult **out,
                   const char *what)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_run(c, sql, p, out, what);
    pq_put(s, c);
    return e;
}

static err_t case_one(store_t *s, arena_t *ar, const char *sql, const pq_params *p, store_case *out)
{
    PGresult *r;
    err_t e = query(s, sql, p, &r, "case_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    else
        read_case(ar, r, 0, out);
    PQclear(r);
    return e;
}

err_t pg_case_get(store_t *s, arena_t *ar, int64_t id, store_case *out)
{
    static const char sql[] = "SELECT " CASE_COLS CASE_FROM " WHERE c.id = $1";
    pq_params p = {0};
    pp_int(&p, id);
    return case_one(s, ar, sql, &p, out);
}

err_t pg_case_by_code(store_t *s, arena_t *ar, const char *code, store_case *out)
{
    static const char sql[] = "SELECT " CASE_COLS CASE_FROM " WHERE c.tracking_code = $1";
    pq_params p = {0};
    pp_text(&p, code);
    return case_one(s, ar, sql, &p, out);
}

static void read_agency_id(arena_t *ar, PGresult *r, int i, void *elem)
{
    (void)ar;
    *(int64_t *)elem = pq_int(r, i, 0);
}

struct ts_buf {
    char *out;
    size_t len;
};

static void ts_word(void *ctx, const char *w, size_t n)
{
    struct ts_buf *b = ctx;
    if (b->len) {
        memcpy(b->out + b->len, " & ", 3);
        b->len += 3;
    }
    b->out[b->len++] = '\'';
    memcpy(b->out + b->len, w, n);
    b->len += n;
    memcpy(b->out + b->len, "':*", 3);
    b->len += 3;
}

/* Free text as a tsquery: every word, as a word or a prefix. Words hold
 * only letters and digits, so quoting them keeps tsquery syntax out of
 * users' hands. NULL when the text has no word. */
static const char *ts_query(arena_t *ar, const char *q)
{
    struct ts_buf b = {arena_alloc(ar, strlen(q) * 8 + 8), 0};
    if (!b.out || store_words(q, ts_word, &b) == 0)
        return NULL;
    b.out[b.len] = '\0';
    return b.out;
}

/* Whether a field officer's teams have few cases (see cq_field_probe). */
static err_t field_probe(store_t *s, arena_t *ar, const store_case_filter *f, cq_scope *sc)
{
    cq_t q;
    int64_t *count;
    size_t n = 0;
    cq_init(&q, true);
    if (!cq_field_probe(&q, f, sc))
        return ERR_OK;
    if (q.overflow)
        return ERR_INTERNAL;
    err_t e = pq_list_unprepared(s, ar, q.sql, NULL, sizeof *count, read_agency_id, (void **)&count,
                                 &n, "case_field_probe");
    if (e == ERR_OK && n == 1)
        sc->field_sparse = count[0] < CQ_FIELD_SPARSE;
    return e;
}

err_t pg_case_list(store_t *s, arena_t *ar, const store_case_filter *f, store_case **out, size_t *n)
{
    static const char roles_sql[] = "SELECT agency_id FROM user_roles WHERE user_id = $1";
    cq_scope sc;
    cq_t q;
    pq_params p = {0};
    const char *match = f->q ? ts_query(ar, f->q) : NULL;
    memset(&sc, 0, sizeof sc);
    sc.all = f->scope_user_id == 0;
    if (f->scope_user_id) {
        int64_t *ids;
        size_t nids;
        pp_id(&p, f->scope_user_id);
        err_t e = pq_list(s, ar, roles_sql, &p, sizeof *ids, read_agency_id, (void **)&ids, &nids,
                          "case_scope");
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < nids; i++) {
            if (ids[i] == 0)
                sc.all = true;
            else if (sc.n < CQ_AGENCIES_MAX)
                sc.ids[sc.n++] = ids[i];
            else
                sc.many = true;
        }
    }
    err_t e = field_probe(s, ar, f, &sc);
    if (e != ERR_OK)
        return e;
    cq_init(&q, true);
    q.order_by_expr = f->from || f->to;
    unsigned limit = f->limit ? f->limit : 50;
    if (!match) {
        /* The page's ids first, then the joins only for those rows. */
        cq_sql(&q, "SELECT " CASE_COLS " FROM (SELECT c.id FROM cases c WHERE 1 = 1");
        cq_case_filters(&q, f, &sc, "c.id");
    } else {
        /* Text search in two steps, both bounded. First the newest
         * SEARCH_WINDOW cases of the other filters, in index order, checked
         * against the stored tsvector: enough for a common word. Only when
         * that window was full and held fewer than a page of matches, the
         * GIN index finds the rest below it (a rare word: few matches). */
        cq_sql(&q, "SELECT " CASE_COLS " FROM (WITH w AS MATERIALIZED (SELECT c.id, c.search"
                   " FROM cases c WHERE 1 = 1");
        cq_case_where(&q, f, &sc, "c.id");
        cq_case_order(&q, f, "c.id", SEARCH_WINDOW);
        cq_sql(&q, "), m AS (SELECT id FROM w WHERE search @@ to_tsquery('simple', ");
        cq_text(&q, match);
        cq_sql(&q, ")");
        cq_case_order(&q, f, "id", limit);
        cq_sql(&q, "), edge AS (SELECT CASE WHEN COUNT(*) < ");
        cq_int(&q, SEARCH_WINDOW);
        cq_sql(&q, " THEN NULL ELSE ");
        cq_sql(&q, f->after_id ? "MAX(id)" : "MIN(id)");
        cq_sql(&q, " END AS lo FROM w) SELECT id FROM m UNION ALL SELECT id FROM (SELECT c.id"
                   " FROM cases c, edge WHERE (SELECT COUNT(*) FROM m) < ");
        cq_int(&q, limit);
        cq_sql(&q, f->after_id ? " AND c.id > edge.lo" : " AND c.id < edge.lo");
        cq_sql(&q, " AND c.search @@ to_tsquery('simple', ");
        cq_text(&q, match);
        cq_sql(&q, ")");
        q.order_by_expr = true;
        cq_case_filters(&q, f, &sc, "c.id");
        q.order_by_expr = false;
        cq_sql(&q, ") x");
        cq_case_order(&q, f, "id", limit);
    }
    cq_sql(&q, ") p JOIN cases c ON c.id = p.id" CASE_JOINS " ORDER BY c.id ");
    cq_sql(&q, f->after_id ? "ASC" : "DESC");
    if (q.overflow)
        return ERR_INTERNAL;
    memset(&p, 0, sizeof p);
    for (int i = 0; i < q.ntext; i++)
        pp_text(&p, q.text[i]);
    return pq_list_unprepared(s, ar, q.sql, &p, sizeof **out, read_case, (void **)out, n,
                              "case_list");
}

err_t pg_case_events(store_t *s, arena_t *ar, int64_t case_id, store_event **out, size_t *n)
{
    static const char sql[] =
        "SELECT e.id, e.case_id, e.seq, e.action, e.from_status, e.to_status, e.actor_id, u.name,"
        " e.note, e.team_id, e.target_agency_id, e.is_public, e.created_at, e.public_note"
        " FROM case_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = $1"
        " ORDER BY e.seq";
    pq_params p = {0};
    PGresult *r;
    *out = NULL;
    *n = 0;
    pp_int(&p, case_id);
    err_t e = query(s, sql, &p, &r, "case_events");
    if (e != ERR_OK)
        return e;
    int rows = PQntuples(r);
    store_event *arr = pq_alloc_rows(ar, sizeof *arr, rows);
    for (int i = 0; arr && i < rows; i++) {
        store_event *v = &arr[i];
        v->id = pq_int(r, i, 0);
        v->case_id = pq_int(r, i, 1);
        v->seq = pq_int(r, i, 2);
        v->action = pq_text(ar, r, i, 3);
        v->from_status = pq_text(ar, r, i, 4);
        v->to_status = pq_text(ar, r, i, 5);
        v->actor_id = pq_int(r, i, 6);
        v->actor_name = pq_text(ar, r, i, 7);
        v->note = pq_text(ar, r, i, 8);
        v->team_id = pq_int(r, i, 9);
        v->target_agency_id = pq_int(r, i, 10);
        v->is_public = pq_bool(r, i, 11);
        v->created_at = pq_int(r, i, 12);
        v->public_note = pq_text(ar, r, i, 13);
    }
    PQclear(r);
    if (!arr)
        return ERR_NOMEM;
    *out = arr;
    *n = (size_t)rows;
    return ERR_OK;
}

err_t pg_case_attachments(store_t *s, arena_t *ar, int64_t case_id, store_attachment **out,
                          size_t *n)
{
    static const char sql[] = "SELECT id, case_id, sha256, mime, filename, source, state,"
                              " size_bytes, created_at FROM attachments WHERE case_id = $1"
                              " ORDER BY id";
    pq_params p = {0};
    PGresult *r;
    *out = NULL;
    *n = 0;
    pp_int(&p, case_id);
    err_t e = query(s, sql, &p, &r, "case_attachments");
    if (e != ERR_OK)
        return e;
    int rows = PQntuples(r);
    store_attachment *arr = pq_alloc_rows(ar, sizeof *arr, rows);
    for (int i = 0; arr && i < rows; i++) {
        store_attachment *v = &arr[i];
        v->id = pq_int(r, i, 0);
        v->case_id = pq_int(r, i, 1);
        v->sha256 = pq_text(ar, r, i, 2);
        v->mime = pq_text(ar, r, i, 3);
        v->filename = pq_text(ar, r, i, 4);
        v->source = pq_text(ar, r, i, 5);
        v->state = pq_text(ar, r, i, 6);
        v->size_bytes = pq_int(r, i, 7);
        v->created_at = pq_int(r, i, 8);
    }
    PQclear(r);
    if (!arr)
        return ERR_NOMEM;
    *out = arr;
    *n = (size_t)rows;
    return ERR_OK;
}

/* Inside the transaction: creates the forwarded copy and links both. */
static err_t forward_copy(pconn_t *c, arena_t *ar, store_transition *t)
{
    static const char src[] =
        "SELECT reporter_id, description, lat, lon, address, kecamatan_code,"
        " priority, rahasia, anonim, lapor_tracking_id FROM cases WHERE id = $1";
    static const char link[] = "UPDATE cases SET forwarded_to_id = $1 WHERE id = $2";
    pq_params p = {0}, q = {0};
    PGresult *r;
    store_case k = *t->forward_copy;
    pp_int(&p, t->case_id);
    err_t e = pq_run(c, src, &p, &r, "forward_source");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ERR_NOT_FOUND;
    }
    k.reporter_id = pq_int(r, 0, 0);
    k.description = pq_text(ar, r, 0, 1);
    k.has_location = !pq_null(r, 0, 2);
    k.lat = pq_real(r, 0, 2);
    k.lon = pq_real(r, 0, 3);
    k.address = pq_text(ar, r, 0, 4);
    k.kecamatan_code = pq_text(ar, r, 0, 5);
    k.priority = pq_text(ar, r, 0, 6);
    k.rahasia = pq_bool(r, 0, 7);
    k.anonim = pq_bool(r, 0, 8);
    k.lapor_tracking_id = pq_text(ar, r, 0, 9);
    PQclear(r);
    k.channel = "forward";
    k.tracking_code = NULL;
    k.forwarded_from = t->case_id;
    k.team_id = 0;
    k.created_by = t->actor_id;
    k.created_at = t->now;
    e = pq_insert_case(c, ar, &k, t->note, NULL);
    if (e != ERR_OK)
        return e;
    t->new_case_id = k.id;
    pp_int(&q, k.id);
    pp_int(&q, t->case_id);
    return pq_run(c, link, &q, NULL, "forward_link");
}

err_t pg_case_transition(store_t *s, arena_t *ar, store_transition *t)
{
    static const char upd[] = "UPDATE cases SET status = $1, team_id = COALESCE($2, team_id),"
                              " updated_at = $3 WHERE id = $4 AND status = $5";
    static const char exists[] = "SELECT 1 FROM cases WHERE id = $1";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0}, q = {0};
    PGresult *r = NULL;
    pp_text(&p, t->new_status);
    pp_id(&p, t->team_id);
    pp_int(&p, t->now);
    pp_int(&p, t->case_id);
    pp_text(&p, t->expect_status);
    pp_int(&q, t->case_id);
    err_t e = pq_begin(c);
    /* Compare-and-set on the status; the row lock it takes also orders
     * concurrent event appends for this case. */
    if (e == ERR_OK)
        e = pq_run(c, upd, &p, &r, "case_transition");
    if (e == ERR_OK && pq_affected(r) == 0) {
        int64_t one = 0;
        e = run_id(c, exists, &q, &one, "case_exists");
        if (e == ERR_OK)
            e = one ? ERR_CONFLICT : ERR_NOT_FOUND;
    }
    PQclear(r);
    if (e == ERR_OK)
        e = add_event(c, t->case_id, t->action, t->expect_status, t->new_status, t->actor_id,
                      t->note, t->is_public ? t->public_note : NULL, t->team_id,
                      t->target_agency_id, t->is_public, t->now, &t->event_id);
    if (e == ERR_OK && t->is_public)
        e = pq_wa_queue_status(c, t->case_id, t->event_id, t->now);
    if (e == ERR_OK && t->is_public)
        e = pq_dispatch_queue_followers(c, t->case_id, t->event_id, t->now);
    if (e == ERR_OK && t->forward_copy)
        e = forward_copy(c, ar, t);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

/* ---- kecamatan from the location (aduan region import) ---------------------------- */

static void read_point(arena_t *ar, PGresult *r, int i, void *elem)
{
    (void)ar;
    store_case_point *v = elem;
    v->id = pq_int(r, i, 0);
    v->lat = pq_real(r, i, 1);
    v->lon = pq_real(r, i, 2);
}

err_t pg_case_unlocated(store_t *s, arena_t *ar, int64_t after_id, unsigned max,
                        store_case_point **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, lat, lon FROM cases WHERE id > $1 AND kecamatan_code IS NULL"
        " AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY id LIMIT $2";
    pq_params p = {0};
    pp_int(&p, after_id);
    pp_int(&p, max);
    return pq_list(s, ar, sql, &p, sizeof **out, read_point, (void **)out, n, "case_unlocated");
}

err_t pg_case_set_kecamatan(store_t *s, int64_t id, const char *code, int64_t now)
{
    static const char sql[] = "UPDATE cases SET kecamatan_code = $2, updated_at = $3"
                              " WHERE id = $1 AND kecamatan_code IS NULL";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, id);
    pp_text(&p, code);
    pp_int(&p, now);
    err_t e = pq_run(c, sql, &p, &r, "case_set_kecamatan");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_NOT_FOUND;
    PQclear(r);
    pq_put(s, c);
    return e;
}

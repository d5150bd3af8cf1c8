/* The SQLite store: cases, their events and attachments. */
#include "store/sqlite_int.h"

#include "store/case_query.h"

#include "core/ids.h"
#include "core/log.h"

#include <stdio.h>
#include <string.h>

/* Tracking codes are random; a clash at 40 bits is rare, a few retries
 * make a failure practically impossible. */
#define CODE_ATTEMPTS 8

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

static void read_case(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_case *c = elem;
    memset(c, 0, sizeof *c);
    c->id = sq_int(st, 0);
    c->agency_id = sq_int(st, 1);
    c->category_id = sq_int(st, 2);
    c->reporter_id = sq_int(st, 3);
    c->team_id = sq_int(st, 4);
    c->forwarded_from = sq_int(st, 5);
    c->forwarded_to = sq_int(st, 6);
    c->created_by = sq_int(st, 7);
    c->kind = sq_text(ar, st, 8);
    c->channel = sq_text(ar, st, 9);
    c->status = sq_text(ar, st, 10);
    c->priority = sq_text(ar, st, 11);
    c->tracking_code = sq_text(ar, st, 12);
    c->description = sq_text(ar, st, 13);
    c->address = sq_text(ar, st, 14);
    c->kecamatan_code = sq_text(ar, st, 15);
    c->lapor_tracking_id = sq_text(ar, st, 16);
    c->has_location = sqlite3_column_type(st, 17) != SQLITE_NULL;
    c->lat = sqlite3_column_double(st, 17);
    c->lon = sqlite3_column_double(st, 18);
    c->rahasia = sq_int(st, 19) != 0;
    c->anonim = sq_int(st, 20) != 0;
    c->created_at = sq_int(st, 21);
    c->updated_at = sq_int(st, 22);
    c->agency_name = sq_text(ar, st, 23);
    c->category_code = sq_text(ar, st, 24);
    c->category_name_id = sq_text(ar, st, 25);
    c->category_name_en = sq_text(ar, st, 26);
    c->team_name = sq_text(ar, st, 27);
    c->kecamatan_name = sq_text(ar, st, 28);
    c->reporter_name = sq_text(ar, st, 29);
    c->reporter_phone = sq_text(ar, st, 30);
    c->reporter_wa_id = sq_text(ar, st, 31);
    c->wa_consent_at = sq_int(st, 32);
}

/* Inside a transaction: finds or creates the reporter. */
err_t sq_put_reporter(conn_t *c, const store_reporter_in *r, int64_t now, int64_t *id)
{
    static const char by_wa[] =
        "INSERT INTO reporters (wa_id, phone, name, community_group, consent_at, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (wa_id) DO UPDATE SET"
        " name = COALESCE(excluded.name, reporters.name),"
        " phone = COALESCE(excluded.phone, reporters.phone),"
        " community_group = COALESCE(excluded.community_group, reporters.community_group),"
        " consent_at = COALESCE(reporters.consent_at, excluded.consent_at) RETURNING id";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, by_wa);
    sq_bind_text(st, 1, r->wa_id);
    sq_bind_text(st, 2, r->phone);
    sq_bind_text(st, 3, r->name);
    sq_bind_text(st, 4, r->community_group);
    sq_bind_id(st, 5, r->consent_at);
    sqlite3_bind_int64(st, 6, now);
    e = sq_step_row(c, st, "reporter_put");
    if (e == ERR_OK)
        *id = sq_int(st, 0);
    sqlite3_reset(st);
out:
    return e;
}

/* Inside a transaction: appends the next event of a case. */
static err_t add_event(conn_t *c, int64_t case_id, const char *action, const char *from,
                       const char *to, int64_t actor, const char *note, const char *public_note,
                       int64_t team, int64_t target_agency, bool is_public, int64_t now,
                       int64_t *event_id)
{
    static const char sql[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
        " team_id, target_agency_id, is_public, created_at, public_note)"
        " SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11"
        " FROM case_events WHERE case_id = ?1";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, action);
    sq_bind_text(st, 3, from);
    sq_bind_text(st, 4, to);
    sq_bind_id(st, 5, actor);
    sq_bind_text(st, 6, note);
    sq_bind_id(st, 7, team);
    sq_bind_id(st, 8, target_agency);
    sqlite3_bind_int(st, 9, is_public ? 1 : 0);
    sqlite3_bind_int64(st, 10, now);
    sq_bind_text(st, 11, public_note);
    e = sq_exec_stmt(c, st, "event_add");
    if (e == ERR_OK && event_id)
        *event_id = sqlite3_last_insert_rowid(c->db);
out:
    return e;
}

/* Inside a transaction: inserts the case row with a fresh tracking code
 * and its first event (*event_id, may be NULL). Sets k->id and
 * k->tracking_code. */
err_t sq_insert_case(conn_t *c, arena_t *ar, store_case *k, const char *note, int64_t *event_id)
{
    static const char sql[] =
        "INSERT INTO cases (agency_id, category_id, kind, channel, reporter_id, description, lat,"
        " lon, address, kecamatan_code, priority, status, team_id, rahasia, anonim, tracking_code,"
        " lapor_tracking_id, forwarded_from_id, created_by, created_at, updated_at, wa_consent_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    err_t e = ERR_CONFLICT;
    sqlite3_stmt *st;
    char code[IDS_CODE_BUF];
    /* A preset code (the caller already told it to the citizen) gets one
     * try; a clash is the caller's to handle. */
    int attempts = k->tracking_code ? 1 : CODE_ATTEMPTS;
    for (int attempt = 0; attempt < attempts && e == ERR_CONFLICT; attempt++) {
        if (k->tracking_code)
            snprintf(code, sizeof code, "%s", k->tracking_code);
        else
            ids_tracking_new(code);
        SQ_PREP(c, st, sql);
        sqlite3_bind_int64(st, 1, k->agency_id);
        sq_bind_id(st, 2, k->category_id);
        sq_bind_text(st, 3, k->kind);
        sq_bind_text(st, 4, k->channel);
        sq_bind_id(st, 5, k->reporter_id);
        sq_bind_text(st, 6, k->description);
        if (k->has_location) {
            sqlite3_bind_double(st, 7, k->lat);
            sqlite3_bind_double(st, 8, k->lon);
        }
        sq_bind_text(st, 9, k->address);
        sq_bind_text(st, 10, k->kecamatan_code);
        sq_bind_text(st, 11, k->priority ? k->priority : "normal");
        sq_bind_text(st, 12, k->status);
        sq_bind_id(st, 13, k->team_id);
        sqlite3_bind_int(st, 14, k->rahasia ? 1 : 0);
        sqlite3_bind_int(st, 15, k->anonim ? 1 : 0);
        sq_bind_text(st, 16, code);
        sq_bind_text(st, 17, k->lapor_tracking_id);
        sq_bind_id(st, 18, k->forwarded_from);
        sq_bind_id(st, 19, k->created_by);
        sqlite3_bind_int64(st, 20, k->created_at);
        sqlite3_bind_int64(st, 21, k->created_at);
        sq_bind_id(st, 22, k->wa_consent_at);
        e = sq_exec_stmt(c, st, "case_insert");
    }
    if (e != ERR_OK)
        goto out;
    k->id = sqlite3_last_insert_rowid(c->db);
    k->tracking_code = arena_strdup(ar, code);
    if (!k->tracking_code) {
        e = ERR_NOMEM;
        goto out;
    }
    e = add_event(c, k->id, "create", NULL, k->status, k->created_by, note, NULL, k->team_id, 0,
                  true, k->created_at, event_id);
out:
    return e;
}

err_t sq_case_create(store_t *s, arena_t *ar, store_case *k, const store_reporter_in *rep,
                     const char *note)
{
    conn_t *c = sq_get(s);
    int64_t event_id = 0;
    err_t e = sq_begin(c);
    if (e == ERR_OK && rep)
        e = sq_put_reporter(c, rep, k->created_at, &k->reporter_id);
    if (e == ERR_OK)
        e = sq_insert_case(c, ar, k, note, &event_id);
    /* A walk-in reporter who agreed hears of the case (its code) at once. */
    if (e == ERR_OK && k->wa_consent_at)
        e = sq_wa_queue_status(c, k->id, event_id, k->created_at);
    if (e == ERR_OK)
        e = sq_commit(c);
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

static err_t case_one(store_t *s, arena_t *ar, const char *sql, int64_t id, const char *code,
                      store_case *out)
{
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    if (code)
        sq_bind_text(st, 1, code);
    else
        sqlite3_bind_int64(st, 1, id);
    e = sq_step_row(c, st, "case_get");
    if (e == ERR_OK)
        read_case(ar, st, out);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_case_get(store_t *s, arena_t *ar, int64_t id, store_case *out)
{
    static const char sql[] = "SELECT " CASE_COLS CASE_FROM " WHERE c.id = ?";
    return case_one(s, ar, sql, id, NULL, out);
}

err_t sq_case_by_code(store_t *s, arena_t *ar, const char *code, store_case *out)
{
    static const char sql[] = "SELECT " CASE_COLS CASE_FROM " WHERE c.tracking_code = ?";
    return case_one(s, ar, sql, 0, code, out);
}

struct fts_buf {
    char *out;
    size_t len;
};

static void fts_word(void *ctx, const char *w, size_t n)
{
    struct fts_buf *b = ctx;
    if (b->len)
        b->out[b->len++] = ' ';
    b->out[b->len++] = '"';
    memcpy(b->out + b->len, w, n);
    b->len += n;
    b->out[b->len++] = '"';
    b->out[b->len++] = '*';
}

/* Free text as an FTS5 expression: every word, as a word or a prefix.
 * Quoting each word keeps FTS5 syntax out of users' hands. NULL when the
 * text has no word. */
static const char *fts_query(arena_t *ar, const char *q)
{
    struct fts_buf b = {arena_alloc(ar, strlen(q) * 4 + 8), 0};
    if (!b.out || store_words(q, fts_word, &b) == 0)
        return NULL;
    b.out[b.len] = '\0';
    return b.out;
}

/* The agencies a user may see (see cq_scope). */
static err_t user_scope(conn_t *c, int64_t user_id, cq_scope *sc)
{
    static const char sql[] = "SELECT agency_id FROM user_roles WHERE user_id = ?";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    memset(sc, 0, sizeof *sc);
    if (!user_id) {
        sc->all = true;
        return ERR_OK;
    }
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, user_id);
    while ((e = sq_step_row(c, st, "case_scope")) == ERR_OK) {
        int64_t a = sq_int(st, 0);
        if (a == 0)
            sc->all = true;
        else if (sc->n < CQ_AGENCIES_MAX)
            sc->ids[sc->n++] = a;
        else
            sc->many = true;
    }
    sqlite3_reset(st);
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
out:
    return e;
}

/* Whether a field officer's teams have few cases (see cq_field_probe). */
static err_t field_probe(conn_t *c, const store_case_filter *f, cq_scope *sc)
{
    cq_t q;
    sqlite3_stmt *st = NULL;
    cq_init(&q, false);
    if (!cq_field_probe(&q, f, sc))
        return ERR_OK;
    if (q.overflow)
        return ERR_INTERNAL;
    if (sqlite3_prepare_v2(c->db, q.sql, (int)q.len, &st, NULL) != SQLITE_OK)
        return sq_err(c, sqlite3_extended_errcode(c->db), "case_field_probe_prepare");
    err_t e = sq_step_row(c, st, "case_field_probe");
    if (e == ERR_OK)
        sc->field_sparse = sq_int(st, 0) < CQ_FIELD_SPARSE;
    sqlite3_finalize(st);
    return e;
}

err_t sq_case_list(store_t *s, arena_t *ar, const store_case_filter *f, store_case **out, size_t *n)
{
    conn_t *c = sq_get(s);
    cq_scope sc;
    cq_t q;
    sqlite3_stmt *st = NULL;
    const char *match = f->q ? fts_query(ar, f->q) : NULL;
    *out = NULL;
    *n = 0;
    err_t e = user_scope(c, f->scope_user_id, &sc);
    /* Not for a search: FTS5 would then test the words case by case, and
     * each test of a word prefix reads the word's whole list of rows.
     * Walking that list once, in order, is the bounded way. */
    if (e == ERR_OK && !match)
        e = field_probe(c, f, &sc);
    if (e != ERR_OK)
        goto out;
    cq_init(&q, false);
    /* The page's ids first, from the cases table and its indexes alone
     * (often a covering index); the joins only for those rows. */
    cq_sql(&q, "SELECT " CASE_COLS " FROM (SELECT c.id AS id");
    if (match) {
        /* Driven by the index: FTS5 walks the word's rowids in order. */
        cq_sql(&q, " FROM cases_fts f JOIN cases c ON c.id = f.rowid WHERE cases_fts MATCH ");
        cq_text(&q, match);
        cq_case_filters(&q, f, &sc, "f.rowid");
    } else {
        cq_sql(&q, " FROM cases c WHERE 1 = 1");
        cq_case_filters(&q, f, &sc, "c.id");
    }
    cq_sql(&q, ") p CROSS JOIN cases c ON c.id = p.id" CASE_JOINS " ORDER BY c.id ");
    cq_sql(&q, f->after_id ? "ASC" : "DESC");
    if (q.overflow) {
        e = ERR_INTERNAL;
        goto out;
    }
    if (sqlite3_prepare_v2(c->db, q.sql, (int)q.len, &st, NULL) != SQLITE_OK) {
        e = sq_err(c, sqlite3_extended_errcode(c->db), "case_list_prepare");
        goto out;
    }
    for (int i = 0; i < q.ntext; i++)
        sq_bind_text(st, i + 1, q.text[i]);
    e = sq_collect(c, st, ar, sizeof **out, read_case, (void **)out, n, "case_list");
out:
    sqlite3_finalize(st);
    sq_put(s, c);
    return e;
}

err_t sq_case_events(store_t *s, arena_t *ar, int64_t case_id, store_event **out, size_t *n)
{
    static const char sql[] =
        "SELECT e.id, e.case_id, e.seq, e.action, e.from_status, e.to_status, e.actor_id, u.name,"
        " e.note, e.team_id, e.target_agency_id, e.is_public, e.created_at, e.public_note"
        " FROM case_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = ?"
        " ORDER BY e.seq";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    store_event *arr = NULL;
    size_t cnt = 0, cap = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    while ((e = sq_step_row(c, st, "case_events")) == ERR_OK) {
        if (!(arr = sq_grow(ar, arr, sizeof *arr, cnt, &cap))) {
            e = ERR_NOMEM;
            break;
        }
        store_event *v = &arr[cnt++];
        v->id = sq_int(st, 0);
        v->case_id = sq_int(st, 1);
        v->seq = sq_int(st, 2);
        v->action = sq_text(ar, st, 3);
        v->from_status = sq_text(ar, st, 4);
        v->to_status = sq_text(ar, st, 5);
        v->actor_id = sq_int(st, 6);
        v->actor_name = sq_text(ar, st, 7);
        v->note = sq_text(ar, st, 8);
        v->team_id = sq_int(st, 9);
        v->target_agency_id = sq_int(st, 10);
        v->is_public = sq_int(st, 11) != 0;
        v->created_at = sq_int(st, 12);
        v->public_note = sq_text(ar, st, 13);
    }
    sqlite3_reset(st);
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
out:
    sq_put(s, c);
    *out = arr;
    *n = cnt;
    return e;
}

err_t sq_case_attachments(store_t *s, arena_t *ar, int64_t case_id, store_attachment **out,
                          size_t *n)
{
    static const char sql[] =
        "SELECT id, case_id, sha256, mime, filename, source, state,"
        " size_bytes, created_at FROM attachments WHERE case_id = ? ORDER BY id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    store_attachment *arr = NULL;
    size_t cnt = 0, cap = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    while ((e = sq_step_row(c, st, "case_attachments")) == ERR_OK) {
        if (!(arr = sq_grow(ar, arr, sizeof *arr, cnt, &cap))) {
            e = ERR_NOMEM;
            break;
        }
        store_attachment *v = &arr[cnt++];
        v->id = sq_int(st, 0);
        v->case_id = sq_int(st, 1);
        v->sha256 = sq_text(ar, st, 2);
        v->mime = sq_text(ar, st, 3);
        v->filename = sq_text(ar, st, 4);
        v->source = sq_text(ar, st, 5);
        v->state = sq_text(ar, st, 6);
        v->size_bytes = sq_int(st, 7);
        v->created_at = sq_int(st, 8);
    }
    sqlite3_reset(st);
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
out:
    sq_put(s, c);
    *out = arr;
    *n = cnt;
    return e;
}

/* Inside the transaction: creates the forwarded copy and links both. */
static err_t forward_copy(conn_t *c, arena_t *ar, store_transition *t)
{
    static const char src[] =
        "SELECT reporter_id, description, lat, lon, address, kecamatan_code,"
        " priority, rahasia, anonim, lapor_tracking_id FROM cases WHERE id = ?";
    static const char link[] = "UPDATE cases SET forwarded_to_id = ? WHERE id = ?";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    store_case k = *t->forward_copy;
    SQ_PREP(c, st, src);
    sqlite3_bind_int64(st, 1, t->case_id);
    e = sq_step_row(c, st, "forward_source");
    if (e == ERR_OK) {
        k.reporter_id = sq_int(st, 0);
        k.description = sq_text(ar, st, 1);
        k.has_location = sqlite3_column_type(st, 2) != SQLITE_NULL;
        k.lat = sqlite3_column_double(st, 2);
        k.lon = sqlite3_column_double(st, 3);
        k.address = sq_text(ar, st, 4);
        k.kecamatan_code = sq_text(ar, st, 5);
        k.priority = sq_text(ar, st, 6);
        k.rahasia = sq_int(st, 7) != 0;
        k.anonim = sq_int(st, 8) != 0;
        k.lapor_tracking_id = sq_text(ar, st, 9);
    }
    sqlite3_reset(st);
    if (e != ERR_OK)
        goto out;
    k.channel = "forward";
    k.tracking_code = NULL;
    k.forwarded_from = t->case_id;
    k.team_id = 0;
    k.created_by = t->actor_id;
    k.created_at = t->now;
    e = sq_insert_case(c, ar, &k, t->note, NULL);
    if (e != ERR_OK)
        goto out;
    t->new_case_id = k.id;
    SQ_PREP(c, st, link);
    sqlite3_bind_int64(st, 1, k.id);
    sqlite3_bind_int64(st, 2, t->case_id);
    e = sq_exec_stmt(c, st, "forward_link");
out:
    return e;
}

err_t sq_case_transition(store_t *s, arena_t *ar, store_transition *t)
{
    static const char upd[] = "UPDATE cases SET status = ?1, team_id = COALESCE(?2, team_id),"
                              " updated_at = ?3 WHERE id = ?4 AND status = ?5";
    static const char exists[] = "SELECT 1 FROM cases WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    /* Compare-and-set on the status: if another request moved the case
     * since the decision was made, nothing is written. */
    SQ_PREP(c, st, upd);
    sq_bind_text(st, 1, t->new_status);
    sq_bind_id(st, 2, t->team_id);
    sqlite3_bind_int64(st, 3, t->now);
    sqlite3_bind_int64(st, 4, t->case_id);
    sq_bind_text(st, 5, t->expect_status);
    e = sq_exec_stmt(c, st, "case_transition");
    if (e != ERR_OK)
        goto out;
    if (sqlite3_changes(c->db) == 0) {
        SQ_PREP(c, st, exists);
        sqlite3_bind_int64(st, 1, t->case_id);
        e = sq_step_row(c, st, "case_exists");
        sqlite3_reset(st);
        if (e == ERR_OK)
            e = ERR_CONFLICT;
        goto out;
    }
    e = add_event(c, t->case_id, t->action, t->expect_status, t->new_status, t->actor_id, t->note,
                  t->is_public ? t->public_note : NULL, t->team_id, t->target_agency_id,
                  t->is_public, t->now, &t->event_id);
    if (e == ERR_OK && t->is_public)
        e = sq_wa_queue_status(c, t->case_id, t->event_id, t->now);
    if (e == ERR_OK && t->is_public)
        e = sq_dispatch_queue_followers(c, t->case_id, t->event_id, t->now);
    if (e == ERR_OK && t->forward_copy)
        e = forward_copy(c, ar, t);
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

/* ---- kecamatan from the location (aduan region import) ---------------------------- */

static void read_point(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    (void)ar;
    store_case_point *v = elem;
    v->id = sq_int(st, 0);
    v->lat = sqlite3_column_double(st, 1);
    v->lon = sqlite3_column_double(st, 2);
}

err_t sq_case_unlocated(store_t *s, arena_t *ar, int64_t after_id, unsigned max,
                        store_case_point **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, lat, lon FROM cases WHERE id > ?1 AND kecamatan_code IS NULL"
        " AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY id LIMIT ?2";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, after_id);
    sqlite3_bind_int(st, 2, (int)max);
    e = sq_collect(c, st, ar, sizeof **out, read_point, (void **)out, n, "case_unlocated");
out:
    sq_put(s, c);
    return e;
}

err_t sq_case_set_kecamatan(store_t *s, int64_t id, const char *code, int64_t now)
{
    static const char sql[] = "UPDATE cases SET kecamatan_code = ?2, updated_at = ?3"
                              " WHERE id = ?1 AND kecamatan_code IS NULL";
    return SQ_WRITE(s, sql, "case_set_kecamatan", true, SQ_INT(id), SQ_TEXT(code), SQ_INT(now));
}

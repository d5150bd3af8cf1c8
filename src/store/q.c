/* The store's executor (see q.h): statement cache, SQL expansion, binds,
 * runs, columns, row readers, transactions and the one-liners, the same on
 * every engine; the engine's part is behind a q_driver (drv.h). */
#include "store/drv.h"

#include "core/log.h"
#include "core/metrics.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parameters of one statement: the widest query binds a few dozen. */
#define Q_PARAMS_MAX 99
/* Expanded text that fits here needs no allocation. */
#define Q_TEXT_STACK 4096
/* Bytes of a dynamic statement's text kept for its log lines. */
#define Q_LABEL_MAX 80

/* ---- dialect: the tokens, side by side ------------------------------------------ */

/* text[Q_SQLITE], text[Q_PG]; '#' is where " OF alias" goes when the token
 * is written {NAME OF alias} (dropped with a text that has no '#'). */
static const struct {
    const char *name;
    const char *text[2];
} tokens[] = {
    {"FOR_UPDATE", {"", "FOR UPDATE#"}},
    {"SKIP_LOCKED", {"", "FOR UPDATE# SKIP LOCKED"}},
    {"NOW",
     {"CAST(strftime('%s', 'now') AS INTEGER)", "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)"}},
    {"GREATEST", {"max", "GREATEST"}},
    {"LEAST", {"min", "LEAST"}},
    {"COLLATE_C", {"", "COLLATE \"C\""}},
};

/* Output that writes what fits and counts everything: a first pass into a
 * stack buffer tells the size when it does not fit. */
typedef struct {
    char *p;
    size_t cap, len;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap)
        memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* Copies a quoted literal or identifier, or a comment, verbatim: a '$' or
 * '{' inside one is not ours ('$.a' is a SQLite JSON path; a doubled quote
 * reads as two literals side by side, which copies the same). Returns the
 * position after it. */
static const char *verbatim(sbuf *b, const char *p)
{
    const char *end;
    if (p[0] == '-' && p[1] == '-') {
        end = p + strcspn(p, "\n");
    } else if (p[0] == '/' && p[1] == '*') {
        end = strstr(p + 2, "*/");
        end = end ? end + 2 : p + strlen(p);
    } else {
        end = strchr(p + 1, p[0]);
        end = end ? end + 1 : p + strlen(p);
    }
    put(b, p, (size_t)(end - p));
    return end;
}

static bool takes_arg(size_t i)
{
    return strchr(tokens[i].text[Q_SQLITE], '#') || strchr(tokens[i].text[Q_PG], '#');
}

/* Expands the {TOKEN} or {TOKEN OF alias} at p; returns the position after
 * it, or NULL for an unknown token or an argument it does not take. */
static const char *token(sbuf *b, q_dialect d, const char *p)
{
    size_t n = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
    const char *arg = p + 1 + n, *close = strchr(p, '}');
    if (!close || n == 0 || (*arg != '}' && *arg != ' ') ||
        strspn(arg, " OFabcdefghijklmnopqrstuvwxyz_0123456789") != (size_t)(close - arg))
        return NULL;
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        if (strlen(tokens[i].name) != n || memcmp(tokens[i].name, p + 1, n) != 0)
            continue;
        if (*arg == ' ' && !takes_arg(i))
            return NULL;
        const char *t = tokens[i].text[d], *hash = strchr(t, '#');
        put(b, t, hash ? (size_t)(hash - t) : strlen(t));
        if (hash) {
            put(b, arg, (size_t)(close - arg));
            put(b, hash + 1, strlen(hash + 1));
        }
        return close + 1;
    }
    return NULL;
}

/* Writes sql for the driver into b: tokens expanded, $N written with the
 * driver's placeholder character. *nparams gets the highest N. -1 (logged)
 * on an unknown token, a parameter out of range or a second statement. */
static int expand(sbuf *b, const q_driver *drv, const char *sql, int *nparams)
{
    const char *p = sql, *next;
    *nparams = 0;
    while (*p) {
        if (*p == '\'' || *p == '"' || (p[0] == '-' && p[1] == '-') ||
            (p[0] == '/' && p[1] == '*')) {
            p = verbatim(b, p);
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            char *end;
            long n = strtol(p + 1, &end, 10);
            if (n < 1 || n > Q_PARAMS_MAX)
                goto bad;
            if (n > *nparams)
                *nparams = (int)n;
            put(b, &drv->param, 1);
            put(b, p + 1, (size_t)(end - (p + 1)));
            p = end;
        } else if (*p == '{') {
            if (!(next = token(b, drv->dialect, p)))
                goto bad;
            p = next;
        } else if (*p == ';' && p[strspn(p, "; \t\r\n")] != '\0') {
            goto bad; /* one statement per text */
        } else {
            put(b, p++, 1);
        }
    }
    return 0;
bad:
    log_error("store", "event=bad_sql at=\"%.40s\"", p);
    return -1;
}

/* ---- connections and the statement cache -------------------------------------------- */

q_conn *q_conn_new(store_t *s, const q_driver *drv, void *d)
{
    q_conn *c = calloc(1, sizeof *c);
    if (c) {
        c->s = s;
        c->drv = drv;
        c->d = d;
    }
    return c;
}

static void stmt_free(q_stmt *st)
{
    if (!st)
        return;
    st->c->drv->finalize(st);
    free(st);
}

void q_conn_free(q_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < Q_CACHE_SLOTS; i++)
        stmt_free(c->cache[i]);
    for (q_stmt *st = c->dyn, *next; st; st = next) {
        next = st->next_dyn;
        stmt_free(st);
    }
    free(c);
}

static size_t slot_of(const char *key)
{
    uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 32) & (Q_CACHE_SLOTS - 1);
}

/* A statement for sql on c, its text expanded for the driver. A dynamic
 * one (key NULL) keeps the start of its text for the logs. */
static q_stmt *stmt_new(q_conn *c, const char *key, const char *sql)
{
    char stack[Q_TEXT_STACK];
    sbuf b = {stack, sizeof stack, 0};
    int np = 0;
    size_t label = key ? 0 : Q_LABEL_MAX + 1;
    q_stmt *st = NULL;
    if (expand(&b, c->drv, sql, &np) != 0)
        return NULL;
    if (b.len >= sizeof stack) {
        b = (sbuf){malloc(b.len + 1), b.len + 1, 0};
        if (!b.p || expand(&b, c->drv, sql, &np) != 0)
            goto out;
    }
    b.p[b.len] = '\0';
    st = calloc(1, sizeof *st + (size_t)np * sizeof(q_val) + label);
    if (!st)
        goto out;
    st->c = c;
    st->key = key;
    st->sql = sql;
    st->nparams = np;
    if (!key) {
        char *copy = (char *)(st->v + np);
        snprintf(copy, label, "%s", sql);
        st->sql = copy;
    }
    if (c->drv->prepare(st, b.p) != ERR_OK) {
        stmt_free(st);
        st = NULL;
    }
out:
    if (b.p != stack)
        free(b.p);
    return st;
}

q_stmt *q_prep(q_conn *c, const char *sql)
{
    if (!c || !sql)
        return NULL;
    size_t i = slot_of(sql);
    while (c->cache[i] && c->cache[i]->key != sql)
        i = (i + 1) & (Q_CACHE_SLOTS - 1);
    if (c->cache[i]) {
        q_done(c->cache[i]);
        return c->cache[i];
    }
    if (c->ncached >= Q_CACHE_SLOTS / 2) {
        log_error("store", "event=stmt_cache_full");
        return NULL;
    }
    if ((c->cache[i] = stmt_new(c, sql, sql)))
        c->ncached++;
    return c->cache[i];
}

q_stmt *q_prep2(q_conn *c, const q_sql2 *sql) { return c ? q_prep(c, q_pick_c(c, sql)) : NULL; }

q_stmt *q_prep_dyn(q_conn *c, const char *sql)
{
    q_stmt *st = c && sql ? stmt_new(c, NULL, sql) : NULL;
    if (st) {
        st->next_dyn = c->dyn;
        c->dyn = st;
    }
    return st;
}

const char *q_pick_c(const q_conn *c, const q_sql2 *sql)
{
    return c->drv->dialect == Q_PG ? sql->pg : sql->sqlite;
}

const char *q_pick_s(const store_t *s, const q_sql2 *sql)
{
    return s->drv->dialect == Q_PG ? sql->pg : sql->sqlite;
}

const char *q_engine(const q_conn *c) { return c->drv->name; }

err_t q_get(store_t *s, q_conn **out)
{
    *out = NULL;
    return s && s->drv ? s->drv->get(s, out) : ERR_INTERNAL;
}

/* Ends every run of this borrow: no result or read snapshot outlives it. */
static void end_runs(q_conn *c)
{
    for (q_stmt *st = c->open, *next; st; st = next) {
        next = st->next_open;
        q_done(st);
        st->open = false;
    }
    c->open = NULL;
}

void q_put(q_conn *c)
{
    if (!c)
        return;
    end_runs(c);
    for (q_stmt *st = c->dyn, *next; st; st = next) {
        next = st->next_dyn;
        stmt_free(st);
    }
    c->dyn = NULL;
    c->drv->put(c);
}

err_t q_tx(store_t *s, err_t (*fn)(q_conn *c, void *ctx), void *ctx)
{
    q_conn *c = NULL;
    err_t e = q_get(s, &c);
    if (e != ERR_OK)
        goto out;
    if ((e = c->drv->begin(c)) != ERR_OK)
        goto out;
    e = fn(c, ctx);
    end_runs(c);
    if (e == ERR_OK)
        e = c->drv->commit(c);
    if (e != ERR_OK)
        c->drv->rollback(c);
out:
    q_put(c);
    return e;
}

/* ---- binds and runs ----------------------------------------------------------------- */

const char *q_label(const q_stmt *st, char *buf, size_t cap)
{
    const char *sql = st && st->sql ? st->sql : "";
    size_t i = 0, j = 0;
    if (cap < 8)
        return "";
    buf[j++] = '"';
    for (; sql[i] && j + 5 < cap && i < Q_LABEL_MAX; i++)
        buf[j++] = sql[i] == '"' || sql[i] == '\n' ? '\'' : sql[i];
    if (sql[i])
        j += (size_t)snprintf(buf + j, cap - j, "...");
    snprintf(buf + j, cap - j, "\"");
    return buf;
}

/* A misuse of the API: logged once per run, reported by the run. */
static void misuse(q_stmt *st, const char *what)
{
    char label[Q_LABEL_MAX + 8];
    if (st->err == ERR_OK)
        log_error("store", "event=q_misuse what=%s sql=%s", what, q_label(st, label, sizeof label));
    st->err = ERR_INTERNAL;
}

void q_bind(q_stmt *st, const q_val *v, size_t n)
{
    for (size_t i = 0; st && i < n; i++) {
        if (st->state != QS_IDLE)
            misuse(st, "bind_after_run");
        else if (st->nv >= st->nparams)
            misuse(st, "too_many_binds");
        else
            st->v[st->nv++] = v[i];
    }
}

void q_int(q_stmt *st, int64_t v) { q_bind(st, &Q_INT(v), 1); }
void q_id(q_stmt *st, int64_t v) { q_bind(st, &Q_ID(v), 1); }
void q_text(q_stmt *st, const char *v) { q_bind(st, &Q_TEXT(v), 1); }
void q_real(q_stmt *st, double v) { q_bind(st, &Q_REAL(v), 1); }
void q_bool(q_stmt *st, bool v) { q_bind(st, &Q_BOOL(v), 1); }
void q_textn(q_stmt *st, const char *v, size_t n)
{
    q_bind(st, &(q_val){.t = QT_TEXT, .s = v, .n = n, .sized = true, .null = !v}, 1);
}

err_t q_step(q_stmt *st)
{
    err_t e;
    if (!st)
        return ERR_DB;
    if (st->state == QS_DONE)
        return st->err != ERR_OK ? st->err : ERR_NOT_FOUND;
    if (st->state == QS_ROWS) {
        e = st->c->drv->next(st);
    } else {
        if (st->err == ERR_OK && st->nv != st->nparams)
            misuse(st, "missing_binds");
        if (st->err != ERR_OK) {
            st->state = QS_DONE;
            return st->err;
        }
        if (!st->open) {
            st->open = true;
            st->next_open = st->c->open;
            st->c->open = st;
        }
        st->changes = 0;
        e = st->c->drv->run(st);
    }
    st->state = e == ERR_OK ? QS_ROWS : QS_DONE;
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        st->err = e;
    return e;
}

err_t q_exec(q_stmt *st)
{
    err_t e;
    while ((e = q_step(st)) == ERR_OK)
        ;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

int64_t q_changes(const q_stmt *st) { return st ? st->changes : 0; }

void q_done(q_stmt *st)
{
    if (!st)
        return;
    if (st->state != QS_IDLE)
        st->c->drv->reset(st);
    st->state = QS_IDLE;
    st->err = ERR_OK;
    st->nv = 0;
}

/* ---- columns and row readers ---------------------------------------------------------- */

static bool on_row(q_stmt *st, int i)
{
    return st && st->state == QS_ROWS && i >= 0 && i < st->c->drv->ncols(st);
}

bool q_col_null(q_stmt *st, int i) { return !on_row(st, i) || st->c->drv->col_null(st, i); }
int64_t q_col_int(q_stmt *st, int i) { return on_row(st, i) ? st->c->drv->col_int(st, i) : 0; }
double q_col_real(q_stmt *st, int i) { return on_row(st, i) ? st->c->drv->col_real(st, i) : 0; }
bool q_col_bool(q_stmt *st, int i) { return on_row(st, i) && st->c->drv->col_bool(st, i); }

const char *q_col_text(q_stmt *st, arena_t *ar, int i)
{
    size_t n = 0;
    const char *t = on_row(st, i) ? st->c->drv->col_text(st, i, &n) : NULL;
    return t ? arena_strndup(ar, t, n) : NULL;
}

const q_field Q_COL_INT64[1] = {{QF_INT64, 0, sizeof(int64_t)}};
const q_field Q_COL_TEXT[1] = {{QF_TEXT, 0, sizeof(const char *)}};

err_t q_read(q_stmt *st, arena_t *ar, const q_field *f, size_t nf, void *out)
{
    static const size_t size[] = {[QF_SKIP] = 0,
                                  [QF_INT64] = sizeof(int64_t),
                                  [QF_INT] = sizeof(int),
                                  [QF_REAL] = sizeof(double),
                                  [QF_BOOL] = sizeof(bool),
                                  [QF_TEXT] = sizeof(char *)};
    if (!st)
        return ERR_DB;
    if (!on_row(st, (int)nf - 1)) {
        misuse(st, "read_past_columns");
        return ERR_INTERNAL;
    }
    for (int i = 0; i < (int)nf; i++) {
        void *m = (char *)out + f[i].off; /* a member of f[i]'s type: size checked */
        if (f[i].t != QF_SKIP && f[i].size != size[f[i].t]) {
            misuse(st, "field_size");
            return ERR_INTERNAL;
        }
        switch (f[i].t) {
        case QF_SKIP:
            break;
        case QF_INT64:
            *(int64_t *)m = q_col_int(st, i);
            break;
        case QF_INT:
            *(int *)m = (int)q_col_int(st, i);
            break;
        case QF_REAL:
            *(double *)m = q_col_real(st, i);
            break;
        case QF_BOOL:
            *(bool *)m = q_col_bool(st, i);
            break;
        case QF_TEXT:
            *(const char **)m = q_col_text(st, ar, i);
            if (!*(const char **)m && !q_col_null(st, i))
                return ERR_NOMEM;
            break;
        }
    }
    return ERR_OK;
}

err_t q_collect_f(q_stmt *st, arena_t *ar, const q_field *f, size_t nf, size_t elem, void **out,
                  size_t *n)
{
    char *arr = NULL;
    size_t cnt = 0, cap = 0;
    err_t e;
    *out = NULL;
    *n = 0;
    while ((e = q_step(st)) == ERR_OK) {
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char *p = arena_alloc(ar, ncap * elem);
            if (!p) {
                e = ERR_NOMEM;
                break;
            }
            if (arr)
                memcpy(p, arr, cnt * elem);
            arr = p;
            cap = ncap;
        }
        if ((e = q_read(st, ar, f, nf, arr + cnt * elem)) != ERR_OK)
            break;
        cnt++;
    }
    q_done(st);
    if (e != ERR_NOT_FOUND)
        return e;
    *out = arr;
    *n = cnt;
    return ERR_OK;
}

/* ---- one-liners ------------------------------------------------------------------------- */

err_t q_run_v(q_conn *c, const char *sql, int64_t *changed, const q_val *v, size_t n)
{
    q_stmt *st = q_prep(c, sql);
    q_bind(st, v, n);
    err_t e = q_exec(st);
    if (changed)
        *changed = e == ERR_OK ? q_changes(st) : 0;
    q_done(st);
    return e;
}

err_t q_row_v(q_conn *c, arena_t *ar, const char *sql, const q_field *f, size_t nf, void *out,
              const q_val *v, size_t n)
{
    q_stmt *st = q_prep(c, sql);
    q_bind(st, v, n);
    err_t e = q_step(st);
    if (e == ERR_OK)
        e = q_read(st, ar, f, nf, out);
    q_done(st);
    return e;
}

err_t q_rows_v(q_conn *c, arena_t *ar, const char *sql, const q_field *f, size_t nf, size_t elem,
               void **out, size_t *nout, const q_val *v, size_t n)
{
    q_stmt *st = q_prep(c, sql);
    q_bind(st, v, n);
    return q_collect_f(st, ar, f, nf, elem, out, nout);
}

err_t q_row_int_v(q_conn *c, const char *sql, int64_t *out, const q_val *v, size_t n)
{
    q_stmt *st = q_prep(c, sql);
    q_bind(st, v, n);
    err_t e = q_step(st);
    if (e == ERR_OK)
        *out = q_col_int(st, 0);
    q_done(st);
    return e;
}

err_t q_must_v(q_conn *c, const char *sql, const q_val *v, size_t n)
{
    int64_t changed = 0;
    err_t e = q_run_v(c, sql, &changed, v, n);
    return e == ERR_OK && changed == 0 ? ERR_NOT_FOUND : e;
}

err_t q_write_v(store_t *s, const char *sql, bool must_change, const q_val *v, size_t n)
{
    q_conn *c = NULL;
    err_t e = q_get(s, &c);
    if (e == ERR_OK)
        e = must_change ? q_must_v(c, sql, v, n) : q_run_v(c, sql, NULL, v, n);
    q_put(c);
    return e;
}

err_t q_one_v(store_t *s, arena_t *ar, const char *sql, const q_field *f, size_t nf, void *out,
              const q_val *v, size_t n)
{
    q_conn *c = NULL;
    err_t e = q_get(s, &c);
    if (e == ERR_OK)
        e = q_row_v(c, ar, sql, f, nf, out, v, n);
    q_put(c);
    return e;
}

err_t q_list_v(store_t *s, arena_t *ar, const char *sql, const q_field *f, size_t nf, size_t elem,
               void **out, size_t *nout, const q_val *v, size_t n)
{
    q_conn *c = NULL;
    err_t e = q_get(s, &c);
    *out = NULL;
    *nout = 0;
    if (e == ERR_OK)
        e = q_rows_v(c, ar, sql, f, nf, elem, out, nout, v, n);
    q_put(c);
    return e;
}

err_t q_one_int_v(store_t *s, const char *sql, int64_t *out, const q_val *v, size_t n)
{
    q_conn *c = NULL;
    err_t e = q_get(s, &c);
    if (e == ERR_OK)
        e = q_row_int_v(c, sql, out, v, n);
    q_put(c);
    return e;
}

/* ---- the drivers' pools ----------------------------------------------------------- */

err_t q_pool_init(q_pool *p, unsigned cap)
{
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->n = 0;
    p->idle = calloc(cap ? cap : 1, sizeof *p->idle);
    return p->idle ? ERR_OK : ERR_NOMEM;
}

void q_pool_free(q_pool *p)
{
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->idle);
}

q_conn *q_pool_take(q_pool *p)
{
    pthread_mutex_lock(&p->mu);
    if (p->n == 0) { /* every connection is out: GET /metrics counts the wait */
        uint64_t t0 = metrics_now_ns();
        while (p->n == 0)
            pthread_cond_wait(&p->cv, &p->mu);
        metrics_pool_wait(metrics_now_ns() - t0);
    }
    q_conn *c = p->idle[--p->n];
    pthread_mutex_unlock(&p->mu);
    return c;
}

void q_pool_give(q_pool *p, q_conn *c)
{
    pthread_mutex_lock(&p->mu);
    p->idle[p->n++] = c;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

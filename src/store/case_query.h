/* Internal to the stores: the SQL of a case list, built for the filters
 * actually given, so that each engine plans the query with the indexes that
 * fit (a catch-all "? IS NULL OR ..." query defeats them at a million
 * cases). Integers are written into the text as literals; text values are
 * bound as parameters ($N, for q_prep_dyn on either engine). */
#ifndef ADUAN_CASE_QUERY_H
#define ADUAN_CASE_QUERY_H

#include "store/q.h"
#include "store/store.h"

#include <stdbool.h>

#define CQ_SQL_MAX  4096
#define CQ_TEXT_MAX 8
/* A user's agencies written into one list; more than this and the scope
 * is checked by a subquery instead. */
#define CQ_AGENCIES_MAX 32

typedef struct {
    char sql[CQ_SQL_MAX];
    size_t len;
    const char *text[CQ_TEXT_MAX]; /* bound parameters, in order */
    int ntext;
    bool overflow; /* the text did not fit: ERR_INTERNAL */
    /* Order by an expression, not the indexed column: PostgreSQL would
     * otherwise walk the primary key backwards hoping to meet matches of a
     * date range or text search soon (it assumes ids and dates unrelated),
     * and read most of the table when they are old or rare. Sorting the
     * matches found by their own index is bounded by their number. */
    bool order_by_expr;
} cq_t;

void cq_init(cq_t *q);
/* Appends literal SQL. */
void cq_sql(cq_t *q, const char *s);
/* Appends an integer literal. */
void cq_int(cq_t *q, int64_t v);
/* Appends a placeholder bound to s. */
void cq_text(cq_t *q, const char *s);

/* The scope of a user: *all when a role in agency 0 (superadmin) makes
 * every agency visible; otherwise ids[0..*n) (at most CQ_AGENCIES_MAX; *n
 * may be 0: nothing visible). */
typedef struct {
    bool all;
    int64_t ids[CQ_AGENCIES_MAX];
    size_t n;
    bool many; /* more than CQ_AGENCIES_MAX: use a subquery */
    /* A field officer's view whose teams have few cases (cq_field_probe):
     * listed from the ids of those cases, not by walking the agency's. */
    bool field_sparse;
} cq_scope;

/* Fills sc with the agencies user_id may see (0: every agency). */
err_t cq_user_scope(q_conn *c, arena_t *ar, int64_t user_id, cq_scope *sc) STORE_WUR;

/* A field officer's teams with fewer cases than this are listed from their
 * own index: SQLite plans one way for every team, and would walk all the
 * agency's newest cases to fill a page of a small team (0.1 s at 300,000
 * cases). A bigger team fills its page from the agency's newest cases at
 * once, where collecting all its ids would be the slow way. */
#define CQ_FIELD_SPARSE 2000

/* Writes the query that counts (up to CQ_FIELD_SPARSE) the cases of f's
 * field teams, for scope->field_sparse; false when no count is needed (no
 * field view, no team, or the view also shows other agencies). */
bool cq_field_probe(cq_t *q, const store_case_filter *f, const cq_scope *scope);

/* Appends " AND ..." for every filter of f but the text search, with the
 * scope (NULL: none), then the order and limit: newest first below
 * f->before_id, or oldest first above f->after_id. order_col names the
 * column to order by (e.g. "c.id", or the FTS rowid). */
void cq_case_filters(cq_t *q, const store_case_filter *f, const cq_scope *scope,
                     const char *order_col);
/* The two halves of cq_case_filters: the conditions, and the order with
 * a limit. */
void cq_case_where(cq_t *q, const store_case_filter *f, const cq_scope *scope,
                   const char *order_col);
void cq_case_order(cq_t *q, const store_case_filter *f, const char *order_col, int64_t limit);

#endif

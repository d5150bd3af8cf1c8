/* The SQL of a case list for the filters given (see case_query.h). */
#include "store/case_query.h"

#include <stdio.h>
#include <string.h>

void cq_init(cq_t *q) { memset(q, 0, sizeof *q); }

void cq_sql(cq_t *q, const char *s)
{
    size_t n = strlen(s);
    if (q->overflow || q->len + n + 1 > sizeof q->sql) {
        q->overflow = true;
        return;
    }
    memcpy(q->sql + q->len, s, n + 1);
    q->len += n;
}

void cq_int(cq_t *q, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    cq_sql(q, buf);
}

void cq_text(cq_t *q, const char *s)
{
    char buf[16];
    if (q->ntext >= CQ_TEXT_MAX) {
        q->overflow = true;
        return;
    }
    q->text[q->ntext++] = s;
    snprintf(buf, sizeof buf, "$%d", q->ntext);
    cq_sql(q, buf);
}

static void eq_id(cq_t *q, const char *col, int64_t v)
{
    if (!v)
        return;
    cq_sql(q, " AND ");
    cq_sql(q, col);
    cq_sql(q, " = ");
    cq_int(q, v);
    cq_sql(q, "{INT8}"); /* into the GIN index beside the words (migration 0021) */
}

static void eq_text(cq_t *q, const char *col, const char *v)
{
    if (!v)
        return;
    cq_sql(q, " AND ");
    cq_sql(q, col);
    cq_sql(q, " = ");
    cq_text(q, v);
}

static void scope_sql(cq_t *q, const cq_scope *sc, int64_t user_id)
{
    if (!sc || sc->all)
        return;
    if (sc->many) {
        cq_sql(q, " AND c.agency_id IN (SELECT agency_id FROM user_roles WHERE user_id = ");
        cq_int(q, user_id);
        cq_sql(q, ")");
        return;
    }
    if (sc->n == 0) {
        cq_sql(q, " AND 1 = 0");
        return;
    }
    if (sc->n == 1) {
        eq_id(q, "c.agency_id", sc->ids[0]);
        return;
    }
    cq_sql(q, " AND c.agency_id IN (");
    for (size_t i = 0; i < sc->n; i++) {
        if (i)
            cq_sql(q, ", ");
        cq_int(q, sc->ids[i]);
    }
    cq_sql(q, ")");
}

static void id_list(cq_t *q, const int64_t *ids, size_t n)
{
    if (n > STORE_FIELD_MAX) {
        q->overflow = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (i)
            cq_sql(q, ", ");
        cq_int(q, ids[i]);
    }
}

static bool in_list(int64_t v, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == v)
            return true;
    return false;
}

/* True when the query may see an agency outside the field agencies. */
static bool beyond_field(const store_case_filter *f, const cq_scope *sc)
{
    if (f->agency_id)
        return !in_list(f->agency_id, f->field_agencies, f->nfield_agencies);
    if (!sc || sc->all || sc->many)
        return true;
    for (size_t i = 0; i < sc->n; i++)
        if (!in_list(sc->ids[i], f->field_agencies, f->nfield_agencies))
            return true;
    return false;
}

#define OPEN_STATUSES "('received', 'verified', 'dispatched', 'in_progress', 'on_hold', 'reopened')"

bool cq_field_probe(cq_t *q, const store_case_filter *f, const cq_scope *scope)
{
    if (!f->nfield_agencies || !f->nfield_teams || beyond_field(f, scope))
        return false;
    cq_sql(q, "SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE team_id IN (");
    id_list(q, f->field_teams, f->nfield_teams);
    cq_sql(q, ") LIMIT ");
    cq_int(q, CQ_FIELD_SPARSE);
    cq_sql(q, ") x");
    return true;
}

/* A field officer's view (issue 13): in their field agencies only their
 * teams' cases and the open emergencies. Teams with few cases: the ids of
 * those and of the open emergencies, each from its own index (cases_team,
 * and the partial cases_open_emergency of migration 0016, whose predicate
 * is OPEN_STATUSES as written here). Otherwise an OR that the agency's
 * newest cases are checked against. */
static void field_sql(cq_t *q, const store_case_filter *f, const cq_scope *sc)
{
    if (!f->nfield_agencies)
        return;
    bool beyond = beyond_field(f, sc);
    if (sc && sc->field_sparse && f->nfield_teams && !beyond) {
        cq_sql(q, " AND c.id IN (SELECT id FROM cases WHERE team_id IN (");
        id_list(q, f->field_teams, f->nfield_teams);
        cq_sql(q, ") UNION ALL SELECT id FROM cases WHERE agency_id IN (");
        id_list(q, f->field_agencies, f->nfield_agencies);
        cq_sql(q, ") AND kind = 'emergency' AND status IN " OPEN_STATUSES ")");
        return;
    }
    cq_sql(q, " AND (");
    if (f->nfield_teams) {
        cq_sql(q, "c.team_id IN (");
        id_list(q, f->field_teams, f->nfield_teams);
        cq_sql(q, ") OR ");
    }
    cq_sql(q, "(c.agency_id IN (");
    id_list(q, f->field_agencies, f->nfield_agencies);
    cq_sql(q, ") AND c.kind = 'emergency' AND c.status IN " OPEN_STATUSES ")");
    /* Only for someone who also has another role elsewhere: their other
     * agencies' cases stay visible. */
    if (beyond) {
        cq_sql(q, " OR c.agency_id NOT IN (");
        id_list(q, f->field_agencies, f->nfield_agencies);
        cq_sql(q, ")");
    }
    cq_sql(q, ")");
}

void cq_case_filters(cq_t *q, const store_case_filter *f, const cq_scope *scope,
                     const char *order_col)
{
    cq_case_where(q, f, scope, order_col);
    cq_case_order(q, f, order_col, f->limit ? f->limit : 50);
}

void cq_case_where(cq_t *q, const store_case_filter *f, const cq_scope *scope,
                   const char *order_col)
{
    scope_sql(q, scope, f->scope_user_id);
    eq_id(q, "c.agency_id", f->agency_id);
    eq_id(q, "c.category_id", f->category_id);
    eq_id(q, "c.team_id", f->team_id);
    eq_text(q, "c.status", f->status);
    eq_text(q, "c.kecamatan_code", f->kecamatan_code);
    eq_text(q, "c.channel", f->channel);
    field_sql(q, f, scope);
    if (f->lapor == STORE_LAPOR_TODO) /* the worklist: cases_lapor_todo's rows */
        cq_sql(q, " AND c.lapor_marked_at IS NOT NULL AND c.lapor_tracking_id IS NULL");
    else if (f->lapor)
        cq_sql(q, f->lapor > 0 ? " AND c.lapor_tracking_id IS NOT NULL"
                               : " AND c.lapor_tracking_id IS NULL");
    eq_text(q, "c.lapor_class", f->lapor_class);
    if (f->assignee_id > 0)
        eq_id(q, "c.assignee_id", f->assignee_id);
    else if (f->assignee_id < 0)
        cq_sql(q, " AND c.assignee_id IS NULL");
    if (f->from) {
        cq_sql(q, " AND c.created_at >= ");
        cq_int(q, f->from);
    }
    if (f->to) {
        cq_sql(q, " AND c.created_at < ");
        cq_int(q, f->to);
    }
    bool ascending = f->after_id > 0;
    if (ascending) {
        cq_sql(q, " AND ");
        cq_sql(q, order_col);
        cq_sql(q, " > ");
        cq_int(q, f->after_id);
    } else if (f->before_id) {
        cq_sql(q, " AND ");
        cq_sql(q, order_col);
        cq_sql(q, " < ");
        cq_int(q, f->before_id);
    }
}

void cq_case_order(cq_t *q, const store_case_filter *f, const char *order_col, int64_t limit)
{
    cq_sql(q, " ORDER BY ");
    cq_sql(q, order_col);
    if (q->order_by_expr)
        cq_sql(q, " + 0");
    cq_sql(q, f->after_id > 0 || f->oldest_first ? " ASC LIMIT " : " DESC LIMIT ");
    cq_int(q, limit);
}

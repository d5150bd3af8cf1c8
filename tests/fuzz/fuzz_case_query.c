/* The case list's query parameters (GET /api/v1/cases?status=...&q=...),
 * as the API reads them (http/api.c list_filter) and runs them (the SQL
 * built by store/case_query.c, on a throwaway SQLite with the demo).
 *
 * Input: a query string, e.g. "status=received&q=pasar&limit=20". It is
 * split and percent-decoded as libmicrohttpd does, and handed to the API
 * through MHD_lookup_connection_value, which this file replaces. Each
 * input runs for three users: the superadmin, an agency's admin and its
 * read-only viewer.
 * seeds: tests/fuzz/corpus/case_query
 */
#include "fuzz.h"

#include "core/arena.h"
#include "http/http.h"

#include <microhttpd.h>

#define ARGS_MAX 64

typedef struct {
    char *key[ARGS_MAX], *value[ARGS_MAX];
    int n;
} args_t;

/* The request's arguments, instead of libmicrohttpd's: the API reads them
 * only through this function, with the connection as the handle. */
const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                        const char *key)
{
    const args_t *a = (const args_t *)connection;
    if (kind != MHD_GET_ARGUMENT_KIND || !a || !key)
        return NULL;
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->key[i], key) == 0)
            return a->value[i];
    return NULL;
}

static int hex(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* %XX and '+' decoded in place; a decoded NUL ends the C string there, as
 * it does for the server. */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
            *o++ = (char)(hex(p[1]) * 16 + hex(p[2]));
            p += 2;
        } else {
            *o++ = *p == '+' ? ' ' : *p;
        }
    }
    *o = '\0';
}

static void parse(char *q, args_t *a)
{
    a->n = 0;
    for (char *p = q; p && *p && a->n < ARGS_MAX;) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(p, '=');
        if (eq)
            *eq = '\0';
        a->key[a->n] = p;
        a->value[a->n] = eq ? eq + 1 : p + strlen(p);
        unescape(a->key[a->n]);
        unescape(a->value[a->n]);
        a->n++;
        p = amp ? amp + 1 : NULL;
    }
}

typedef struct {
    store_user user;
    store_role *roles;
    size_t nroles;
} who_t;

static who_t users[3];
static store_t *db;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    db = fuzz_store();
    static const char *const logins[] = {"superadmin", "admin.satpolpp", "pimpinan.satpolpp"};
    static arena_t *keep;
    keep = arena_new();
    for (int i = 0; i < 3; i++)
        if (store_user_by_login(db, keep, logins[i], &users[i].user) != ERR_OK ||
            store_user_roles(db, keep, users[i].user.id, &users[i].roles, &users[i].nroles) !=
                ERR_OK)
            abort();
    return 0;
}

/* What a list may hold for this user and these filters. */
static void check(const req_t *r, const store_case_filter *f, const store_case *c, size_t n)
{
    if (n > f->limit)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (actor_role(&r->actor, c[i].agency_id) < 0)
            abort(); /* another agency's case */
        if ((f->status && strcmp(c[i].status, f->status) != 0) ||
            (f->agency_id && c[i].agency_id != f->agency_id) ||
            (f->category_id && c[i].category_id != f->category_id) ||
            (f->before_id && c[i].id >= f->before_id) || (f->after_id && c[i].id <= f->after_id) ||
            (f->from && c[i].created_at < f->from) || (f->to && c[i].created_at >= f->to))
            abort();
        if (i && (f->after_id ? c[i].id <= c[i - 1].id : c[i].id >= c[i - 1].id))
            abort(); /* the order the cursor relies on */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return -1;
    for (int u = 0; u < 3; u++) {
        char *q = fuzz_cstr(data, size);
        args_t a;
        parse(q, &a);
        app_t app = {0};
        app.store = db;
        req_t r;
        memset(&r, 0, sizeof r);
        r.conn = (struct MHD_Connection *)&a;
        r.ar = arena_new();
        r.lang = "id";
        r.authed = true;
        r.user = users[u].user;
        r.roles = users[u].roles;
        r.nroles = users[u].nroles;
        r.actor = (actor_t){r.user.id, r.roles, r.nroles};
        store_case_filter f;
        err_t e = list_filter(&app, &r, &f);
        if (e == ERR_OK) {
            store_case *cases = NULL;
            size_t n = 0;
            e = store_case_list(db, r.ar, &f, &cases, &n);
            if (e != ERR_OK)
                abort(); /* a filter the API accepted must run */
            check(&r, &f, cases, n);
        } else if (!r.detail && e != ERR_BAD_UTF8) {
            abort(); /* every refusal says why */
        }
        arena_destroy(r.ar);
        free(q);
    }
    return 0;
}

/* The admin API: staff accounts and their roles, categories, and canned
 * replies. An agency admin acts only within the agencies where they are
 * admin; the superadmin everywhere. Every change is checked here, before
 * the store sees it, and logged without personal data. */
#include "core/msg.h"
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/report.h"

#include <stdlib.h>
#include <string.h>

#define TITLE_MAX    100  /* code points */
#define REPLY_MAX    2000 /* a WhatsApp message stays readable */
#define NAME_MAX_CP  120
#define LABEL_MAX_CP 120
#define LOGIN_MAX    64
#define SLA_MAX      (24 * 365)

static bool is_admin_of(const req_t *r, int64_t agency_id)
{
    int role = actor_role(&r->actor, agency_id);
    return role == ROLE_ADMIN || role == ROLE_SUPERADMIN;
}

/* The agency an admin request acts on: the one given, else the admin's only
 * agency. ERR_FORBIDDEN when the user is not admin there. */
static err_t target_agency(req_t *r, int64_t given, int64_t *out)
{
    int64_t a = given ? given : actor_single_agency(&r->actor);
    if (!a)
        return refuse(r, ERR_INVALID, "agency_id: required (you act in several agencies)");
    if (!is_admin_of(r, a))
        return refuse(r, ERR_FORBIDDEN, "you are not an admin of this agency");
    *out = a;
    return ERR_OK;
}

/* A required or optional text field: trimmed length 1..max code points. */
static err_t text_field(req_t *r, json_t *body, const char *key, size_t max, bool required,
                        const char **out)
{
    const char *v = NULL;
    err_t e = jfield_str(r, body, key, &v);
    if (e != ERR_OK)
        return e;
    if (!v) {
        if (required)
            r->detail = arena_printf(r->ar, msg_lang(r->lang, "%s: required"), key);
        return required ? ERR_INVALID : ERR_OK;
    }
    const char *start;
    size_t len = text_trim(v, &start);
    char *t = arena_strndup(r->ar, start, len);
    if (!t)
        return ERR_NOMEM;
    size_t cp = text_utf8_len(t);
    if (cp == 0 || cp > max) {
        r->detail = arena_printf(r->ar, msg_lang(r->lang, "%s: 1 to %zu characters"), key, max);
        return ERR_INVALID;
    }
    if (strchr(t, '\0') != t + len) {
        r->detail = arena_printf(r->ar, msg_lang(r->lang, "%s: no NUL characters"), key);
        return ERR_INVALID;
    }
    *out = t;
    return ERR_OK;
}

/* Query argument "agency" as an id. */
static err_t query_agency(req_t *r, int64_t *out)
{
    *out = 0;
    return query_id(r, "agency", out);
}

/* ---- canned replies ------------------------------------------------------- */

static json_t *canned_json(const store_canned_reply *c)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)c->id, "agency_id",
                     (json_int_t)c->agency_id, "title", c->title, "body", c->body, "lang", c->lang,
                     "updated_at", json_time(c->updated_at));
}

err_t h_canned_list(app_t *app, req_t *r)
{
    /* Everyone of the agency reads them: operators answer with them (the
     * router checked the role in ?agency=). */
    int64_t agency = r->scope.agency_id;
    store_canned_reply *v;
    size_t n;
    err_t e = store_canned_list(app->store, r->ar, agency, &v, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items, canned_json(&v[i]));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static err_t canned_fields(req_t *r, json_t *body, store_canned_reply *c)
{
    const char *lang = NULL;
    err_t e = text_field(r, body, "title", TITLE_MAX, true, &c->title);
    if (e == ERR_OK)
        e = text_field(r, body, "body", REPLY_MAX, true, &c->body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "lang", &lang);
    if (e != ERR_OK)
        return e;
    if (lang && strcmp(lang, "id") && strcmp(lang, "en"))
        return refuse(r, ERR_INVALID, "lang: id or en");
    c->lang = lang ? lang : "id";
    return ERR_OK;
}

static err_t canned_reply_saved(req_t *r, err_t e, const store_canned_reply *c, unsigned status)
{
    if (e == ERR_CONFLICT)
        return refuse(r, e, "title: the agency already has a canned reply with this title");
    if (e != ERR_OK)
        return e;
    log_info("admin", "event=canned_saved id=%lld agency_id=%lld user_id=%lld", (long long)c->id,
             (long long)c->agency_id, (long long)r->user.id);
    return reply_json(r, status, canned_json(c));
}

err_t h_canned_create(app_t *app, req_t *r)
{
    json_t *body;
    int64_t agency = 0;
    store_canned_reply c = {0};
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "agency_id", &agency);
    if (e == ERR_OK)
        e = target_agency(r, agency, &c.agency_id);
    if (e == ERR_OK)
        e = canned_fields(r, body, &c);
    if (e != ERR_OK)
        return e;
    e = store_canned_put(app->store, &c, r->user.id, clock_now());
    return canned_reply_saved(r, e, &c, 201);
}

/* The canned reply of the path (its admin's: checked by the router). */
static err_t canned_of_path(app_t *app, req_t *r, store_canned_reply *c)
{
    (void)app;
    *c = r->scope.canned;
    return ERR_OK;
}

err_t h_canned_update(app_t *app, req_t *r)
{
    json_t *body;
    store_canned_reply c;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = canned_of_path(app, r, &c);
    if (e == ERR_OK)
        e = canned_fields(r, body, &c);
    if (e != ERR_OK)
        return e;
    e = store_canned_put(app->store, &c, r->user.id, clock_now());
    return canned_reply_saved(r, e, &c, 200);
}

err_t h_canned_delete(app_t *app, req_t *r)
{
    store_canned_reply c;
    err_t e = canned_of_path(app, r, &c);
    if (e == ERR_OK)
        e = store_canned_delete(app->store, c.id);
    if (e != ERR_OK)
        return e;
    log_info("admin", "event=canned_deleted id=%lld user_id=%lld", (long long)c.id,
             (long long)r->user.id);
    return reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)c.id, "deleted", 1));
}

/* ---- staff accounts ------------------------------------------------------- */

static json_t *user_json(const store_user *u, const store_role *roles, size_t n)
{
    json_t *rs = json_array();
    for (size_t i = 0; rs && i < n; i++)
        json_array_append_new(rs, json_pack("{s:I, s:s?, s:s}", "agency_id",
                                            (json_int_t)roles[i].agency_id, "agency_name",
                                            roles[i].agency_name, "role", roles[i].role));
    return json_pack("{s:I, s:s, s:s, s:b, s:s?, s:o, s:o}", "id", (json_int_t)u->id, "login",
                     u->login, "name", u->name, "disabled", u->disabled, "mobile", u->mobile,
                     "locked_until", u->locked_until ? json_time(u->locked_until) : json_null(),
                     "roles", rs);
}

/* True when the user has a role in agency (any agency when 0). */
static bool has_role_in(const store_role *roles, size_t n, int64_t agency)
{
    for (size_t i = 0; i < n; i++)
        if (!agency || roles[i].agency_id == agency)
            return true;
    return false;
}

err_t h_admin_users(app_t *app, req_t *r)
{
    int64_t agency;
    store_user *u;
    size_t n;
    err_t e = query_agency(r, &agency);
    if (e != ERR_OK)
        return e;
    if (!agency && !actor_is_superadmin(&r->actor))
        agency = actor_single_agency(&r->actor);
    if (!agency && !actor_is_superadmin(&r->actor))
        return refuse(r, ERR_INVALID, "agency: required (you act in several agencies)");
    if (agency && !is_admin_of(r, agency))
        return refuse(r, ERR_FORBIDDEN, "you are not an admin of this agency");
    e = store_user_list(app->store, r->ar, &u, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        store_role *roles;
        size_t nr;
        e = store_user_roles(app->store, r->ar, u[i].id, &roles, &nr);
        if (e != ERR_OK) {
            json_decref(items);
            return e;
        }
        if (agency && !has_role_in(roles, nr, agency))
            continue;
        json_array_append_new(items, user_json(&u[i], roles, nr));
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The role and agency of a request body, checked against the actor. */
static err_t role_fields(req_t *r, json_t *body, const char **role, int64_t *agency)
{
    int64_t given = 0;
    err_t e = jfield_str(r, body, "role", role);
    if (e == ERR_OK)
        e = jfield_id(r, body, "agency_id", &given);
    if (e != ERR_OK || !*role)
        return e;
    int rp = role_parse(*role);
    if (rp < 0)
        return refuse(r, ERR_INVALID, "role: admin, supervisor, field, viewer or superadmin");
    if (rp == ROLE_SUPERADMIN) {
        if (!actor_is_superadmin(&r->actor))
            return refuse(r, ERR_FORBIDDEN, "only the superadmin makes a superadmin");
        if (given)
            return refuse(r, ERR_INVALID, "agency_id: not with the superadmin role");
        *agency = 0;
        return ERR_OK;
    }
    return target_agency(r, given, agency);
}

static err_t mobile_field(req_t *r, json_t *body, bool *present, const char **wa)
{
    json_t *v = json_object_get(body, "wa");
    *present = v != NULL;
    *wa = NULL;
    if (!v || json_is_null(v))
        return ERR_OK;
    if (!json_is_string(v))
        return refuse(r, ERR_INVALID, "wa: a mobile number as text, or null");
    char *num = arena_alloc(r->ar, 32);
    bool mobile = false;
    if (!num)
        return ERR_NOMEM;
    if (text_phone_normalize(json_string_value(v), num, 32, &mobile) != 0 || !mobile)
        return refuse(r, ERR_INVALID, "wa: not a mobile number");
    *wa = num;
    return ERR_OK;
}

static err_t reply_user(app_t *app, req_t *r, int64_t id, unsigned status)
{
    store_user u;
    store_role *roles;
    size_t n;
    err_t e = store_user_get(app->store, r->ar, id, &u);
    if (e == ERR_OK)
        e = store_user_roles(app->store, r->ar, id, &roles, &n);
    if (e != ERR_OK)
        return e;
    return reply_json(r, status, user_json(&u, roles, n));
}

static bool login_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > LOGIN_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

err_t h_admin_user_create(app_t *app, req_t *r)
{
    json_t *body;
    const char *login = NULL, *name = NULL, *password = NULL, *role = NULL, *wa = NULL;
    int64_t agency = 0, id;
    bool has_wa;
    char hash[SECRET_HASH_BUF];
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "login", &login);
    if (e == ERR_OK)
        e = text_field(r, body, "name", NAME_MAX_CP, true, &name);
    if (e == ERR_OK)
        e = jfield_str(r, body, "password", &password);
    if (e == ERR_OK)
        e = role_fields(r, body, &role, &agency);
    if (e == ERR_OK)
        e = mobile_field(r, body, &has_wa, &wa);
    if (e != ERR_OK)
        return e;
    if (!login || !login_ok(login))
        return refuse(r, ERR_INVALID, "login: 3 to 64 of a-z, 0-9, '.', '_', '-'");
    if (!role)
        return refuse(r, ERR_INVALID, "role: required");
    size_t pl = password ? strlen(password) : 0;
    if (pl < SECRET_PASSWORD_MIN || pl > SECRET_PASSWORD_MAX)
        return refuse(r, ERR_INVALID, "password: 8 to 256 characters");
    e = secret_password_hash(password, hash);
    if (e == ERR_OK)
        e = store_user_create(app->store, login, name, hash, clock_now(), &id);
    if (e == ERR_CONFLICT)
        return refuse(r, e, "login: already taken");
    if (e == ERR_OK)
        e = store_user_set_role(app->store, id, agency, role);
    if (e == ERR_OK && wa)
        e = store_user_set_mobile(app->store, id, wa);
    if (e == ERR_CONFLICT)
        return refuse(r, e, "wa: another user has this number");
    if (e != ERR_OK)
        return e;
    log_info("admin", "event=user_created user=%lld role=%s agency_id=%lld by=%lld", (long long)id,
             role, (long long)agency, (long long)r->user.id);
    return reply_user(app, r, id, 201);
}

err_t h_admin_user_update(app_t *app, req_t *r)
{
    json_t *body;
    store_user u;
    store_role *roles;
    size_t nr;
    const char *role = NULL, *wa = NULL;
    int64_t agency = 0;
    bool has_wa, has_disabled = false, disabled = false;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = store_user_get(app->store, r->ar, r->path_id, &u);
    if (e == ERR_NOT_FOUND)
        return refuse(r, e, "no such user");
    if (e == ERR_OK)
        e = store_user_roles(app->store, r->ar, u.id, &roles, &nr);
    if (e != ERR_OK)
        return e;
    /* An admin manages the users of their agencies, and never a superadmin. */
    bool allowed = actor_is_superadmin(&r->actor);
    for (size_t i = 0; !allowed && i < nr; i++)
        allowed = roles[i].agency_id && is_admin_of(r, roles[i].agency_id);
    for (size_t i = 0; allowed && !actor_is_superadmin(&r->actor) && i < nr; i++)
        if (roles[i].agency_id == 0)
            allowed = false;
    if (!allowed)
        return refuse(r, ERR_FORBIDDEN, "this user is not of an agency you administer");
    if (json_object_get(body, "disabled")) {
        has_disabled = true;
        e = jfield_bool(r, body, "disabled", &disabled);
    }
    if (e == ERR_OK)
        e = role_fields(r, body, &role, &agency);
    if (e == ERR_OK)
        e = mobile_field(r, body, &has_wa, &wa);
    if (e != ERR_OK)
        return e;
    if (!has_disabled && !role && !has_wa)
        return refuse(r, ERR_INVALID, "nothing to change: disabled, role (with agency_id), wa");
    if (u.id == r->user.id && has_disabled && disabled)
        return refuse(r, ERR_CONFLICT, "you cannot disable yourself");
    if (has_wa) {
        e = store_user_set_mobile(app->store, u.id, wa);
        if (e == ERR_CONFLICT)
            return refuse(r, e, "wa: another user has this number");
    }
    if (e == ERR_OK && role)
        e = store_user_set_role(app->store, u.id, agency, role);
    if (e == ERR_OK && has_disabled)
        e = store_user_set_disabled(app->store, u.id, disabled);
    if (e != ERR_OK)
        return e;
    log_info("admin", "event=user_changed user=%lld disabled=%d role=%s by=%lld", (long long)u.id,
             has_disabled ? (int)disabled : -1, role ? role : "-", (long long)r->user.id);
    return reply_user(app, r, u.id, 200);
}

/* ---- categories ----------------------------------------------------------- */

static json_t *category_json(const store_category *k)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:i, s:b}", "id", (json_int_t)k->id,
                     "agency_id", (json_int_t)k->agency_id, "code", k->code, "name_id", k->name_id,
                     "name_en", k->name_en, "kind", k->kind, "sla_hours", k->sla_hours, "active",
                     k->active);
}

static err_t sla_field(req_t *r, json_t *body, bool required, int *out)
{
    json_t *v = json_object_get(body, "sla_hours");
    if (!v || json_is_null(v))
        return required ? refuse(r, ERR_INVALID, "sla_hours: required") : ERR_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > SLA_MAX)
        return refuse(r, ERR_INVALID, "sla_hours: 1 to 8760");
    *out = (int)json_integer_value(v);
    return ERR_OK;
}

static bool code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

err_t h_admin_category_create(app_t *app, req_t *r)
{
    json_t *body;
    int64_t agency = 0;
    store_category k = {.active = true};
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "agency_id", &agency);
    if (e == ERR_OK)
        e = target_agency(r, agency, &k.agency_id);
    if (e == ERR_OK)
        e = jfield_str(r, body, "code", &k.code);
    if (e == ERR_OK)
        e = jfield_str(r, body, "kind", &k.kind);
    if (e == ERR_OK)
        e = text_field(r, body, "name_id", LABEL_MAX_CP, true, &k.name_id);
    if (e == ERR_OK)
        e = text_field(r, body, "name_en", LABEL_MAX_CP, true, &k.name_en);
    if (e == ERR_OK)
        e = sla_field(r, body, true, &k.sla_hours);
    if (e != ERR_OK)
        return e;
    if (!k.code || !code_ok(k.code))
        return refuse(r, ERR_INVALID, "code: 2 to 40 of a-z, 0-9, '_'");
    if (!k.kind || kind_parse(k.kind) < 0)
        return refuse(r, ERR_INVALID, "kind: complaint, service or emergency");
    e = store_category_create(app->store, &k, &k.id);
    if (e == ERR_CONFLICT)
        return refuse(r, e, "code: the agency already has a category with this code");
    if (e != ERR_OK)
        return e;
    log_info("admin", "event=category_created id=%lld agency_id=%lld by=%lld", (long long)k.id,
             (long long)k.agency_id, (long long)r->user.id);
    return reply_json(r, 201, category_json(&k));
}

err_t h_admin_category_update(app_t *app, req_t *r)
{
    json_t *body;
    store_category k = r->scope.category; /* its admin's: checked by the router */
    err_t e = req_json_body(r, &body);
    if (e != ERR_OK)
        return e;
    e = text_field(r, body, "name_id", LABEL_MAX_CP, false, &k.name_id);
    if (e == ERR_OK)
        e = text_field(r, body, "name_en", LABEL_MAX_CP, false, &k.name_en);
    if (e == ERR_OK)
        e = sla_field(r, body, false, &k.sla_hours);
    if (e == ERR_OK)
        e = jfield_bool(r, body, "active", &k.active);
    if (e != ERR_OK)
        return e;
    e = store_category_update(app->store, &k);
    if (e != ERR_OK)
        return e;
    log_info("admin", "event=category_changed id=%lld by=%lld", (long long)k.id,
             (long long)r->user.id);
    return reply_json(r, 200, category_json(&k));
}

/* ---- teams ---------------------------------------------------------------- */

/* The base location: both of lat and lon, or null for none; inside the
 * range of the Earth's coordinates. */
static err_t base_fields(req_t *r, json_t *body, store_team *t, bool *present)
{
    json_t *b = json_object_get(body, "base");
    *present = b != NULL;
    if (!b)
        return ERR_OK;
    if (json_is_null(b)) {
        t->has_base = false;
        return ERR_OK;
    }
    bool hl = false, hn = false;
    err_t e = json_is_object(b) ? ERR_OK : refuse(r, ERR_INVALID, "base: {lat, lon} or null");
    if (e == ERR_OK)
        e = jfield_num(r, b, "lat", &t->base_lat, &hl);
    if (e == ERR_OK)
        e = jfield_num(r, b, "lon", &t->base_lon, &hn);
    if (e != ERR_OK)
        return e;
    if (!hl || !hn || t->base_lat < -90 || t->base_lat > 90 || t->base_lon < -180 ||
        t->base_lon > 180)
        return refuse(r, ERR_INVALID, "base: lat -90..90 and lon -180..180");
    t->has_base = true;
    return ERR_OK;
}

static json_t *team_json(const store_team *t)
{
    json_t *j = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)t->id, "agency_id",
                          (json_int_t)t->agency_id, "name", t->name);
    if (j)
        json_object_set_new(j, "base",
                            t->has_base
                                ? json_pack("{s:f, s:f}", "lat", t->base_lat, "lon", t->base_lon)
                                : json_null());
    return j;
}

err_t h_admin_team_create(app_t *app, req_t *r)
{
    json_t *body;
    int64_t agency = 0;
    bool has_base;
    store_team t = {0};
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "agency_id", &agency);
    if (e == ERR_OK)
        e = target_agency(r, agency, &t.agency_id);
    if (e == ERR_OK)
        e = text_field(r, body, "name", LABEL_MAX_CP, true, &t.name);
    if (e == ERR_OK)
        e = base_fields(r, body, &t, &has_base);
    if (e != ERR_OK)
        return e;
    e = store_team_create(app->store, &t, clock_now(), &t.id);
    if (e == ERR_CONFLICT)
        return refuse(r, e, "name: the agency already has a team of this name");
    if (e != ERR_OK)
        return e;
    log_info("admin", "event=team_created id=%lld by=%lld", (long long)t.id, (long long)r->user.id);
    return reply_json(r, 201, team_json(&t));
}

/* The team of the path (its admin's: checked by the router). */
static err_t team_of_path(app_t *app, req_t *r, store_team *t)
{
    (void)app;
    *t = r->scope.team;
    return ERR_OK;
}

err_t h_admin_team_update(app_t *app, req_t *r)
{
    json_t *body;
    store_team t;
    bool has_base;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = team_of_path(app, r, &t);
    if (e == ERR_OK)
        e = text_field(r, body, "name", LABEL_MAX_CP, false, &t.name);
    if (e == ERR_OK)
        e = base_fields(r, body, &t, &has_base);
    if (e != ERR_OK)
        return e;
    e = store_team_update(app->store, &t);
    if (e == ERR_CONFLICT)
        return refuse(r, e, "name: the agency already has a team of this name");
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200, team_json(&t));
}

static err_t reply_members(app_t *app, req_t *r, const store_team *t)
{
    store_user *u;
    size_t n;
    err_t e = store_team_members(app->store, r->ar, t->id, &u, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)u[i].id, "login",
                                        u[i].login, "name", u[i].name, "disabled", u[i].disabled));
    json_t *j = team_json(t);
    if (j)
        json_object_set_new(j, "members", items);
    else
        json_decref(items);
    return reply_json(r, 200, j);
}

err_t h_admin_team_members(app_t *app, req_t *r)
{
    store_team t;
    err_t e = team_of_path(app, r, &t);
    return e == ERR_OK ? reply_members(app, r, &t) : e;
}

/* POST {"add": USER_ID} or {"remove": USER_ID}. */
err_t h_admin_team_member_set(app_t *app, req_t *r)
{
    json_t *body;
    store_team t;
    int64_t add = 0, remove = 0;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = team_of_path(app, r, &t);
    if (e == ERR_OK)
        e = jfield_id(r, body, "add", &add);
    if (e == ERR_OK)
        e = jfield_id(r, body, "remove", &remove);
    if (e != ERR_OK)
        return e;
    if (!add == !remove)
        return refuse(r, ERR_INVALID, "give one of add or remove (a user id)");
    if (add) {
        store_role *roles;
        size_t nr;
        e = store_user_roles(app->store, r->ar, add, &roles, &nr);
        if (e != ERR_OK)
            return e;
        bool same = false;
        for (size_t i = 0; i < nr; i++)
            same = same || roles[i].agency_id == t.agency_id;
        if (!same)
            return refuse(r, ERR_INVALID, "add: the user has no role in the team's agency");
        e = store_team_add_member(app->store, t.id, add);
    } else {
        e = store_team_remove_member(app->store, t.id, remove);
        if (e == ERR_NOT_FOUND)
            return refuse(r, e, "remove: the user is no member of this team");
    }
    if (e != ERR_OK)
        return e;
    return reply_members(app, r, &t);
}

/* ---- the agency's WhatsApp numbers ---------------------------------------- */

static err_t numbers_of(app_t *app, req_t *r, int64_t agency, unsigned status)
{
    const char *nums;
    err_t e = store_agency_numbers(app->store, r->ar, agency, &nums);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    char *list = arena_strdup(r->ar, nums), *save = NULL;
    for (char *tok = list ? strtok_r(list, ",", &save) : NULL; items && tok;
         tok = strtok_r(NULL, ",", &save))
        json_array_append_new(items, json_pack("{s:s}", "phone_number_id", tok));
    return reply_json(r, status,
                      json_pack("{s:I, s:o}", "agency_id", (json_int_t)agency, "items", items));
}

err_t h_admin_numbers(app_t *app, req_t *r)
{
    int64_t agency;
    err_t e = query_agency(r, &agency);
    if (e == ERR_OK)
        e = target_agency(r, agency, &agency);
    return e == ERR_OK ? numbers_of(app, r, agency, 200) : e;
}

err_t h_admin_number_add(app_t *app, req_t *r)
{
    json_t *body;
    int64_t agency = 0;
    const char *id = NULL, *display = NULL;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "agency_id", &agency);
    if (e == ERR_OK)
        e = target_agency(r, agency, &agency);
    if (e == ERR_OK)
        e = jfield_str(r, body, "phone_number_id", &id);
    if (e == ERR_OK)
        e = text_field(r, body, "display_phone", 32, false, &display);
    if (e != ERR_OK)
        return e;
    /* Meta's phone-number id: digits only (not the phone number itself). */
    size_t n = id ? strlen(id) : 0;
    bool digits = n >= 5 && n <= 32;
    for (size_t i = 0; digits && i < n; i++)
        digits = id[i] >= '0' && id[i] <= '9';
    if (!digits)
        return refuse(r, ERR_INVALID, "phone_number_id: the digits Meta shows for the number");
    e = store_agency_number_add(app->store, agency, id, display, clock_now());
    if (e == ERR_CONFLICT)
        return refuse(r, e, "phone_number_id: already registered");
    if (e != ERR_OK)
        return e;
    log_info("admin", "event=number_added agency_id=%lld by=%lld", (long long)agency,
             (long long)r->user.id);
    return numbers_of(app, r, agency, 201);
}

/* ---- the district's logo (issue 18) ------------------------------------------ */

/* POST /api/v1/admin/logo: the body is a PNG or JPEG (Content-Type
 * image/png or image/jpeg), the district's logo on the kop of every
 * agency's monthly report. The superadmin's: it is the district's, not
 * one agency's. Stored re-encoded (no metadata travels on). */
err_t h_admin_logo(app_t *app, req_t *r)
{
    const char *ct = req_header(r, "Content-Type");
    size_t k = ct ? strcspn(ct, "; ") : 0;
    bool png = ct && k == 9 && !strncasecmp(ct, "image/png", 9);
    bool jpeg = ct && k == 10 && !strncasecmp(ct, "image/jpeg", 10);
    if (!png && !jpeg) {
        r->detail = "the logo must be a PNG or JPEG picture (Content-Type image/png or image/jpeg)";
        return ERR_UNSUPPORTED;
    }
    const char *got = image_sniff(r->body, r->body_len);
    if (got && strcmp(got, png ? "image/png" : "image/jpeg") != 0) {
        r->detail = "the logo must be a PNG or JPEG picture (Content-Type image/png or image/jpeg)";
        return ERR_UNSUPPORTED;
    }
    report_logo logo;
    image_status st;
    /* The audit log records the change (audit_api.c ROUTES). */
    err_t e = report_logo_set(app->cfg->media_dir, !app->cfg->durability_process, r->body,
                              r->body_len, &logo, &st);
    if (e == ERR_UNSUPPORTED && st == IMAGE_OK)
        r->detail = "the logo must be a PNG or JPEG picture (Content-Type image/png or image/jpeg)";
    else if (st != IMAGE_OK)
        r->detail = image_why(st, r->lang);
    if (e != ERR_OK) {
        log_info("admin", "event=logo_refused reason=%s bytes=%zu", image_code(st), r->body_len);
        return e;
    }
    log_info("admin", "event=logo_set sha256=%s bytes=%zu user_id=%lld", logo.sha256, logo.size,
             (long long)r->user.id);
    return reply_json(r, 201,
                      json_pack("{s:s, s:s, s:i, s:i, s:I}", "sha256", logo.sha256, "mime",
                                logo.mime, "width", (int)logo.width, "height", (int)logo.height,
                                "size", (json_int_t)logo.size));
}

/* Sessions, CSRF and the login endpoints. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"

#include <microhttpd.h>
#include <string.h>

/* Longest login name and password accepted; beyond is a bad request. */
#define LOGIN_MAX 64

/* Finds the session cookie's value in the Cookie header. */
static const char *session_cookie(req_t *r)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
}

static err_t load_user(app_t *app, req_t *r, int64_t user_id)
{
    err_t e = store_user_get(app->store, r->ar, user_id, &r->user);
    if (e == ERR_OK)
        e = store_user_roles(app->store, r->ar, user_id, &r->roles, &r->nroles);
    if (e != ERR_OK)
        return e;
    r->actor.user_id = user_id;
    r->actor.roles = r->roles;
    r->actor.nroles = r->nroles;
    r->authed = true;
    return ERR_OK;
}

err_t auth_resolve(app_t *app, req_t *r)
{
    const char *tok = session_cookie(r);
    if (!tok || strlen(tok) >= SECRET_TOKEN_BUF) {
        r->detail = "no session";
        return ERR_UNAUTHORIZED;
    }
    char hash[SECRET_DIGEST_BUF];
    secret_sha256_hex(tok, strlen(tok), hash);
    err_t e = store_session_get(app->store, r->ar, hash, clock_now(), &r->session);
    if (e == ERR_NOT_FOUND) {
        r->detail = "the session is unknown or has expired";
        return ERR_UNAUTHORIZED;
    }
    if (e != ERR_OK)
        return e;
    r->token_hash = arena_strdup(r->ar, hash);
    return load_user(app, r, r->session.user_id);
}

err_t auth_check_csrf(req_t *r)
{
    const char *t = req_header(r, "X-CSRF-Token");
    if (!t || !r->session.csrf_token || !secret_equal(t, r->session.csrf_token)) {
        r->detail = "send the csrf_token from login or /api/v1/me in the X-CSRF-Token header";
        return ERR_CSRF;
    }
    return ERR_OK;
}

static json_t *me_json(req_t *r, const char *csrf)
{
    json_t *roles = json_array();
    for (size_t i = 0; roles && i < r->nroles; i++) {
        const store_role *ro = &r->roles[i];
        json_array_append_new(roles,
                              json_pack("{s:I, s:s?, s:s}", "agency_id", (json_int_t)ro->agency_id,
                                        "agency_name", ro->agency_name, "role", ro->role));
    }
    return json_pack("{s:{s:I, s:s, s:s}, s:o, s:s}", "user", "id", (json_int_t)r->user.id, "login",
                     r->user.login, "name", r->user.name, "roles", roles, "csrf_token", csrf);
}

err_t h_login(app_t *app, req_t *r)
{
    json_t *body;
    const char *login = NULL, *password = NULL;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "login", &login);
    if (e == ERR_OK)
        e = jfield_str(r, body, "password", &password);
    if (e != ERR_OK)
        return e;
    if (!login || !password || !*login || strlen(login) > LOGIN_MAX ||
        strlen(password) > SECRET_PASSWORD_MAX) {
        r->detail = "login and password: required strings";
        return ERR_INVALID;
    }
    int64_t now = clock_now();
    store_user u;
    e = store_user_by_login(app->store, r->ar, login, &u);
    if (e == ERR_NOT_FOUND) {
        /* Same work as a real check, so timing does not reveal logins. */
        (void)secret_password_verify(app->dummy_hash, password);
        log_info("auth", "event=login_failed reason=unknown_login");
        return ERR_BAD_LOGIN;
    }
    if (e != ERR_OK)
        return e;
    if (u.locked_until > now) {
        log_info("auth", "event=login_refused reason=locked user_id=%lld", (long long)u.id);
        r->detail = arena_printf(r->ar, "try again in %lld minutes",
                                 (long long)((u.locked_until - now + 59) / 60));
        return ERR_LOCKED;
    }
    bool ok = secret_password_verify(u.password_hash, password) && !u.disabled;
    e = store_user_login_attempt(app->store, u.id, ok, now, AUTH_MAX_FAILURES, AUTH_LOCK_SECONDS);
    if (e != ERR_OK)
        return e;
    if (!ok) {
        log_info("auth", "event=login_failed user_id=%lld", (long long)u.id);
        return ERR_BAD_LOGIN;
    }
    char token[SECRET_TOKEN_BUF], csrf[SECRET_TOKEN_BUF], hash[SECRET_DIGEST_BUF];
    secret_token(token);
    secret_token(csrf);
    secret_sha256_hex(token, strlen(token), hash);
    int64_t ttl = (int64_t)app->cfg->session_hours * 3600;
    e = store_session_create(app->store, hash, u.id, csrf, now, now + ttl);
    if (e == ERR_OK)
        e = load_user(app, r, u.id);
    if (e != ERR_OK)
        return e;
    bool secure = strncmp(app->cfg->public_url, "https://", 8) == 0;
    r->set_cookie = arena_printf(r->ar, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                                 SESSION_COOKIE, token, (long long)ttl, secure ? "; Secure" : "");
    log_info("auth", "event=login user_id=%lld", (long long)u.id);
    return reply_json(r, 200, me_json(r, csrf));
}

err_t h_logout(app_t *app, req_t *r)
{
    err_t e = store_session_delete(app->store, r->token_hash);
    if (e != ERR_OK)
        return e;
    r->set_cookie = SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    log_info("auth", "event=logout user_id=%lld", (long long)r->user.id);
    return reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

err_t h_me(app_t *app, req_t *r)
{
    (void)app;
    return reply_json(r, 200, me_json(r, r->session.csrf_token));
}

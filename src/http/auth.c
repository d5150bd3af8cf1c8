/* Sessions, CSRF and the login endpoints. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/totp.h"

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

static json_t *me_json(app_t *app, req_t *r, const char *csrf)
{
    json_t *roles = json_array();
    for (size_t i = 0; roles && i < r->nroles; i++) {
        const store_role *ro = &r->roles[i];
        json_array_append_new(roles,
                              json_pack("{s:I, s:s?, s:s}", "agency_id", (json_int_t)ro->agency_id,
                                        "agency_name", ro->agency_name, "role", ro->role));
    }
    return json_pack("{s:{s:I, s:s, s:s}, s:o, s:s, s:o}", "user", "id", (json_int_t)r->user.id,
                     "login", r->user.login, "name", r->user.name, "roles", roles, "csrf_token",
                     csrf, "two_factor", twofa_json(app, r));
}

/* ---- login throttling (issue #13) -----------------------------------------
 *
 * Four limits, cheapest first, none of which lets one address shut out
 * anyone else:
 *   1. a token bucket per client address, over every login (guessing many
 *      logins, known or not, from one place);
 *   2. a token bucket per login, over every address, which one address
 *      alone can never empty (below);
 *   3. password checks (Argon2id) run on a few checker threads of their
 *      own (offload.c) with a short queue, never on an HTTP thread, so
 *      /healthz and the dashboard keep answering; a full queue is a 503;
 *   4. in the database: AUTH_MAX_FAILURES wrong passwords lock that
 *      (login, address) pair, and AUTH_ATTACK_CLIENTS addresses failing
 *      one login within AUTH_WINDOW_S lock it for everyone, announced to
 *      the superadmin.
 * The buckets live in this process (per instance); the counts of 4 are in
 * the database, shared by every instance. An unknown login goes through
 * exactly the same steps (a check against a dummy hash, the same counting),
 * so neither timing nor answers tell which logins exist. */

/* Per address: a burst of 20 attempts (an office behind one NAT address
 * logging in at the start of the day, typos included), then one every 15
 * s: 240 guesses an hour, which Argon2id and the lock make worthless. */
#define LOGIN_ADDR_BURST   20.0
#define LOGIN_ADDR_EVERY_S 15.0
/* Per login: a bigger burst, refilled three times faster than an address
 * may spend, so only several addresses at once slow a login down. */
#define LOGIN_NAME_BURST   30.0
#define LOGIN_NAME_EVERY_S 5.0
/* An attempt made while refused costs a token as well, down to this much
 * debt: a client that does not wait for Retry-After waits longer each
 * time, up to (debt + 1) refills (about 10 minutes per address). */
#define LOGIN_DEBT 40.0
/* Addresses failing one login within the window that lock it for all. A
 * person mistyping from a phone and an office is two or three addresses;
 * ten is a botnet. */
#define AUTH_ATTACK_CLIENTS 10
/* Failures older than this are forgotten. */
#define AUTH_WINDOW_S 3600
/* An account-wide lock stays on the superadmin's notice this long after
 * it ended (seen the next morning). */
#define AUTH_NOTICE_S (24 * 3600)

static const bucket_spec addr_spec = {LOGIN_ADDR_BURST, 1.0 / LOGIN_ADDR_EVERY_S, LOGIN_DEBT};
static const bucket_spec name_spec = {LOGIN_NAME_BURST, 1.0 / LOGIN_NAME_EVERY_S, LOGIN_DEBT};

/* Checks that may wait for a checker thread: at about 50 ms a check and
 * two threads, 16 waiting is 0.4 s of work; a client beyond that is told
 * to come back in a second rather than wait in a growing queue. */
#define LOGIN_CHECKS_WAITING 16

err_t auth_start(app_t *app, unsigned threads)
{
    /* Half the HTTP threads' count: the CPU left for everything else. */
    return offload_start(threads > 1 ? (threads + 1) / 2 : 1, LOGIN_CHECKS_WAITING, &app->checks);
}

void auth_stop(app_t *app)
{
    offload_stop(app->checks);
    offload_free(app->checks);
    app->checks = NULL;
}

/* The bucket keys: "a|ADDRESS" and "l|LOGIN". */
static const char *addr_key(req_t *r, const char *client)
{
    return arena_printf(r->ar, "a|%s", client);
}

static const char *name_key(req_t *r, const char *login)
{
    return arena_printf(r->ar, "l|%s", login);
}

static bool en(const req_t *r) { return strcmp(r->lang, "en") == 0; }

/* Refuses with e (429, or 503 when busy) and Retry-After: wait seconds,
 * the reason in the request's language. */
static err_t refuse_wait(req_t *r, err_t e, int64_t wait, const char *id, const char *english)
{
    r->retry_after = arena_printf(r->ar, "%lld", (long long)wait);
    r->detail = en(r) ? english : id;
    return e;
}

static err_t too_fast(req_t *r, int wait, bool by_address)
{
    long long w = wait;
    if (by_address)
        return refuse_wait(
            r, ERR_THROTTLED, wait,
            arena_printf(r->ar,
                         "terlalu banyak percobaan masuk dari alamat Anda; coba lagi "
                         "dalam %lld detik",
                         w),
            arena_printf(r->ar,
                         "too many login attempts from your address; try again in %lld "
                         "seconds",
                         w));
    return refuse_wait(
        r, ERR_THROTTLED, wait,
        arena_printf(r->ar,
                     "terlalu banyak percobaan masuk ke akun ini dari banyak alamat; coba "
                     "lagi dalam %lld detik",
                     w),
        arena_printf(r->ar,
                     "too many login attempts on this account from many addresses; try "
                     "again in %lld seconds",
                     w));
}

static err_t locked(req_t *r, int64_t wait, bool global)
{
    long long m = (long long)((wait + 59) / 60);
    if (!global)
        return refuse_wait(
            r, ERR_LOCKED, wait,
            arena_printf(r->ar,
                         "terlalu banyak kata sandi salah dari alamat Anda; coba lagi "
                         "dalam %lld menit",
                         m),
            arena_printf(r->ar,
                         "too many wrong passwords from your address; try again in %lld "
                         "minutes",
                         m));
    return refuse_wait(
        r, ERR_LOCKED, wait,
        arena_printf(r->ar,
                     "akun ini sedang dicoba dari banyak alamat sekaligus dan dikunci "
                     "untuk semua selama %lld menit; superadmin sudah diberi tahu",
                     m),
        arena_printf(r->ar,
                     "this account is being tried from many addresses at once and is "
                     "locked for everyone for %lld minutes; the superadmin has been told",
                     m));
}

static err_t busy(req_t *r)
{
    return refuse_wait(r, ERR_UNAVAILABLE, 1,
                       "server sedang memeriksa kata sandi lain; coba lagi sebentar lagi",
                       "the server is busy checking other passwords; try again in a moment");
}

static void policy(const app_t *app, store_login_policy *p)
{
    p->max_failures = AUTH_MAX_FAILURES;
    p->lock_seconds = app->cfg->login_lock_s;
    p->window = AUTH_WINDOW_S;
    p->attack_clients = AUTH_ATTACK_CLIENTS;
    p->notice_seconds = AUTH_NOTICE_S;
}

/* A login attempt while its connection is suspended for the check. */
typedef struct {
    offload_job job; /* first: the checker's handle */
    const char *login, *password, *client;
    const char *code;       /* the second factor: a TOTP or a recovery code; NULL */
    const char *user_agent; /* for the account page's list of sessions */
    const char *addr_key, *name_key;
    double mono;        /* when the buckets were charged (monotonic s) */
    int64_t user_id;    /* set by the check when the password is right */
    const char *factor; /* password, totp or recovery: how it signed in */
    bool need_code;     /* the password was right; the account asks a code */
    bool code_wrong;    /* the password was right; the code was not */
} login_job;

/* An audit entry of a sign-in attempt, on the checker thread (the
 * connection is suspended: the client address was read before). */
static void audit_login(app_t *app, const login_job *j, int64_t user_id, const char *action,
                        const char *detail)
{
    store_audit_entry a = {0};
    a.at = clock_now();
    a.user_id = user_id;
    a.login = j->login;
    a.client = j->client;
    a.action = action;
    a.detail = detail;
    if (store_audit_add(app->store, &a) != ERR_OK)
        log_error("audit", "event=audit_write_failed action=%s", action);
}

/* Recovery codes as typed ("abcde-fghij", any case, spaces): the 10
 * characters lower-cased, or false when it cannot be one. */
static bool recovery_plain(const char *code, char out[16])
{
    size_t o = 0;
    for (const char *p = code; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) || o >= 10)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return o == 10;
}

/* The second factor of a user whose password was right: ERR_OK with
 * j->factor when it passes (or the account has none), with j->need_code
 * when a code is needed and none came, ERR_BAD_LOGIN with j->code_wrong
 * for a wrong, used or replayed code. */
static err_t second_factor(app_t *app, req_t *r, login_job *j, int64_t user_id, int64_t now)
{
    store_totp t;
    err_t e = store_totp_get(app->store, r->ar, user_id, &t);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && t.confirmed_at == 0)) {
        j->factor = "password";
        return ERR_OK;
    }
    if (e != ERR_OK)
        return e;
    if (!j->code || !*j->code) {
        j->need_code = true;
        return ERR_OK;
    }
    char plain[16], hash[SECRET_DIGEST_BUF];
    if (strlen(j->code) == TOTP_DIGITS) {
        int64_t step = totp_check(t.secret, j->code, now, t.last_step);
        e = step < 0 ? ERR_NOT_FOUND : store_totp_use_step(app->store, user_id, step);
        j->factor = "totp";
    } else if (recovery_plain(j->code, plain)) {
        secret_sha256_hex(plain, strlen(plain), hash);
        e = store_totp_use_recovery(app->store, user_id, hash, now);
        j->factor = "recovery";
    } else {
        e = ERR_NOT_FOUND;
    }
    if (e == ERR_NOT_FOUND) {
        j->code_wrong = true;
        return ERR_BAD_LOGIN;
    }
    return e;
}

/* The check, on a checker thread (the connection is suspended): counts the
 * attempt, checks the password, records the outcome. ERR_OK with
 * user_id set when right; every refusal sets its answer. */
static err_t login_check(app_t *app, req_t *r)
{
    login_job *j = r->job;
    int64_t now = clock_now(), until = 0;
    store_login_policy pol;
    policy(app, &pol);
    bool global = false, ok = false;
    store_user u = {0};
    err_t e = store_login_begin(app->store, j->login, j->client, now, &pol, &until, &global);
    if (e != ERR_OK)
        return e;
    if (until > now) {
        log_info("auth", "event=login_refused reason=locked scope=%s", global ? "all" : "address");
        return locked(r, until - now, global);
    }
    e = store_user_by_login(app->store, r->ar, j->login, &u);
    if (e == ERR_NOT_FOUND) {
        /* The same work as a real check, so timing does not reveal logins. */
        (void)secret_password_verify(app->dummy_hash, j->password);
        u.id = 0;
    } else if (e == ERR_OK) {
        ok = secret_password_verify(u.password_hash, j->password) && !u.disabled;
    } else {
        return e;
    }
    if (ok) {
        e = second_factor(app, r, j, u.id, now);
        if (e != ERR_OK && e != ERR_BAD_LOGIN)
            return e;
        ok = e == ERR_OK;
    }
    if (ok && j->need_code) { /* asked for the code: the tokens go back */
        double mono = bucket_now();
        bucket_add(app->buckets, &addr_spec, j->addr_key, 1, mono);
        bucket_add(app->buckets, &name_spec, j->name_key, 1, mono);
        return ERR_OK;
    }
    if (ok) { /* a success costs nothing: its tokens go back */
        double mono = bucket_now();
        bucket_add(app->buckets, &addr_spec, j->addr_key, 1, mono);
        bucket_add(app->buckets, &name_spec, j->name_key, 1, mono);
        j->user_id = u.id;
        return store_login_ok(app->store, j->login, j->client, now, &pol);
    }
    int attack = 0;
    e = store_login_failed(app->store, j->login, now, &pol, &attack);
    if (attack > 0) {
        /* Without the login itself (it may be a person's name): the
         * superadmin's notice (GET /api/v1/admin/login-attacks) has it. */
        char at[CLOCK_ISO_BUF];
        clock_format(now + pol.lock_seconds, at);
        if (u.id)
            log_warn("auth", "event=login_attack scope=all user_id=%lld addresses=%d until=%s",
                     (long long)u.id, attack, at);
        else
            log_warn("auth", "event=login_attack scope=all login=unknown addresses=%d until=%s",
                     attack, at);
    }
    if (u.id) {
        log_info("auth", "event=login_failed user_id=%lld factor=%s", (long long)u.id,
                 j->code_wrong ? "code" : "password");
        audit_login(app, j, u.id, "login_failed", j->code_wrong ? "code" : "password");
    } else
        log_info("auth", "event=login_failed reason=unknown_login");
    return e != ERR_OK ? e : ERR_BAD_LOGIN;
}

/* A 401 that asks for (or refuses) the second factor: its own code, so a
 * client shows the code field instead of "wrong password". */
static err_t code_refused(req_t *r, const char *code, const char *id, const char *english)
{
    return reply_json(r, 401,
                      json_pack("{s:{s:s, s:s}, s:b}", "error", "code", code, "message",
                                en(r) ? english : id, "totp_required", 1));
}

/* After the check, on the HTTP thread again: the session, or the refusal. */
static err_t login_answer(app_t *app, req_t *r)
{
    login_job *j = r->job;
    err_t e = j->job.result;
    if (e == ERR_BAD_LOGIN && j->code_wrong)
        return code_refused(r, "totp_invalid",
                            "kode verifikasi salah, sudah dipakai, atau kedaluwarsa",
                            "the verification code is wrong, used already, or expired");
    if (e != ERR_OK)
        return e;
    if (j->need_code)
        return code_refused(r, "totp_required",
                            "masukkan kode 6 angka dari aplikasi autentikator (atau kode "
                            "pemulihan)",
                            "enter the 6-digit code of your authenticator app (or a recovery "
                            "code)");
    int64_t now = clock_now();
    char token[SECRET_TOKEN_BUF], csrf[SECRET_TOKEN_BUF], hash[SECRET_DIGEST_BUF];
    secret_token(token);
    secret_token(csrf);
    secret_sha256_hex(token, strlen(token), hash);
    int64_t ttl = (int64_t)app->cfg->session_hours * 3600;
    e = store_session_open(app->store, hash, j->user_id, csrf, now, now + ttl, j->client,
                           j->user_agent, j->factor);
    if (e == ERR_OK)
        e = load_user(app, r, j->user_id);
    if (e == ERR_OK)
        r->token_hash = arena_strdup(r->ar, hash);
    if (e == ERR_OK)
        e = audit_note(app, r, "login", 0, NULL, arena_printf(r->ar, "factor=%s", j->factor));
    if (e != ERR_OK)
        return e;
    bool secure = strncmp(app->cfg->public_url, "https://", 8) == 0;
    r->set_cookie = arena_printf(r->ar, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                                 SESSION_COOKIE, token, (long long)ttl, secure ? "; Secure" : "");
    log_info("auth", "event=login user_id=%lld", (long long)j->user_id);
    return reply_json(r, 200, me_json(app, r, csrf));
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
    const char *code = NULL;
    if (e == ERR_OK)
        e = jfield_str(r, body, "code", &code);
    if (e != ERR_OK)
        return e;
    if (code && strlen(code) > 32) {
        r->detail = "code: the 6-digit code or a recovery code";
        return ERR_INVALID;
    }
    if (!login || !password || !*login || strlen(login) > LOGIN_MAX ||
        strlen(password) > SECRET_PASSWORD_MAX) {
        r->detail = "login and password: required strings";
        return ERR_INVALID;
    }
    login_job *j = arena_alloc(r->ar, sizeof *j);
    if (!j)
        return ERR_NOMEM;
    memset(j, 0, sizeof *j);
    j->login = login;
    j->password = password;
    j->code = code;
    const char *ua = req_header(r, "User-Agent");
    j->user_agent = ua ? arena_strndup(r->ar, ua, 200) : NULL;
    j->client = req_client(app, r);
    j->addr_key = addr_key(r, j->client);
    j->name_key = name_key(r, login);
    j->mono = bucket_now();
    if (!j->addr_key || !j->name_key)
        return ERR_NOMEM;
    int wait = bucket_take(app->buckets, &addr_spec, j->addr_key, 1, 1, j->mono);
    if (wait > 0) {
        log_info("auth", "event=login_throttled scope=address wait=%d", wait);
        return too_fast(r, wait, true);
    }
    wait = bucket_take(app->buckets, &name_spec, j->name_key, 1, 1, j->mono);
    if (wait > 0) {
        log_info("auth", "event=login_throttled scope=login wait=%d", wait);
        return too_fast(r, wait, false);
    }
    j->job = (offload_job){r->conn, app, r, login_check, ERR_OK, NULL};
    r->job = j;
    r->resume = login_answer;
    if (offload_submit(app->checks, &j->job))
        return ERR_OK; /* answered by login_answer after the check */
    r->resume = NULL;
    bucket_add(app->buckets, &addr_spec, j->addr_key, 1, j->mono);
    bucket_add(app->buckets, &name_spec, j->name_key, 1, j->mono);
    log_info("auth", "event=login_busy");
    return busy(r);
}

err_t h_login_attacks(app_t *app, req_t *r)
{
    int64_t now = clock_now();
    store_login_attack *a = NULL;
    size_t n = 0;
    err_t e = store_login_attacks(app->store, r->ar, now - AUTH_NOTICE_S, &a, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(
            items, json_pack("{s:s, s:s?, s:b, s:i, s:o, s:o, s:b}", "login", a[i].login, "name",
                             a[i].name, "known", a[i].name != NULL, "addresses", a[i].clients,
                             "locked_at", json_time(a[i].locked_at), "locked_until",
                             json_time(a[i].locked_until), "active", a[i].locked_until > now));
    return reply_json(r, 200,
                      json_pack("{s:o, s:i}", "items", items ? items : json_array(), "notice_hours",
                                AUTH_NOTICE_S / 3600));
}

err_t h_logout(app_t *app, req_t *r)
{
    err_t e = store_session_delete(app->store, r->token_hash);
    if (e == ERR_OK)
        e = audit_note(app, r, "logout", 0, NULL, NULL);
    if (e != ERR_OK)
        return e;
    r->set_cookie = SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    log_info("auth", "event=logout user_id=%lld", (long long)r->user.id);
    return reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

err_t h_me(app_t *app, req_t *r)
{
    return reply_json(r, 200, me_json(app, r, r->session.csrf_token));
}

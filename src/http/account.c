/* The account page's API (issue 19 §3): two-factor sign-in with TOTP
 * (enrolment with a QR code, recovery codes, turning it off where it is
 * optional), one's sessions ("keluar dari semua perangkat") and one's
 * password, whose change ends every other session. Every change here is
 * written to the audit log. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/totp.h"

#include <microhttpd.h>
#include <sodium.h>
#include <string.h>

/* Recovery codes given at enrolment; each works once. 10 characters of
 * base32 are 50 bits: unguessable behind the login's throttling. */
#define RECOVERY_CODES 10
#define RECOVERY_LEN   10
/* Codes tried on the account page (enrolment, turning off) per user: a
 * burst of 5, then one every 20 s. Sign-in codes count with passwords. */
static const bucket_spec code_spec = {5.0, 1.0 / 20.0, 20.0};
/* The same for the current password of a password change. */
static const bucket_spec pw_spec = {5.0, 1.0 / 20.0, 20.0};

/* Routes open to a user who must enrol first (twofa_gate). */
static const char *const ENROL_ROUTES[] = {
    "/api/v1/me",           "/api/v1/auth/logout",    "/api/v1/me/2fa",
    "/api/v1/me/2fa/setup", "/api/v1/me/2fa/confirm",
};

bool twofa_required(const app_t *app, const req_t *r)
{
    for (size_t i = 0; i < r->nroles; i++) {
        int role = role_parse(r->roles[i].role);
        if (role >= 0 && (app->cfg->twofa_roles & CONFIG_ROLE_BIT(role)))
            return true;
    }
    return false;
}

/* The user's key: ERR_OK with enabled set, ERR_NOT_FOUND for none. */
static err_t user_totp(app_t *app, req_t *r, store_totp *t, bool *enabled)
{
    err_t e = store_totp_get(app->store, r->ar, r->user.id, t);
    *enabled = e == ERR_OK && t->confirmed_at > 0;
    return e;
}

err_t twofa_gate(app_t *app, req_t *r, const char *pattern)
{
    if (!twofa_required(app, r))
        return ERR_OK;
    store_totp t;
    bool on = false;
    err_t e = user_totp(app, r, &t, &on);
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    if (on)
        return ERR_OK;
    for (size_t i = 0; i < sizeof ENROL_ROUTES / sizeof ENROL_ROUTES[0]; i++)
        if (strcmp(ENROL_ROUTES[i], pattern) == 0)
            return ERR_OK;
    r->detail = tr(r,
                   "peran Anda wajib masuk dengan verifikasi dua langkah: aktifkan dulu di "
                   "halaman akun",
                   "your role must sign in with two-step verification: set it up on the account "
                   "page first");
    return ERR_FORBIDDEN;
}

json_t *twofa_json(app_t *app, req_t *r)
{
    store_totp t;
    bool on = false, req = twofa_required(app, r);
    int64_t left = 0;
    err_t e = user_totp(app, r, &t, &on);
    if (e == ERR_OK && on && store_totp_recovery_left(app->store, r->user.id, &left) != ERR_OK)
        left = 0;
    return json_pack("{s:b, s:b, s:b, s:b, s:I}", "enabled", on, "required", req, "must_enrol",
                     req && !on, "enrolling", e == ERR_OK && !on, "recovery_codes_left",
                     (json_int_t)left);
}

err_t h_2fa_status(app_t *app, req_t *r) { return reply_json(r, 200, twofa_json(app, r)); }

err_t h_2fa_setup(app_t *app, req_t *r)
{
    char secret[TOTP_B32_BUF];
    totp_new_secret(secret);
    err_t e = store_totp_begin(app->store, r->user.id, secret, clock_now());
    if (e == ERR_CONFLICT)
        r->detail =
            tr(r, "verifikasi dua langkah sudah aktif", "two-step verification is on already");
    if (e != ERR_OK)
        return e;
    const char *uri = totp_uri(r->ar, "aduan", r->user.login, secret);
    const char *svg = uri ? totp_qr_svg(r->ar, uri) : NULL;
    if (!svg)
        return ERR_NOMEM;
    log_info("auth", "event=2fa_setup user_id=%lld", (long long)r->user.id);
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:s, s:i, s:i}", "secret", secret, "otpauth_uri", uri,
                                "qr_svg", svg, "digits", TOTP_DIGITS, "period", TOTP_STEP_S));
}

/* The code of the request's body, throttled per user. */
static err_t body_code(app_t *app, req_t *r, const char **code)
{
    json_t *body;
    *code = NULL;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "code", code);
    if (e != ERR_OK)
        return e;
    if (!*code || !**code) {
        r->detail = tr(r, "code: kode 6 angka dari aplikasi autentikator",
                       "code: the 6-digit code of the authenticator app");
        return ERR_INVALID;
    }
    const char *key = arena_printf(r->ar, "2|%lld", (long long)r->user.id);
    int wait = key ? bucket_take(app->buckets, &code_spec, key, 1, 1, bucket_now()) : 1;
    if (wait > 0) {
        r->retry_after = arena_printf(r->ar, "%d", wait);
        r->detail =
            strcmp(r->lang, "en") == 0
                ? arena_printf(r->ar, "too many codes tried; try again in %d seconds", wait)
                : arena_printf(r->ar, "terlalu banyak kode dicoba; coba lagi dalam %d detik", wait);
        return ERR_THROTTLED;
    }
    return ERR_OK;
}

static err_t wrong_code(req_t *r)
{
    r->detail = tr(r,
                   "kode verifikasi salah atau sudah kedaluwarsa; periksa jam ponsel dan coba "
                   "kode berikutnya",
                   "the verification code is wrong or expired; check the phone's clock and try "
                   "the next code");
    return ERR_INVALID;
}

/* Writes n new recovery codes ("abcde-fghij") into codes and their
 * SHA-256 (of the code without the dash) into hashes, in ar. */
static err_t new_recovery(arena_t *ar, const char **codes, const char **hashes, size_t n)
{
    static const char A[] = "abcdefghijkmnpqrstuvwxyz23456789"; /* no l, o, 0, 1 */
    for (size_t i = 0; i < n; i++) {
        uint8_t rnd[RECOVERY_LEN];
        char plain[RECOVERY_LEN + 1], shown[RECOVERY_LEN + 2];
        char *h = arena_alloc(ar, SECRET_DIGEST_BUF);
        randombytes_buf(rnd, sizeof rnd);
        for (int k = 0; k < RECOVERY_LEN; k++)
            plain[k] = A[rnd[k] & 31];
        plain[RECOVERY_LEN] = '\0';
        memcpy(shown, plain, 5);
        shown[5] = '-';
        memcpy(shown + 6, plain + 5, RECOVERY_LEN - 5 + 1);
        if (!h)
            return ERR_NOMEM;
        secret_sha256_hex(plain, RECOVERY_LEN, h);
        codes[i] = arena_strdup(ar, shown);
        hashes[i] = h;
        if (!codes[i])
            return ERR_NOMEM;
    }
    return ERR_OK;
}

err_t h_2fa_confirm(app_t *app, req_t *r)
{
    const char *code;
    store_totp t;
    bool on = false;
    err_t e = body_code(app, r, &code);
    if (e != ERR_OK)
        return e;
    e = user_totp(app, r, &t, &on);
    if (e == ERR_NOT_FOUND || on) {
        r->detail =
            on ? tr(r, "verifikasi dua langkah sudah aktif", "two-step verification is on already")
               : tr(r, "mulai penyiapan dulu", "start the setup first");
        return ERR_CONFLICT;
    }
    if (e != ERR_OK)
        return e;
    int64_t now = clock_now(), step = totp_check(t.secret, code, now, 0);
    if (step < 0)
        return wrong_code(r);
    const char *codes[RECOVERY_CODES], *hashes[RECOVERY_CODES];
    e = new_recovery(r->ar, codes, hashes, RECOVERY_CODES);
    if (e == ERR_OK)
        e = store_totp_confirm(app->store, r->user.id, step, hashes, RECOVERY_CODES, now);
    if (e == ERR_NOT_FOUND) {
        r->detail = tr(r, "mulai penyiapan dulu", "start the setup first");
        return ERR_CONFLICT;
    }
    if (e == ERR_OK)
        e = audit_note(app, r, "2fa_enabled", 0,
                       arena_printf(r->ar, "user:%lld", (long long)r->user.id), NULL);
    if (e != ERR_OK)
        return e;
    log_info("auth", "event=2fa_enabled user_id=%lld", (long long)r->user.id);
    json_t *list = json_array();
    for (size_t i = 0; list && i < RECOVERY_CODES; i++)
        json_array_append_new(list, json_string(codes[i]));
    return reply_json(r, 200, json_pack("{s:b, s:o}", "enabled", 1, "recovery_codes", list));
}

err_t h_2fa_disable(app_t *app, req_t *r)
{
    const char *code;
    store_totp t;
    bool on = false, had = false;
    if (twofa_required(app, r)) {
        r->detail = tr(r, "peran Anda wajib memakai verifikasi dua langkah",
                       "your role must use two-step verification");
        return ERR_FORBIDDEN;
    }
    err_t e = body_code(app, r, &code);
    if (e == ERR_OK)
        e = user_totp(app, r, &t, &on);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && !on)) {
        r->detail = tr(r, "verifikasi dua langkah tidak aktif", "two-step verification is off");
        return ERR_CONFLICT;
    }
    if (e != ERR_OK)
        return e;
    int64_t step = totp_check(t.secret, code, clock_now(), t.last_step);
    if (step < 0)
        return wrong_code(r);
    e = store_totp_reset(app->store, r->user.id, false, &had);
    if (e == ERR_OK)
        e = audit_note(app, r, "2fa_disabled", 0,
                       arena_printf(r->ar, "user:%lld", (long long)r->user.id), NULL);
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200, json_pack("{s:b}", "enabled", 0));
}

/* ---- sessions ------------------------------------------------------------------ */

/* A session's id on the page: the start of its token's hash (the hash is
 * not the cookie; 48 bits tell a user's sessions apart). */
#define SESSION_ID_LEN 12

err_t h_sessions_list(app_t *app, req_t *r)
{
    store_session_info *s = NULL;
    size_t n = 0;
    err_t e = store_session_list(app->store, r->ar, r->user.id, clock_now(), &s, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        char id[SESSION_ID_LEN + 1];
        snprintf(id, sizeof id, "%.*s", SESSION_ID_LEN, s[i].token_hash);
        json_array_append_new(
            items, json_pack("{s:s, s:o, s:o, s:s?, s:s?, s:s?, s:b}", "id", id, "created_at",
                             json_time(s[i].created_at), "expires_at", json_time(s[i].expires_at),
                             "client", s[i].client, "user_agent", s[i].user_agent, "factor",
                             s[i].factor, "current", strcmp(s[i].token_hash, r->token_hash) == 0));
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items ? items : json_array()));
}

static const char CLEAR_COOKIE[] = SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";

err_t h_sessions_end(app_t *app, req_t *r)
{
    json_t *body;
    bool keep = false;
    int64_t ended = 0;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_bool(r, body, "keep_current", &keep);
    if (e == ERR_OK)
        e = store_session_end_all(app->store, r->user.id, keep ? r->token_hash : NULL, &ended);
    if (e == ERR_OK)
        e = audit_note(app, r, "sessions_end_all", 0, NULL,
                       arena_printf(r->ar, "ended=%lld keep_current=%d", (long long)ended, keep));
    if (e != ERR_OK)
        return e;
    if (!keep)
        r->set_cookie = CLEAR_COOKIE;
    log_info("auth", "event=sessions_ended user_id=%lld count=%lld", (long long)r->user.id,
             (long long)ended);
    return reply_json(r, 200,
                      json_pack("{s:I, s:b}", "ended", (json_int_t)ended, "signed_out", !keep));
}

err_t h_sessions_end_one(app_t *app, req_t *r)
{
    json_t *body;
    const char *id = NULL;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "id", &id);
    if (e != ERR_OK)
        return e;
    if (!id || strlen(id) != SESSION_ID_LEN || strspn(id, "0123456789abcdef") != SESSION_ID_LEN) {
        r->detail = "id: the session's id from GET /api/v1/me/sessions";
        return ERR_INVALID;
    }
    e = store_session_end_one(app->store, r->user.id, id);
    if (e == ERR_NOT_FOUND)
        r->detail = tr(r, "sesi tidak ditemukan", "no such session");
    if (e == ERR_OK)
        e = audit_note(app, r, "session_end", 0, NULL, arena_printf(r->ar, "session=%s", id));
    if (e != ERR_OK)
        return e;
    bool self = strncmp(r->token_hash, id, SESSION_ID_LEN) == 0;
    if (self)
        r->set_cookie = CLEAR_COOKIE;
    return reply_json(r, 200, json_pack("{s:I, s:b}", "ended", (json_int_t)1, "signed_out", self));
}

/* ---- password ------------------------------------------------------------------ */

/* A password change while its connection waits for the checker thread
 * (Argon2id twice: the old one checked, the new one hashed). */
typedef struct {
    offload_job job; /* first: the checker's handle */
    const char *current, *next;
    const char *keep;
    char hash[SECRET_HASH_BUF];
} pw_job;

static err_t pw_check(app_t *app, req_t *r)
{
    pw_job *j = r->job;
    store_user u;
    err_t e = store_user_get(app->store, r->ar, r->user.id, &u);
    if (e != ERR_OK)
        return e;
    if (!secret_password_verify(u.password_hash, j->current))
        return ERR_BAD_LOGIN;
    return secret_password_hash(j->next, j->hash);
}

static err_t pw_answer(app_t *app, req_t *r)
{
    pw_job *j = r->job;
    err_t e = j->job.result;
    if (e == ERR_BAD_LOGIN) {
        r->detail = tr(r, "kata sandi saat ini salah", "the current password is wrong");
        return ERR_FORBIDDEN;
    }
    if (e == ERR_OK)
        e = store_user_change_password(app->store, r->user.id, j->hash, j->keep);
    if (e == ERR_OK)
        e = audit_note(app, r, "password_change", 0,
                       arena_printf(r->ar, "user:%lld", (long long)r->user.id),
                       "other sessions ended");
    if (e != ERR_OK)
        return e;
    log_info("auth", "event=password_changed user_id=%lld", (long long)r->user.id);
    return reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

err_t h_password_change(app_t *app, req_t *r)
{
    json_t *body;
    const char *cur = NULL, *next = NULL;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "current_password", &cur);
    if (e == ERR_OK)
        e = jfield_str(r, body, "new_password", &next);
    if (e != ERR_OK)
        return e;
    size_t nl = next ? strlen(next) : 0;
    if (!cur || !*cur || strlen(cur) > SECRET_PASSWORD_MAX || nl < SECRET_PASSWORD_MIN ||
        nl > SECRET_PASSWORD_MAX) {
        r->detail = tr(r, "current_password wajib; new_password 8 sampai 256 karakter",
                       "current_password required; new_password 8 to 256 characters");
        return ERR_INVALID;
    }
    const char *key = arena_printf(r->ar, "p|%lld", (long long)r->user.id);
    int wait = key ? bucket_take(app->buckets, &pw_spec, key, 1, 1, bucket_now()) : 1;
    if (wait > 0) {
        r->retry_after = arena_printf(r->ar, "%d", wait);
        r->detail = tr(r, "terlalu banyak percobaan; coba lagi sebentar lagi",
                       "too many attempts; try again in a moment");
        return ERR_THROTTLED;
    }
    pw_job *j = arena_alloc(r->ar, sizeof *j);
    if (!j)
        return ERR_NOMEM;
    memset(j, 0, sizeof *j);
    j->current = cur;
    j->next = next;
    j->keep = r->token_hash;
    j->job = (offload_job){r->conn, app, r, pw_check, ERR_OK, NULL};
    r->job = j;
    r->resume = pw_answer;
    if (offload_submit(app->checks, &j->job))
        return ERR_OK; /* answered by pw_answer */
    r->resume = NULL;
    r->retry_after = "1";
    r->detail = tr(r, "server sedang sibuk; coba lagi sebentar lagi",
                   "the server is busy; try again in a moment");
    return ERR_UNAVAILABLE;
}

#include "core/err.h"

#include <string.h>

static const struct {
    const char *code;
    unsigned status;
    const char *id;
    const char *en;
} errs[ERR__COUNT] = {
    [ERR_OK] = {"ok", 200, "Berhasil", "OK"},
    [ERR_NOMEM] = {"no_memory", 500, "Memori server habis", "Server out of memory"},
    [ERR_INVALID] = {"invalid", 400, "Data tidak valid", "Invalid input"},
    [ERR_BAD_JSON] = {"bad_json", 400, "Badan permintaan bukan JSON yang valid",
                      "Request body is not valid JSON"},
    [ERR_BAD_UTF8] = {"bad_utf8", 400, "Teks bukan UTF-8 yang valid", "Text is not valid UTF-8"},
    [ERR_TOO_LARGE] = {"too_large", 413, "Permintaan terlalu besar", "Request too large"},
    [ERR_NOT_FOUND] = {"not_found", 404, "Tidak ditemukan", "Not found"},
    [ERR_CONFLICT] = {"conflict", 409, "Tidak dapat dilakukan pada status saat ini",
                      "Not possible in the current state"},
    [ERR_UNAUTHORIZED] = {"unauthorized", 401, "Silakan masuk terlebih dahulu",
                          "Please log in first"},
    [ERR_FORBIDDEN] = {"forbidden", 403, "Anda tidak berwenang melakukan ini",
                       "You are not allowed to do this"},
    [ERR_CSRF] = {"csrf", 403, "Token CSRF tidak ada atau salah", "Missing or wrong CSRF token"},
    [ERR_LOCKED] = {"locked", 429, "Masuk dikunci sementara karena terlalu banyak gagal masuk",
                    "Logging in is locked for a while after too many failed logins"},
    [ERR_DB] = {"database", 500, "Kesalahan basis data", "Database error"},
    [ERR_UNAVAILABLE] = {"unavailable", 503, "Layanan sementara tidak tersedia",
                         "Service temporarily unavailable"},
    [ERR_IO] = {"io", 500, "Kesalahan masukan/keluaran", "Input/output error"},
    [ERR_INTERNAL] = {"internal", 500, "Kesalahan internal", "Internal error"},
    [ERR_METHOD] = {"method_not_allowed", 405, "Metode tidak diizinkan", "Method not allowed"},
    [ERR_BAD_LOGIN] = {"bad_login", 401, "Nama pengguna atau kata sandi salah",
                       "Wrong username or password"},
    [ERR_UNSUPPORTED] = {"unsupported_media_type", 415, "Jenis konten tidak didukung",
                         "Unsupported content type"},
    [ERR_THROTTLED] = {"rate_limited", 429, "Terlalu banyak permintaan; tunggu sebentar",
                       "Too many requests; please wait"},
    [ERR_IDEM_REUSED] = {"idempotency_key_reused", 422,
                         "Kunci Idempotency-Key sudah dipakai untuk permintaan lain",
                         "The Idempotency-Key was already used for a different request"},
};

static int valid(err_t e) { return (int)e >= 0 && e < ERR__COUNT; }

const char *err_code(err_t e) { return valid(e) ? errs[e].code : "unknown"; }

const char *err_str(err_t e) { return err_str_lang(e, "id"); }

const char *err_str_lang(err_t e, const char *lang)
{
    if (!valid(e))
        return "?";
    return (lang && strcmp(lang, "en") == 0) ? errs[e].en : errs[e].id;
}

unsigned err_http_status(err_t e) { return valid(e) ? errs[e].status : 500; }

#include "core/config.h"
#include "core/log.h"
#include "core/netguard.h"

#include <ini.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void config_defaults(config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->listen_host, sizeof cfg->listen_host, "127.0.0.1");
    cfg->listen_port = 8080;
    snprintf(cfg->database_url, sizeof cfg->database_url, "sqlite:var/aduan.db");
    /* The HTTP threads, the background worker, the SLA scheduler and one
     * spare. */
    cfg->db_pool_size = 8;
    cfg->threads = 4;
    snprintf(cfg->timezone, sizeof cfg->timezone, "Asia/Makassar");
    snprintf(cfg->media_dir, sizeof cfg->media_dir, "var/media");
    cfg->log_level = LOG_INFO;
    cfg->session_hours = 12;
    snprintf(cfg->wa_graph_url, sizeof cfg->wa_graph_url, "https://graph.facebook.com/v23.0");
    cfg->wa_daily_limit = 5;
    snprintf(cfg->telegram_api, sizeof cfg->telegram_api, "https://api.telegram.org");
    /* Perpres 21/2023: work starts 07.30; 16.00 ends a Monday-Thursday. */
    cfg->office_open = 7 * 60 + 30;
    cfg->office_close = 16 * 60;
    /* Deadlines are in minutes at the finest; half a minute is soon enough. */
    cfg->sched_tick_ms = 30000;
    snprintf(cfg->sla_template, sizeof cfg->sla_template, "aduan_sla_alert");
    /* Issue #6: five minutes for someone to accept an emergency; a
     * duplicate within 300 m, 2 hours (emergencies) or 7 days. */
    cfg->alert_accept_seconds = 5 * 60;
    cfg->dup_radius_m = 300;
    cfg->dup_window_emergency_s = 2 * 3600;
    cfg->dup_window_s = 7 * 24 * 3600;
    /* Issue #7: identity documents go 30 days after the request closes. */
    cfg->svc_retention_days = 30;
    /* Issue #13: raw webhook bodies go three days after processing. */
    cfg->raw_retention_s = 72 * 3600;
    snprintf(cfg->map_tile_url, sizeof cfg->map_tile_url,
             "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png");
    /* Issue #13: request headers are a few hundred bytes, sent at once
     * even on a 2G link; ten seconds of silence in the middle of them is a
     * client holding a connection (slowloris), not a slow phone. */
    cfg->header_timeout_s = 10;
    /* Issue #2: fifteen minutes, long enough to make guessing pointless,
     * short enough that a user who mistyped waits a coffee break. */
    cfg->login_lock_s = 15 * 60;
    /* Issue #19: the accounts that can change others' accounts sign in with
     * a second factor; the audit log is kept two years (UU PDP). */
    cfg->twofa_roles = CONFIG_ROLE_BIT(0) | CONFIG_ROLE_BIT(1);
    cfg->audit_retention_days = 730;
}

/* A comma-separated list of role names into a bit per role (lifecycle.h's
 * order); "" or "none" is no role. */
static int parse_roles(const char *v, unsigned *out)
{
    static const char *const names[] = {"superadmin", "admin", "supervisor", "field", "viewer"};
    unsigned m = 0;
    if (!strcmp(v, "none")) {
        *out = 0;
        return 0;
    }
    while (*v) {
        size_t n = strcspn(v, ",");
        size_t a = 0, b = n;
        while (a < b && v[a] == ' ')
            a++;
        while (b > a && v[b - 1] == ' ')
            b--;
        bool found = a == b;
        for (size_t i = 0; i < sizeof names / sizeof names[0] && !found; i++)
            if (strlen(names[i]) == b - a && !strncmp(v + a, names[i], b - a)) {
                m |= CONFIG_ROLE_BIT(i);
                found = true;
            }
        if (!found)
            return -1;
        v += n;
        if (*v == ',')
            v++;
    }
    *out = m;
    return 0;
}

/* A tile URL template: http(s), {z} {x} {y} present, {s} only as the first
 * label of the host, nothing that could break out of a CSP source. */
static int valid_tile_url(const char *v)
{
    const char *host = strncmp(v, "https://", 8) == 0  ? v + 8
                       : strncmp(v, "http://", 7) == 0 ? v + 7
                                                       : NULL;
    if (!host || !strstr(v, "{z}") || !strstr(v, "{x}") || !strstr(v, "{y}"))
        return 0;
    for (const char *p = v; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == ';' || *p == ',' || *p == '\'' || *p == '"')
            return 0;
    const char *s = strstr(v, "{s}");
    if (s && s != host)
        return 0;
    size_t hl = strcspn(host, "/");
    for (size_t i = s ? 3 : 0; i < hl; i++)
        if (host[i] == '{' || host[i] == '}')
            return 0;
    return hl > (s ? 4u : 0u);
}

static int copy(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(dst, v, n + 1);
    return 0;
}

static int parse_uint(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    if (*v < '0' || *v > '9')
        return -1;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || *end || n < lo || n > hi)
        return -1;
    *out = (unsigned)n;
    return 0;
}

/* "host:port", "[v6]:port" or ":port" (all interfaces); port 0 lets the
 * system pick a free port, which the server then reports (docs/CONFIG.md). */
static int parse_listen(config_t *cfg, const char *v)
{
    const char *colon = strrchr(v, ':');
    if (!colon)
        return -1;
    size_t hl = (size_t)(colon - v);
    const char *h = v;
    if (hl >= 2 && v[0] == '[' && v[hl - 1] == ']') {
        h = v + 1;
        hl -= 2;
    }
    if (hl >= CONFIG_HOST_MAX)
        return -1;
    unsigned port;
    if (parse_uint(colon + 1, 0, 65535, &port) != 0)
        return -1;
    if (hl == 0) {
        snprintf(cfg->listen_host, sizeof cfg->listen_host, "0.0.0.0");
    } else {
        for (size_t i = 0; i < hl; i++) {
            char c = h[i];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '.' || c == ':' || c == '-'))
                return -1;
        }
        memcpy(cfg->listen_host, h, hl);
        cfg->listen_host[hl] = '\0';
    }
    cfg->listen_port = port;
    return 0;
}

/* Visible ASCII only: a secret pasted with a space or a newline is a
 * mistake better caught at start-up than as failing signatures. */
static int printable(const char *v)
{
    for (; *v; v++)
        if (*v <= ' ' || *v > '~')
            return 0;
    return 1;
}

/* An IANA zone name that this machine's tz database knows. */
static int valid_timezone(const char *v)
{
    if (!*v || strlen(v) >= 64 || strstr(v, "..") || v[0] == '/')
        return 0;
    for (const char *p = v; *p; p++) {
        char c = *p;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return 0;
    }
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", v);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void config_redact_url(const char *url, char *out, size_t cap)
{
    size_t o = 0;
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    for (const char *p = url; *p && o + 4 < cap;) {
        if (p == colon) { /* user:PASSWORD@ */
            o += (size_t)snprintf(out + o, cap - o, ":***");
            p = at;
            continue;
        }
        if ((p == url || p[-1] == '?' || p[-1] == '&') && strncmp(p, "password=", 9) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "password=***");
            p += strcspn(p, "&");
            continue;
        }
        out[o++] = *p++;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

const char *config_sqlite_path(const char *url)
{
    if (strncmp(url, "sqlite:", 7) != 0 || url[7] == '\0')
        return NULL;
    return url + 7;
}

/* ---- the settings, one row each ------------------------------------------- */

/* Checks of text values: non-zero when v is acceptable. */
static int http_url(const char *v)
{
    return strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0;
}

static int http_url_no_slash(const char *v) { return http_url(v) && v[strlen(v) - 1] != '/'; }

static int database_url(const char *v)
{
    return config_sqlite_path(v) || strncmp(v, "postgres://", 11) == 0 ||
           strncmp(v, "postgresql://", 13) == 0;
}

static int template_name(const char *v)
{
    return strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(v);
}

static int hex_key(const char *v)
{
    return strlen(v) == 64 && strspn(v, "0123456789abcdefABCDEF") == 64;
}

/* Settings whose value fills more than one field or needs its own parser:
 * 0 when v was taken. */
static int set_log_level(config_t *cfg, const char *v)
{
    int lvl = log_level_parse(v);
    if (lvl < 0)
        return -1;
    cfg->log_level = lvl;
    return 0;
}

static int set_fetch_allow_private(config_t *cfg, const char *v)
{
    int p = netguard_policy_parse(v);
    if (p < 0)
        return -1;
    cfg->fetch_allow_private = p;
    return 0;
}

static int set_office_hours(config_t *cfg, const char *v)
{
    unsigned h1, m1, h2, m2;
    char tail;
    if (sscanf(v, "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 > 23 || h2 > 24 ||
        m1 > 59 || m2 > 59 || h1 * 60 + m1 >= h2 * 60 + m2 || h2 * 60 + m2 > 1440)
        return -1;
    cfg->office_open = h1 * 60 + m1;
    cfg->office_close = h2 * 60 + m2;
    return 0;
}

/* A list of addresses or networks into list and its count *n. */
static int addr_list(const char *v, netaddr_t *list, unsigned *n)
{
    int got = netaddr_parse_list(v, list, CONFIG_PROXIES_MAX, NULL);
    if (got < 0)
        return -1;
    *n = (unsigned)got;
    return 0;
}

static int set_trusted_proxies(config_t *cfg, const char *v)
{
    return addr_list(v, cfg->trusted_proxies, &cfg->ntrusted_proxies);
}

static int set_metrics_allow(config_t *cfg, const char *v)
{
    return addr_list(v, cfg->metrics_allow, &cfg->nmetrics_allow);
}

static int set_twofa_roles(config_t *cfg, const char *v)
{
    return parse_roles(v, &cfg->twofa_roles);
}

/* What a row's value is: a number in a range (stored times scale), a text
 * (copied into a buffer of the field's size after an optional check), one
 * of two words (a bool: the second word is true), or its own parser. */
typedef enum { KEY_UINT, KEY_TEXT, KEY_CHOICE, KEY_CUSTOM } key_kind;

typedef struct {
    const char *env, *section, *name;
    key_kind kind;
    size_t off, size;            /* the field in config_t (KEY_UINT, KEY_TEXT, KEY_CHOICE) */
    unsigned lo, hi;             /* KEY_UINT: the range as typed */
    unsigned scale;              /* KEY_UINT: stored as value * scale (units to seconds...) */
    int (*check)(const char *v); /* KEY_TEXT: NULL or the test */
    const char *no, *yes;        /* KEY_CHOICE: false's and true's word */
    int (*set)(config_t *cfg, const char *v); /* KEY_CUSTOM */
    const char *why;                          /* the error's "expected ..." */
} setting_t;

#define FIELD(f) offsetof(config_t, f), sizeof(((config_t *)0)->f)
#define UINT(env, sec, name, f, lo, hi, scale, why)                                                \
    {                                                                                              \
        env, sec, name, KEY_UINT, FIELD(f), lo, hi, scale, NULL, NULL, NULL, NULL, why             \
    }
#define TEXT(env, sec, name, f, check, why)                                                        \
    {                                                                                              \
        env, sec, name, KEY_TEXT, FIELD(f), 0, 0, 0, check, NULL, NULL, NULL, why                  \
    }
#define CHOICE(env, sec, name, f, no, yes, why)                                                    \
    {                                                                                              \
        env, sec, name, KEY_CHOICE, FIELD(f), 0, 0, 0, NULL, no, yes, NULL, why                    \
    }
#define CUSTOM(env, sec, name, fn, why)                                                            \
    {                                                                                              \
        env, sec, name, KEY_CUSTOM, 0, 0, 0, 0, 0, NULL, NULL, NULL, fn, why                       \
    }

static const setting_t keys[] = {
    CUSTOM("ADUAN_LISTEN", "server", "listen", parse_listen,
           "expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0: any free port)"),
    TEXT("ADUAN_PUBLIC_URL", "server", "public_url", public_url, http_url,
         "expected an http:// or https:// URL"),
    UINT("ADUAN_THREADS", "server", "threads", threads, 1, 64, 1, "expected a number from 1 to 64"),
    TEXT("ADUAN_DATABASE_URL", "database", "url", database_url, database_url,
         "expected sqlite:PATH or postgres://USER@HOST:PORT/DATABASE"),
    UINT("ADUAN_DB_POOL_SIZE", "database", "pool_size", db_pool_size, 1, 64, 1,
         "expected a number from 1 to 64"),
    TEXT("ADUAN_TIMEZONE", "general", "timezone", timezone, valid_timezone,
         "expected an IANA time zone known to this machine, e.g. Asia/Makassar"),
    TEXT("ADUAN_MEDIA_DIR", "general", "media_dir", media_dir, NULL, "expected a directory path"),
    CUSTOM("ADUAN_LOG_LEVEL", "general", "log_level", set_log_level,
           "expected debug, info, warn or error"),
    UINT("ADUAN_SESSION_HOURS", "auth", "session_hours", session_hours, 1, 720, 1,
         "expected a number of hours from 1 to 720"),
    TEXT("ADUAN_WA_APP_SECRET", "whatsapp", "app_secret", wa_app_secret, printable,
         "expected the app secret (printable, no spaces)"),
    TEXT("ADUAN_WA_VERIFY_TOKEN", "whatsapp", "verify_token", wa_verify_token, printable,
         "expected the verify token (printable, no spaces)"),
    TEXT("ADUAN_WA_ACCESS_TOKEN", "whatsapp", "access_token", wa_access_token, printable,
         "expected the access token (printable, no spaces)"),
    TEXT("ADUAN_WA_GRAPH_URL", "whatsapp", "graph_url", wa_graph_url, http_url_no_slash,
         "expected an http:// or https:// URL without a trailing slash"),
    TEXT("ADUAN_TELEGRAM_API", "telegram", "api_url", telegram_api, http_url_no_slash,
         "expected an http:// or https:// URL without a trailing slash"),
    UINT("ADUAN_WA_DAILY_LIMIT", "whatsapp", "daily_limit", wa_daily_limit, 1, 1000, 1,
         "expected a number of reports from 1 to 1000"),
    CUSTOM("ADUAN_OFFICE_HOURS", "general", "office_hours", set_office_hours,
           "expected HH:MM-HH:MM, e.g. 07:30-16:00"),
    UINT("ADUAN_SCHED_TICK_MS", "sla", "tick_ms", sched_tick_ms, 50, 3600000, 1,
         "expected milliseconds from 50 to 3600000"),
    TEXT("ADUAN_SLA_TEMPLATE", "sla", "template", sla_template, template_name,
         "expected a template name: lower-case letters, digits and _"),
    UINT("ADUAN_ALERT_ACCEPT_MINUTES", "dispatch", "accept_minutes", alert_accept_seconds, 1, 1440,
         60, "expected a number of minutes from 1 to 1440"),
    UINT("ADUAN_ALERT_ACCEPT_SECONDS", "dispatch", "accept_seconds", alert_accept_seconds, 1, 86400,
         1, "expected a number of seconds from 1 to 86400"),
    UINT("ADUAN_DUPLICATE_RADIUS", "dispatch", "duplicate_radius", dup_radius_m, 1, 10000, 1,
         "expected a distance in metres from 1 to 10000"),
    UINT("ADUAN_DUPLICATE_WINDOW_EMERGENCY", "dispatch", "duplicate_window_emergency",
         dup_window_emergency_s, 1, 10080, 60, "expected a number of minutes from 1 to 10080"),
    UINT("ADUAN_DUPLICATE_WINDOW", "dispatch", "duplicate_window", dup_window_s, 1, 2160, 3600,
         "expected a number of hours from 1 to 2160"),
    UINT("ADUAN_SERVICE_RETENTION_DAYS", "services", "retention_days", svc_retention_days, 1, 3650,
         1, "expected a number of days from 1 to 3650"),
    TEXT("ADUAN_DATA_KEY", "services", "data_key", svc_data_key, hex_key,
         "expected 64 hex digits (32 random bytes, e.g. from openssl rand -hex 32)"),
    TEXT("ADUAN_MAP_TILE_URL", "map", "tile_url", map_tile_url, valid_tile_url,
         "expected an http(s) tile URL with {z}, {x} and {y}, e.g. "
         "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"),
    TEXT("ADUAN_OPEN311_JURISDICTION", "open311", "jurisdiction", open311_jurisdiction, printable,
         "expected a domain name without spaces, e.g. balangankab.go.id"),
    CHOICE("ADUAN_IKM_WEIGHT", "survey", "ikm_weight", ikm_weight_0111, "exact", "0.111",
           "expected exact (1/9) or 0.111"),
    CUSTOM("ADUAN_TRUSTED_PROXIES", "server", "trusted_proxies", set_trusted_proxies,
           "expected addresses or networks separated by commas, e.g. 127.0.0.1,::1 or "
           "10.0.0.0/24 (at most 16)"),
    UINT("ADUAN_HEADER_TIMEOUT", "server", "header_timeout", header_timeout_s, 1, 300, 1,
         "expected a number of seconds from 1 to 300"),
    UINT("ADUAN_LOGIN_LOCK_MINUTES", "auth", "login_lock_minutes", login_lock_s, 1, 1440, 60,
         "expected a number of minutes from 1 to 1440"),
    UINT("ADUAN_LOGIN_LOCK_SECONDS", "auth", "login_lock_seconds", login_lock_s, 1, 86400, 1,
         "expected a number of seconds from 1 to 86400"),
    UINT("ADUAN_RAW_RETENTION_HOURS", "retention", "raw_hours", raw_retention_s, 1, 720, 3600,
         "expected a number of hours from 1 to 720"),
    UINT("ADUAN_RAW_RETENTION_SECONDS", "retention", "raw_seconds", raw_retention_s, 1, 2592000, 1,
         "expected a number of seconds from 1 to 2592000"),
    CHOICE("ADUAN_DURABILITY", "database", "durability", durability_process, "fsync", "process",
           "expected fsync (survives a power cut) or process (survives a crash of aduan)"),
    CHOICE("ADUAN_ALLOW_UNSAFE_DB", "database", "allow_unsafe", allow_unsafe_db, "0", "1",
           "expected 0 or 1"),
    CUSTOM("ADUAN_2FA_REQUIRED_ROLES", "auth", "2fa_required_roles", set_twofa_roles,
           "expected role names separated by commas (superadmin, admin, supervisor, field, "
           "viewer), or empty"),
    UINT("ADUAN_AUDIT_RETENTION_DAYS", "audit", "retention_days", audit_retention_days, 30, 3650, 1,
         "expected 30 to 3650 days"),
    CUSTOM("ADUAN_FETCH_ALLOW_PRIVATE", "server", "fetch_allow_private", set_fetch_allow_private,
           "expected 0 (public addresses only), 1 (any address) or loopback (this machine "
           "too)"),
    CUSTOM("ADUAN_METRICS_ALLOW", "server", "metrics_allow", set_metrics_allow,
           "expected addresses or networks separated by commas, e.g. 10.0.0.7 or "
           "10.0.0.0/24 (at most 16)"),
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* Applies v to the row's field: 0 when taken, -1 (nothing changed) when not. */
static int set_value(config_t *cfg, const setting_t *k, const char *v)
{
    char *field = (char *)cfg + k->off;
    unsigned u;
    switch (k->kind) {
    case KEY_UINT:
        if (parse_uint(v, k->lo, k->hi, &u) != 0)
            return -1;
        *(unsigned *)(void *)field = u * k->scale;
        return 0;
    case KEY_TEXT:
        if (k->check && !k->check(v))
            return -1;
        return copy(field, k->size, v);
    case KEY_CHOICE:
        if (strcmp(v, k->no) != 0 && strcmp(v, k->yes) != 0)
            return -1;
        *(bool *)(void *)field = strcmp(v, k->yes) == 0;
        return 0;
    case KEY_CUSTOM:
        return k->set(cfg, v);
    }
    return -1;
}

/* The one line of a refused value: key, what was expected, what was given
 * (a password in a URL hidden, a secret not shown at all). */
static void bad_value(const setting_t *k, const char *v, const char *pre, const char *post,
                      char *err, size_t errlen)
{
    char shown[CONFIG_URL_MAX];
    config_redact_url(v, shown, sizeof shown);
    if (strstr(k->env, "SECRET") || strstr(k->env, "TOKEN"))
        snprintf(shown, sizeof shown, "***");
    snprintf(err, errlen, "%s%s%s: %s (got \"%.80s\")", pre, k->env, post, k->why, shown);
}

err_t config_set(config_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
    for (size_t k = 0; k < NKEYS; k++) {
        if (strcmp(keys[k].env, key) != 0)
            continue;
        if (set_value(cfg, &keys[k], value) != 0) {
            bad_value(&keys[k], value, "", "", err, errlen);
            return ERR_INVALID;
        }
        return ERR_OK;
    }
    snprintf(err, errlen, "%s: unknown setting", key);
    return ERR_INVALID;
}

struct ini_ctx {
    config_t *cfg;
    char *err;
    size_t errlen;
    const char *path;
    int failed;
};

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    struct ini_ctx *c = user;
    if (c->failed)
        return 0;
    for (size_t k = 0; k < NKEYS; k++) {
        if (strcmp(keys[k].section, section) != 0 || strcmp(keys[k].name, name) != 0)
            continue;
        if (set_value(c->cfg, &keys[k], value) != 0) {
            char pre[CONFIG_PATH_MAX + 128];
            snprintf(pre, sizeof pre, "%s: [%s] %s (", c->path, section, name);
            bad_value(&keys[k], value, pre, ")", c->err, c->errlen);
            c->failed = 1;
            return 0;
        }
        return 1;
    }
    snprintf(c->err, c->errlen, "%s: [%s] %s: unknown setting", c->path, section, name);
    c->failed = 1;
    return 0;
}

/* The public URL when none is set: this server's own address. */
static void default_public_url(config_t *cfg)
{
    snprintf(cfg->public_url, sizeof cfg->public_url, "http://%s:%u",
             strcmp(cfg->listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : cfg->listen_host,
             cfg->listen_port);
    cfg->public_url_derived = true;
}

err_t config_load(config_t *cfg, const char *path, int required, char *err, size_t errlen)
{
    config_defaults(cfg);
    if (path) {
        FILE *f = fopen(path, "r");
        if (!f && (required || errno != ENOENT)) {
            snprintf(err, errlen, "%s: cannot read configuration file: %s", path, strerror(errno));
            return ERR_IO;
        }
        if (f) {
            struct ini_ctx c = {cfg, err, errlen, path, 0};
            int line = ini_parse_file(f, on_ini, &c);
            fclose(f);
            if (c.failed)
                return ERR_INVALID;
            if (line != 0) {
                snprintf(err, errlen, "%s:%d: syntax error", path, line);
                return ERR_INVALID;
            }
        }
    }
    for (size_t k = 0; k < NKEYS; k++) {
        const char *v = getenv(keys[k].env);
        if (!v)
            continue;
        err_t rc = config_set(cfg, keys[k].env, v, err, errlen);
        if (rc != ERR_OK)
            return rc;
    }
    config_redact_url(cfg->database_url, cfg->database_shown, sizeof cfg->database_shown);
    if (!cfg->public_url[0])
        default_public_url(cfg);
    return ERR_OK;
}

void config_set_port(config_t *cfg, unsigned port)
{
    bool derived = cfg->public_url_derived;
    cfg->listen_port = port;
    if (derived)
        default_public_url(cfg);
}

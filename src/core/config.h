/* config: settings from aduan.conf (INI) overridden by ADUAN_* variables.
 *
 * Every setting has a default, so the server runs without any file. A bad
 * value is reported in one line that names the key; callers exit with 2. */
#ifndef ADUAN_CONFIG_H
#define ADUAN_CONFIG_H

#include "core/err.h"
#include "core/netaddr.h"

#include <stdbool.h>
#include <stddef.h>

/* Caps of the text settings; a longer value is an error, not a truncation. */
#define CONFIG_PATH_MAX   512
#define CONFIG_URL_MAX    1024
#define CONFIG_HOST_MAX   256
#define CONFIG_SECRET_MAX 1024 /* Meta's long-lived tokens are a few hundred bytes */
/* Trusted proxies: a deployment has one nginx, or a pair, or a subnet of
 * load balancers; sixteen entries is room to spare. */
#define CONFIG_PROXIES_MAX 16

typedef struct {
    char listen_host[CONFIG_HOST_MAX]; /* IPv4/IPv6 literal or "localhost" */
    unsigned listen_port;              /* 1..65535; 0 until bound: any free port */
    char public_url[CONFIG_URL_MAX];   /* base of links we send out */
    bool public_url_derived;           /* public_url was made from listen_host:listen_port */
    char database_url[CONFIG_URL_MAX];
    char database_shown[CONFIG_URL_MAX]; /* database_url without its password */ /* "sqlite:PATH" */
    unsigned db_pool_size; /* connections, 1..64 */
    /* ADUAN_DURABILITY=process: an acknowledged write survives a crash of
     * the process but not a power cut (false, the default "fsync": both). */
    bool durability_process;
    /* ADUAN_ALLOW_UNSAFE_DB=1: serve on a PostgreSQL that would lose or
     * corrupt data on a power cut (fsync=off...): throwaway test clusters. */
    bool allow_unsafe_db;
    /* ADUAN_FETCH_ALLOW_PRIVATE: what the SSRF guard lets through
     * (netguard_policy_t: 0 public addresses only, 1 any, 2 loopback too). */
    int fetch_allow_private;
    unsigned threads;                /* HTTP worker threads, 1..64 */
    char timezone[64];               /* IANA name, e.g. Asia/Makassar */
    char media_dir[CONFIG_PATH_MAX]; /* attachments, named by sha256 */
    int log_level;                   /* log_level_t */
    unsigned session_hours;          /* session lifetime, 1..720 hours */
    /* WhatsApp Cloud API (docs/WHATSAPP.md). Secrets: never logged. */
    char wa_app_secret[CONFIG_SECRET_MAX];   /* HMAC key of X-Hub-Signature-256 */
    char wa_verify_token[CONFIG_SECRET_MAX]; /* the webhook handshake's token */
    char wa_access_token[CONFIG_SECRET_MAX]; /* bearer for sending; "" = simulator */
    char wa_graph_url[CONFIG_URL_MAX];       /* e.g. https://graph.facebook.com/v23.0 */
    unsigned wa_daily_limit;                 /* reports per citizen per agency per day */
    /* Telegram Bot API (docs/CHANNELS.md): its base URL; the bots' tokens
     * are the agencies' (channel_endpoints). */
    char telegram_api[CONFIG_URL_MAX];  /* e.g. https://api.telegram.org */
    unsigned office_open, office_close; /* minutes after local midnight, Mon-Fri */
    /* SLA scheduler (issue #6). */
    unsigned sched_tick_ms; /* between checks of deadlines, 50..3600000 */
    char sla_template[128]; /* approved template of staff SLA alerts */
    /* Field dispatch (issue #6). */
    unsigned alert_accept_seconds;   /* an emergency alert waits this long for an accept */
    unsigned dup_radius_m;           /* a likely duplicate is within this distance, metres */
    unsigned dup_window_emergency_s; /* ...reported this soon after an emergency, seconds */
    unsigned dup_window_s;           /* ...or after another open case, seconds */
    unsigned svc_retention_days;     /* service files kept after the request closes (UU PDP) */
    /* Raw webhook bodies are removed this long after processing (UU PDP;
     * ADUAN_RAW_RETENTION_HOURS, or _SECONDS for tests), 1 s .. 30 days. */
    unsigned raw_retention_s;
    /* Key that encrypts NIKs (and dead letters' bodies) at rest (32 bytes as 64 hex digits); "" =
     * stored as typed. Secret: never logged. */
    char svc_data_key[65];
    /* Map tiles of the dashboard: {z}/{x}/{y} and an optional {s}. */
    char map_tile_url[CONFIG_URL_MAX];
    /* Open311 (issue 17): the jurisdiction_id clients must name, e.g.
     * balangankab.go.id; "" accepts any (or none). */
    char open311_jurisdiction[CONFIG_HOST_MAX];
    /* IKM weight per unsur when a request does not choose: false the exact
     * 1/9, true the printed 0.111 (PermenPANRB 14/2017, old spreadsheets). */
    bool ikm_weight_0111;
    /* Peers whose X-Forwarded-For names the client (nginx in front):
     * addresses or networks. None: the header is never believed. */
    netaddr_t trusted_proxies[CONFIG_PROXIES_MAX];
    unsigned ntrusted_proxies;
    unsigned header_timeout_s; /* a silence this long while the request's headers
                                * arrive closes the connection, seconds */
    unsigned login_lock_s;     /* a (login, address) pair, or under a distributed
                                * attack the login, stays locked this long, seconds */
    /* Issue #19: roles whose users must sign in with a second factor (a
     * bit per role, CONFIG_ROLE_BIT of lifecycle.h's role order), and the
     * days the audit log keeps an entry (30..3650). */
    unsigned twofa_roles;
    unsigned audit_retention_days;
    /* Who may read GET /metrics besides loopback (a Prometheus server on
     * another machine): addresses or networks. */
    netaddr_t metrics_allow[CONFIG_PROXIES_MAX];
    unsigned nmetrics_allow;
} config_t;

#define CONFIG_ROLE_BIT(role) (1u << (role))

/* Fills cfg with defaults. */
void config_defaults(config_t *cfg);

/* Loads defaults, then the INI file at path (NULL or a missing file is fine
 * when required is 0), then the environment. On failure returns ERR_INVALID
 * (bad value, unknown key) or ERR_IO (unreadable file) and writes one line
 * naming the key into err. */
err_t config_load(config_t *cfg, const char *path, int required, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Applies one setting by its environment name (e.g. "ADUAN_LISTEN").
 * Returns ERR_INVALID with a message in err on a bad value. */
err_t config_set(config_t *cfg, const char *key, const char *value, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Records the port the server was given for listen port 0, and makes the
 * public URL again when it was derived from the listen address. */
void config_set_port(config_t *cfg, unsigned port);

/* Writes url with its password hidden ("postgres://aduan:***@db/aduan",
 * "...?password=***"), for messages and logs. */
void config_redact_url(const char *url, char *out, size_t cap);

/* If url is "sqlite:PATH", returns PATH; otherwise NULL. */
const char *config_sqlite_path(const char *url);

#endif

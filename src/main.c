/* aduan: the command line. */
#include "admin.h"
#include "channels/telegram/tg.h"
#include "channels/email/email.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/netguard.h"
#include "core/secret.h"
#include "core/text.h"
#include "domain/export.h"
#include "domain/open311.h"
#include "domain/lifecycle.h"
#include "domain/report.h"
#include "domain/seed.h"
#include "http/http.h"
#include "jobs/jobs.h"
#include "store/store.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#ifndef ADUAN_VERSION
#define ADUAN_VERSION "0.1.0"
#endif

/* Exit codes: 0 done, 1 failed at run time, 2 bad usage or configuration. */
enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct {
    const char *name, *usage, *help;
} command_help;

static const command_help helps[] = {
    {"init", "aduan init [--demo] [--keep]",
     "Creates the database (and the media directory) and applies the migrations.\n"
     "  --demo  also fills it with the Kabupaten Balangan demo and prints the logins\n"
     "  --keep  if the database is already initialised, leave it and exit 0"},
    {"serve", "aduan serve [--port-file FILE]",
     "Runs the HTTP server until SIGINT or SIGTERM.\n"
     "  --port-file FILE  once listening, writes the port to FILE (one line); with\n"
     "                    ADUAN_LISTEN=127.0.0.1:0 the system picks a free port"},
    {"routes", "aduan routes",
     "Prints the HTTP routes, one a line: method, path, scope (what the path's {id}\n"
     "names, whose agency the user needs a role in), the roles that may use it, the\n"
     "body limit in bytes, and \"sim\" for the simulator's (off with a Meta token)."},
    {"migrate", "aduan migrate [--to postgres://USER@HOST:PORT/DATABASE]",
     "Applies pending database migrations and prints the version.\n"
     "  --to URL  copies this (SQLite) deployment into an empty PostgreSQL database:\n"
     "            migrates both, copies every row with its id in one transaction,\n"
     "            and commits only if every table's row count matches."},
    {"user",
     "aduan user add LOGIN --name NAME --role ROLE [--agency ID|CODE]\n"
     "       aduan user list\n"
     "       aduan user passwd LOGIN\n"
     "       aduan user disable|enable LOGIN\n"
     "       aduan user wa LOGIN NUMBER|-\n"
     "       aduan user 2fa-reset LOGIN",
     "Manages staff accounts. Roles: superadmin, admin, supervisor, field, viewer.\n"
     "'user wa' sets the officer's own WhatsApp number (e.g. 0812..., or - to\n"
     "remove it): alerts go to it and the officer may act on cases by WhatsApp.\n"
     "Every role but superadmin needs --agency. Passwords are read from the\n"
     "terminal without echo, or as one line from standard input; never from\n"
     "the command line.\n"
     "'user 2fa-reset' (the superadmin's remedy for a lost phone) removes the\n"
     "user's two-step verification key and recovery codes and ends their\n"
     "sessions; a role that requires it enrols again at the next sign-in.\n"
     "It is written to the audit log."},
    {"agency", admin_usage_agency,
     "Adds and lists agencies, and registers the WhatsApp phone-number ids they\n"
     "answer on (the id Meta shows for the number, not the phone number)."},
    {"category", admin_usage_category,
     "Adds and lists the categories of an agency's reports and requests, with\n"
     "their workflow kind and service level in hours."},
    {"team", admin_usage_team,
     "Adds and lists field teams (TRC posts, fire crews) with their base\n"
     "location, and adds staff to them."},
    {"region", admin_usage_region,
     "Imports kecamatan boundaries: a GeoJSON FeatureCollection of Polygon or\n"
     "MultiPolygon features ([longitude, latitude], holes allowed) whose\n"
     "properties carry the Kemendagri code of a known kecamatan, e.g.\n"
     "{\"kode\": \"63.11.06\"}. A report with a location then gets the kecamatan\n"
     "whose boundary holds its point, and cases located before get theirs too.\n"
     "The file is checked whole first: a malformed file or an unknown code\n"
     "changes nothing. 'list' shows the kecamatan and which have a boundary."},
    {"report", "aduan report monthly --agency ID|CODE --month YYYY-MM -o FILE.pdf [--weight 0.111]",
     "Writes an agency's monthly report as a PDF: totals, resolution ratio against\n"
     "the 91% target, times, the IKM per unsur with a chart, per-kecamatan and\n"
     "per-team tables, the longest-open cases and the IGA evidence summary. The\n"
     "numbers are those of GET /api/v1/stats for the same month."},
    {"export", export_usage,
     "Writes the cases matching the filters as CSV (UTF-8 with BOM, for\n"
     "spreadsheets), newest first, in constant memory, with a progress bar on\n"
     "a terminal. The default columns include the reporter's name, phone and\n"
     "address: handle the file as personal data. --columns picks others."},
    {"open311", open311_usage,
     "Manages the API keys of Open311 GeoReport v2 clients (docs/OPEN311.md).\n"
     "'key add' prints a new key on its last line, once: only its SHA-256 is kept.\n"
     "A client has one active key; 'key revoke' ends it (then 'key add' again)."},
    {"email", email_usage,
     "Connects an agency's mailbox (issue 16, docs/CHANNELS.md \"Email\"): new mail\n"
     "is fetched over IMAP and becomes a case, answers go out over SMTP. The\n"
     "password is read from the first line of --password-file. '--starttls try'\n"
     "lets smtp:// and imap:// go without TLS when the server offers none (tests\n"
     "only). 'list' shows the mailboxes, never their passwords."},
    {"backup", admin_usage_backup,
     "Writes a consistent copy of the database to FILE while aduan serves, and the\n"
     "media directory to FILE.media.tar. SQLite: the online backup API (one\n"
     "snapshot), then integrity_check and foreign_key_check on the copy; --gzip\n"
     "compresses it. PostgreSQL: pg_dump -Fc, then pg_restore -l must list it.\n"
     "FILE gets its name only once every check passed. --no-media: no archive."},
    {"restore", admin_usage_restore,
     "Restores a backup into an empty database (a new SQLite file, or a\n"
     "PostgreSQL database with no tables): checks the backup first (integrity,\n"
     "schema version), migrates it to this aduan's schema, and for SQLite into\n"
     "PostgreSQL commits only if every table's row count matches (as migrate\n"
     "--to). A pg_dump file restores into PostgreSQL with pg_restore in one\n"
     "transaction. FILE.media.tar, if beside FILE, is unpacked into the media\n"
     "directory (ADUAN_MEDIA_DIR, or --media-to DIR)."},
    {"telegram", tg_cli_usage,
     "Connects an agency's Telegram bot (docs/CHANNELS.md): 'connect' keeps the\n"
     "token BotFather gave, makes a new webhook secret and calls setWebhook with\n"
     "ADUAN_PUBLIC_URL/webhooks/telegram/AGENCY; nothing changes when Telegram\n"
     "refuses; '--token -' reads the token from standard input. 'status' shows\n"
     "getWebhookInfo of each bot (or one agency's);\n"
     "'disconnect' calls deleteWebhook and forgets the token."},
    {"version", "aduan version", "Prints the version."},
    {"help", "aduan help [COMMAND]", "Shows help for a command."},
};

static const char *usage_of(const char *name)
{
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
        if (strcmp(helps[i].name, name) == 0)
            return helps[i].usage;
    return "";
}

static void usage_all(FILE *f)
{
    fprintf(f, "aduan %s: WhatsApp-first complaint and service desk\n\nUsage:\n", ADUAN_VERSION);
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
        fprintf(f, "  %s\n", helps[i].usage);
    fprintf(f,
            "\nOptions for every command: --config FILE (default: $ADUAN_CONFIG or ./aduan.conf)\n"
            "Settings: see README.md (ADUAN_LISTEN, ADUAN_DATABASE_URL, ...).\n");
}

static int cmd_help(const char *topic)
{
    if (!topic) {
        usage_all(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        if (strcmp(helps[i].name, topic) == 0) {
            printf("Usage: %s\n\n%s\n", helps[i].usage, helps[i].help);
            return 0;
        }
    }
    fprintf(stderr, "aduan: unknown command '%s'; see 'aduan help'\n", topic);
    return EXIT_USAGE;
}

/* Prints one error line and returns rc. */
__attribute__((format(printf, 2, 3))) static int complain(int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- shared set-up -------------------------------------------------------- */

static int load_config(const char *path, config_t *cfg)
{
    char err[512];
    int required = path != NULL;
    if (!path)
        path = getenv("ADUAN_CONFIG");
    if (path && getenv("ADUAN_CONFIG") && !required)
        required = 1;
    if (!path)
        path = "aduan.conf";
    if (config_load(cfg, path, required, err, sizeof err) != ERR_OK) {
        fprintf(stderr, "aduan: configuration error: %s\n", err);
        return EXIT_USAGE;
    }
    log_set_level((log_level_t)cfg->log_level);
    netguard_set_policy((netguard_policy_t)cfg->fetch_allow_private);
    clock_init(cfg->timezone);
    return 0;
}

/* mkdir -p for the directory part of path (or path itself when dir). */
static int make_dirs(const char *path, int is_dir)
{
    char buf[CONFIG_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    if (!is_dir) {
        char *slash = strrchr(buf, '/');
        if (!slash)
            return 0;
        *slash = '\0';
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (buf[0] && mkdir(buf, 0750) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int open_store(const config_t *cfg, store_t **s, int migrate)
{
    const char *path = config_sqlite_path(cfg->database_url);
    if (path && make_dirs(path, 0) != 0) {
        fprintf(stderr, "aduan: cannot create the directory of %s: %s\n", path, strerror(errno));
        return EXIT_FAIL;
    }
    err_t e = store_open(cfg->database_url, cfg->db_pool_size, s);
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: cannot open the database %s: %s\n", cfg->database_shown,
                err_str_lang(e, "en"));
        return EXIT_FAIL;
    }
    store_set_durability(*s, cfg->durability_process ? STORE_DURABLE_PROCESS : STORE_DURABLE_FSYNC);
    if (migrate) {
        e = store_migrate(*s, NULL);
        if (e != ERR_OK) {
            fprintf(stderr, "aduan: database migration failed: %s\n", err_str_lang(e, "en"));
            store_close(*s);
            *s = NULL;
            return EXIT_FAIL;
        }
    }
    return 0;
}

/* ---- commands ------------------------------------------------------------- */

static int cmd_init(const config_t *cfg, int demo, int keep)
{
    store_t *s = NULL;
    store_agency *ag;
    size_t n = 0;
    int rc = open_store(cfg, &s, 1);
    if (rc)
        return rc;
    arena_t *ar = arena_new();
    err_t e = ar ? store_agency_list(s, ar, &ag, &n) : ERR_NOMEM;
    arena_destroy(ar);
    if (e == ERR_OK && n > 0) {
        store_close(s);
        if (keep) {
            printf("aduan: database %s is already initialised; kept as it is.\n",
                   cfg->database_shown);
            if (demo)
                seed_print_logins(stdout);
            return 0;
        }
        fprintf(stderr, "aduan: database %s is already initialised\n", cfg->database_shown);
        return EXIT_FAIL;
    }
    if (make_dirs(cfg->media_dir, 1) != 0) {
        fprintf(stderr, "aduan: cannot create media directory %s: %s\n", cfg->media_dir,
                strerror(errno));
        store_close(s);
        return EXIT_FAIL;
    }
    if (e == ERR_OK)
        e = demo ? seed_demo(s, clock_now()) : seed_regions(s);
    store_close(s);
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: initialisation failed: %s\n", err_str_lang(e, "en"));
        return EXIT_FAIL;
    }
    printf("aduan: initialised %s%s\n", cfg->database_shown, demo ? " with the demo data" : "");
    if (demo)
        seed_print_logins(stdout);
    else
        printf("Next: create the first account with 'aduan user add LOGIN --name NAME --role "
               "superadmin'\n");
    return 0;
}

static void progress_bar(void *ctx, const char *table, int64_t done, int64_t total)
{
    (void)ctx;
    int pct = total ? (int)(done * 100 / total) : 100;
    int fill = pct / 4;
    fprintf(stderr, "\r[%.*s%*s] %3d%% %lld/%lld %-15s", fill, "#########################",
            25 - fill, "", pct, (long long)done, (long long)total, table);
    if (done == total)
        fputc('\n', stderr);
}

static int migrate_to(const config_t *cfg, const char *url)
{
    store_t *src = NULL, *dst = NULL;
    char report[8192]; /* a line of about 45 bytes per table */
    const char *path = config_sqlite_path(cfg->database_url);
    if (!path) {
        fprintf(stderr, "aduan: migrate --to copies a SQLite database; %s is not one\n",
                cfg->database_shown);
        return EXIT_USAGE;
    }
    if (strncmp(url, "postgres://", 11) != 0 && strncmp(url, "postgresql://", 13) != 0) {
        fprintf(stderr, "aduan: --to: expected postgres://USER@HOST:PORT/DATABASE\n");
        return EXIT_USAGE;
    }
    int rc = open_store(cfg, &src, 1);
    if (rc)
        return rc;
    store_close(src);
    err_t e = store_open(url, 1, &dst);
    if (e == ERR_OK)
        e = store_migrate(dst, NULL);
    store_close(dst);
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: cannot prepare the PostgreSQL database: %s\n",
                err_str_lang(e, "en"));
        return EXIT_FAIL;
    }
    e = store_copy_sqlite_to_pg(path, url, isatty(STDERR_FILENO) ? progress_bar : NULL, NULL,
                                report, sizeof report);
    if (e != ERR_OK && e != ERR_INTERNAL) {
        fprintf(stderr, "aduan: migrate --to failed: %s\n", report);
        return EXIT_FAIL;
    }
    printf("%-15s %10s %10s\n%s", "TABLE", "SQLITE", "POSTGRES", report);
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: row counts differ; nothing was committed\n");
        return EXIT_FAIL;
    }
    printf("aduan: copied into PostgreSQL; every table's row count matches.\n"
           "Next: set ADUAN_DATABASE_URL to the new database and restart aduan.\n");
    return 0;
}

static int cmd_migrate(const config_t *cfg)
{
    store_t *s = NULL;
    int applied = 0, version = 0;
    int rc = open_store(cfg, &s, 0);
    if (rc)
        return rc;
    err_t e = store_migrate(s, &applied);
    if (e == ERR_OK)
        e = store_schema_version(s, &version);
    store_close(s);
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: migration failed: %s\n", err_str_lang(e, "en"));
        return EXIT_FAIL;
    }
    printf("aduan: schema version %d (%d migration%s applied)\n", version, applied,
           applied == 1 ? "" : "s");
    return 0;
}

/* A server acknowledges what it stores: refuse a database that would lose
 * it on a power cut, unless the operator said it is a throwaway one. */
static int check_durable(const config_t *cfg, store_t *s)
{
    char why[512];
    store_durability d = cfg->durability_process ? STORE_DURABLE_PROCESS : STORE_DURABLE_FSYNC;
    err_t e = store_check_durable(s, d, why, sizeof why);
    if (e == ERR_CONFLICT && cfg->allow_unsafe_db) {
        log_warn("main",
                 "event=unsafe_database msg=\"%s; serving anyway (ADUAN_ALLOW_UNSAFE_DB=1)\"", why);
        return 0;
    }
    if (e == ERR_CONFLICT) {
        fprintf(stderr,
                "aduan: refusing to serve: the PostgreSQL server runs with %s. Set them on in "
                "postgresql.conf (fsync, full_page_writes and synchronous_commit must stay on: "
                "docs/DEPLOY.md), or set ADUAN_ALLOW_UNSAFE_DB=1 for a throwaway test "
                "database.\n",
                why);
        return EXIT_FAIL;
    }
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: cannot read the database's durability settings: %s\n",
                err_str_lang(e, "en"));
        return EXIT_FAIL;
    }
    return 0;
}

/* The port being served, as one line in path (written whole: a reader
 * never sees a part), for a caller that asked for port 0. */
static err_t write_port_file(const char *path, unsigned port)
{
    char tmp[CONFIG_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "aduan: cannot write %s: %s\n", tmp, strerror(errno));
        return ERR_IO;
    }
    int bad = fprintf(f, "%u\n", port) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "aduan: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return ERR_IO;
    }
    return ERR_OK;
}

static int cmd_serve(config_t *cfg, const char *port_file)
{
    if (!cfg->wa_access_token[0] && !cfg->wa_app_secret[0]) {
        /* Simulator mode without a secret: the simulator signs with one made
         * for this run, so the demo exercises the real webhook path. */
        unsigned char rnd[24];
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2hex(cfg->wa_app_secret, sizeof cfg->wa_app_secret, rnd, sizeof rnd);
        log_info("main", "event=simulator_secret msg=\"no Meta access token: simulator mode at "
                         "/sim with a webhook secret made for this run\"");
    }
    store_t *s = NULL;
    http_server_t *srv = NULL;
    int rc = open_store(cfg, &s, 1);
    if (rc)
        return rc;
    rc = check_durable(cfg, s);
    if (rc) {
        store_close(s);
        return rc;
    }
    err_t e = store_claim(s);
    if (e == ERR_CONFLICT) {
        fprintf(stderr,
                "aduan: another 'aduan serve' already owns %s; a SQLite database has one server "
                "process (use PostgreSQL to run several instances)\n",
                cfg->database_shown);
        store_close(s);
        return EXIT_FAIL;
    }
    /* SIGINT and SIGTERM are blocked before any thread starts, so every
     * thread inherits the mask and only sigwait() below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    jobs_t *jobs = NULL;
    sched_t *sched = NULL;
    int lfd = -1;
    /* Bound first: with listen port 0 the port chosen is in cfg (and the
     * public URL made from it) before anything reads them. */
    if (e == ERR_OK)
        e = http_listen(cfg, &lfd);
    if (e == ERR_OK)
        e = jobs_start(cfg, s, &jobs);
    if (e == ERR_OK)
        e = sched_start(cfg, s, &sched);
    if (e == ERR_OK) {
        e = http_server_start(cfg, s, jobs, lfd, &srv);
        lfd = -1;
    }
    if (e == ERR_OK && port_file)
        e = write_port_file(port_file, cfg->listen_port);
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: cannot listen on %s:%u (is it in use?)\n", cfg->listen_host,
                cfg->listen_port);
        if (lfd >= 0)
            close(lfd);
        http_server_stop(srv);
        sched_stop(sched);
        jobs_stop(jobs);
        store_close(s);
        return EXIT_FAIL;
    }
    log_info("main", "event=listening host=%s port=%u url=%s version=%s", cfg->listen_host,
             cfg->listen_port, cfg->public_url, ADUAN_VERSION);
    if (!cfg->wa_access_token[0])
        printf("WhatsApp simulator (no Meta access token): %s/sim\n", cfg->public_url);
    printf("aduan %s: serving on %s\n", ADUAN_VERSION, cfg->public_url);
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    log_info("main", "event=stopping signal=%d", sig);
    http_server_stop(srv);
    sched_stop(sched);
    jobs_stop(jobs);
    store_close(s);
    return 0;
}

/* Reads a password: without echo on a terminal (asked twice), or one line
 * from standard input. Returns 0, or -1 with a message printed. */
static int read_password(char *buf, size_t cap)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    char again[SECRET_PASSWORD_MAX + 2];
    for (int round = 0; round < (tty ? 2 : 1); round++) {
        char *dst = round == 0 ? buf : again;
        size_t dcap = round == 0 ? cap : sizeof again;
        if (tty) {
            fprintf(stderr, round == 0 ? "Password: " : "Again: ");
            tcgetattr(STDIN_FILENO, &old);
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        char *got = fgets(dst, (int)dcap, stdin);
        if (tty) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
            fputc('\n', stderr);
        }
        if (!got) {
            fprintf(stderr, "aduan: no password given on standard input\n");
            return -1;
        }
        dst[strcspn(dst, "\r\n")] = '\0';
    }
    if (tty && strcmp(buf, again) != 0) {
        fprintf(stderr, "aduan: the passwords differ\n");
        return -1;
    }
    size_t n = strlen(buf);
    if (n < SECRET_PASSWORD_MIN || n > SECRET_PASSWORD_MAX) {
        fprintf(stderr, "aduan: a password needs %d to %d characters\n", SECRET_PASSWORD_MIN,
                SECRET_PASSWORD_MAX);
        return -1;
    }
    return 0;
}

static int user_add(store_t *s, arena_t *ar, int argc, char **argv)
{
    const char *login = NULL, *name = NULL, *role = NULL, *agency = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else if (strcmp(argv[i], "--agency") == 0 && i + 1 < argc)
            agency = argv[++i];
        else if (argv[i][0] != '-' && !login)
            login = argv[i];
        else
            return complain(EXIT_USAGE, "aduan: user add: unexpected '%s'\n", argv[i]);
    }
    if (!login || !name || !role)
        return complain(EXIT_USAGE, "aduan: usage: %s\n", usage_of("user"));
    if (role_parse(role) < 0)
        return complain(EXIT_USAGE, "aduan: unknown role '%s'\n", role);
    bool super = strcmp(role, "superadmin") == 0;
    if (super == (agency != NULL))
        return complain(EXIT_USAGE, "aduan: --agency is required for every role but superadmin "
                                    "(and not allowed with it)\n");
    store_agency a = {0};
    if (agency && store_agency_find(s, ar, agency, &a) != ERR_OK)
        return complain(EXIT_FAIL, "aduan: unknown agency '%s'\n", agency);
    char pw[SECRET_PASSWORD_MAX + 2], hash[SECRET_HASH_BUF];
    int64_t id;
    if (read_password(pw, sizeof pw) != 0)
        return EXIT_FAIL;
    err_t e = secret_password_hash(pw, hash);
    if (e == ERR_OK)
        e = store_user_create(s, login, name, hash, clock_now(), &id);
    if (e == ERR_CONFLICT)
        return complain(EXIT_FAIL, "aduan: user '%s' already exists\n", login);
    if (e == ERR_OK)
        e = store_user_set_role(s, id, a.id, role);
    if (e != ERR_OK)
        return complain(EXIT_FAIL, "aduan: cannot add the user: %s\n", err_str_lang(e, "en"));
    printf("aduan: user %s added as %s%s%s\n", login, role, agency ? " of " : "",
           agency ? a.code : "");
    return 0;
}

static int user_list(store_t *s, arena_t *ar)
{
    store_user *u;
    size_t n;
    if (store_user_list(s, ar, &u, &n) != ERR_OK)
        return EXIT_FAIL;
    printf("%-24s %-32s %-8s %s\n", "LOGIN", "NAME", "STATE", "ROLES");
    for (size_t i = 0; i < n; i++) {
        store_role *r;
        size_t nr;
        if (store_user_roles(s, ar, u[i].id, &r, &nr) != ERR_OK)
            return EXIT_FAIL;
        printf("%-24s %-32s %-8s", u[i].login, u[i].name,
               u[i].disabled ? "disabled"
                             : (u[i].locked_until > clock_now() ? "locked" : "active"));
        for (size_t k = 0; k < nr; k++)
            printf(" %s@%s", r[k].role, r[k].agency_name ? r[k].agency_name : "*");
        printf("\n");
    }
    return 0;
}

static int user_change(store_t *s, arena_t *ar, const char *what, const char *login)
{
    store_user u;
    if (!login)
        return complain(EXIT_USAGE, "aduan: usage: aduan user %s LOGIN\n", what);
    err_t e = store_user_by_login(s, ar, login, &u);
    if (e == ERR_NOT_FOUND)
        return complain(EXIT_FAIL, "aduan: no user '%s'\n", login);
    if (e == ERR_OK && strcmp(what, "passwd") == 0) {
        char pw[SECRET_PASSWORD_MAX + 2], hash[SECRET_HASH_BUF];
        if (read_password(pw, sizeof pw) != 0)
            return EXIT_FAIL;
        e = secret_password_hash(pw, hash);
        if (e == ERR_OK)
            e = store_user_set_password(s, u.id, hash);
    } else if (e == ERR_OK) {
        e = store_user_set_disabled(s, u.id, strcmp(what, "disable") == 0);
    }
    if (e != ERR_OK)
        return complain(EXIT_FAIL, "aduan: %s failed: %s\n", what, err_str_lang(e, "en"));
    printf("aduan: user %s: %s done\n", login, what);
    return 0;
}

static int user_wa(store_t *s, arena_t *ar, int argc, char **argv)
{
    if (argc != 2)
        return complain(EXIT_USAGE, "aduan: usage: aduan user wa LOGIN NUMBER|-\n");
    store_user u;
    err_t e = store_user_by_login(s, ar, argv[0], &u);
    if (e == ERR_NOT_FOUND)
        return complain(EXIT_FAIL, "aduan: no user '%s'\n", argv[0]);
    char num[32];
    const char *wa = NULL;
    if (strcmp(argv[1], "-") != 0) {
        bool mobile = false;
        if (text_phone_normalize(argv[1], num, sizeof num, &mobile) != 0 || !mobile)
            return complain(EXIT_USAGE, "aduan: '%s' is not a mobile number\n", argv[1]);
        wa = num;
    }
    if (e == ERR_OK)
        e = store_user_set_mobile(s, u.id, wa);
    if (e == ERR_CONFLICT)
        return complain(EXIT_FAIL, "aduan: another user already has that number\n");
    if (e != ERR_OK)
        return complain(EXIT_FAIL, "aduan: user wa failed: %s\n", err_str_lang(e, "en"));
    printf("aduan: user %s: WhatsApp number %s\n", argv[0], wa ? "set" : "removed");
    return 0;
}

/* Removes a user's second factor (a lost phone): the key, the recovery
 * codes and the sessions, written to the audit log as the command line's. */
static int user_2fa_reset(store_t *s, arena_t *ar, int argc, char **argv)
{
    if (argc != 1)
        return complain(EXIT_USAGE, "aduan: usage: aduan user 2fa-reset LOGIN\n");
    store_user u;
    bool had = false;
    err_t e = store_user_by_login(s, ar, argv[0], &u);
    if (e == ERR_NOT_FOUND)
        return complain(EXIT_FAIL, "aduan: no user '%s'\n", argv[0]);
    if (e == ERR_OK)
        e = store_totp_reset(s, u.id, true, &had);
    if (e == ERR_OK) {
        store_audit_entry a = {0};
        a.at = clock_now();
        a.client = "cli";
        a.action = "2fa_reset";
        a.target = arena_printf(ar, "user:%lld", (long long)u.id);
        a.detail = had ? "key removed, sessions ended" : "no key; sessions ended";
        e = store_audit_add(s, &a);
    }
    if (e != ERR_OK)
        return complain(EXIT_FAIL, "aduan: user 2fa-reset failed: %s\n", err_str_lang(e, "en"));
    printf("aduan: user %s: two-step verification %s; sessions ended\n", argv[0],
           had ? "removed" : "was not set up");
    return 0;
}

static int cmd_user(const config_t *cfg, int argc, char **argv)
{
    if (argc < 1)
        return complain(EXIT_USAGE, "aduan: usage: %s\n", usage_of("user"));
    const char *sub = argv[0];
    if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "passwd") &&
        strcmp(sub, "disable") && strcmp(sub, "enable") && strcmp(sub, "wa") &&
        strcmp(sub, "2fa-reset"))
        return fprintf(stderr, "aduan: unknown 'user %s'; see 'aduan help user'\n", sub),
               EXIT_USAGE;
    store_t *s = NULL;
    int rc = open_store(cfg, &s, 1);
    if (rc)
        return rc;
    arena_t *ar = arena_new();
    if (!ar)
        rc = EXIT_FAIL;
    else if (strcmp(sub, "add") == 0)
        rc = user_add(s, ar, argc - 1, argv + 1);
    else if (strcmp(sub, "list") == 0)
        rc = user_list(s, ar);
    else if (strcmp(sub, "wa") == 0)
        rc = user_wa(s, ar, argc - 1, argv + 1);
    else if (strcmp(sub, "2fa-reset") == 0)
        rc = user_2fa_reset(s, ar, argc - 1, argv + 1);
    else
        rc = user_change(s, ar, sub, argc > 1 ? argv[1] : NULL);
    arena_destroy(ar);
    store_close(s);
    return rc;
}

static int cmd_admin(const config_t *cfg, const char *cmd, int argc, char **argv)
{
    store_t *s = NULL;
    int rc = open_store(cfg, &s, 1);
    if (rc)
        return rc;
    if (strcmp(cmd, "agency") == 0)
        rc = admin_agency(s, argc, argv);
    else if (strcmp(cmd, "category") == 0)
        rc = admin_category(s, argc, argv);
    else if (strcmp(cmd, "region") == 0)
        rc = admin_region(s, argc, argv);
    else
        rc = admin_team(s, argc, argv);
    store_close(s);
    return rc;
}

static int cmd_report(const config_t *cfg, int argc, char **argv)
{
    const char *agency = NULL, *month = NULL, *outfile = NULL;
    ikm_weight_t w = cfg->ikm_weight_0111 ? IKM_WEIGHT_0111 : IKM_WEIGHT_EXACT;
    if (argc < 1 || strcmp(argv[0], "monthly") != 0)
        return complain(EXIT_USAGE, "aduan: usage: %s\n", usage_of("report"));
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return complain(EXIT_USAGE, "aduan: usage: %s\n", usage_of("report"));
        if (!strcmp(argv[i], "--agency"))
            agency = v;
        else if (!strcmp(argv[i], "--month"))
            month = v;
        else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output"))
            outfile = v;
        else if (!strcmp(argv[i], "--weight") && !strcmp(v, "0.111"))
            w = IKM_WEIGHT_0111;
        else if (!strcmp(argv[i], "--weight") && !strcmp(v, "exact"))
            w = IKM_WEIGHT_EXACT;
        else
            return complain(EXIT_USAGE, "aduan: report: unexpected '%s'\n", argv[i]);
        i++;
    }
    int64_t from, to;
    if (!agency || !outfile || !month)
        return complain(EXIT_USAGE, "aduan: usage: %s\n", usage_of("report"));
    if (report_month_range(month, &from, &to) != 0)
        return complain(EXIT_USAGE, "aduan: report: --month must be YYYY-MM\n");
    store_t *s;
    int rc = open_store(cfg, &s, 0);
    if (rc)
        return rc;
    arena_t *ar = arena_new();
    store_agency ag;
    const unsigned char *pdf = NULL;
    size_t len = 0;
    err_t e = ar ? store_agency_find(s, ar, agency, &ag) : ERR_NOMEM;
    if (e == ERR_NOT_FOUND) {
        rc = complain(EXIT_USAGE, "aduan: report: unknown agency '%s'\n", agency);
        goto out;
    }
    if (e == ERR_OK)
        e = report_monthly_pdf(s, ar, &ag, month, w, clock_now(), cfg->media_dir, &pdf, &len);
    if (e != ERR_OK) {
        rc = complain(EXIT_FAIL, "aduan: report failed: %s\n", err_str_lang(e, "en"));
        goto out;
    }
    FILE *f = fopen(outfile, "wb");
    if (!f || fwrite(pdf, 1, len, f) != len || fclose(f) != 0) {
        if (f)
            fclose(f);
        rc = complain(EXIT_FAIL, "aduan: cannot write %s: %s\n", outfile, strerror(errno));
        goto out;
    }
    printf("%s: %zu bytes\n", outfile, len);
out:
    arena_destroy(ar);
    store_close(s);
    return rc;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL;
    int k = 1;
    /* --config may come before or after the command. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc)
                return complain(EXIT_USAGE, "aduan: --config needs a file\n");
            config_path = argv[i + 1];
            memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 2) * sizeof *argv);
            argc -= 2;
            i--;
        }
    }
    if (argc <= k) {
        usage_all(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[k];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cmd_help(argc > k + 1 ? argv[k + 1] : NULL);
    if (strcmp(cmd, "routes") == 0) {
        http_routes_print(stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("aduan %s\n", ADUAN_VERSION);
        return 0;
    }
    if (strcmp(cmd, "init") && strcmp(cmd, "serve") && strcmp(cmd, "migrate") &&
        strcmp(cmd, "user") && strcmp(cmd, "agency") && strcmp(cmd, "category") &&
        strcmp(cmd, "team") && strcmp(cmd, "report") && strcmp(cmd, "export") &&
        strcmp(cmd, "region") && strcmp(cmd, "backup") && strcmp(cmd, "restore") &&
        strcmp(cmd, "open311") && strcmp(cmd, "telegram") && strcmp(cmd, "email")) {
        fprintf(stderr, "aduan: unknown command '%s'; see 'aduan help'\n", cmd);
        return EXIT_USAGE;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || secret_init() != ERR_OK) {
        fprintf(stderr, "aduan: libsodium failed to start\n");
        return EXIT_FAIL;
    }
    config_t cfg;
    int rc = load_config(config_path, &cfg);
    if (rc)
        return rc;
    if (strcmp(cmd, "init") == 0) {
        int demo = 0, keep = 0;
        for (int i = k + 1; i < argc; i++) {
            if (strcmp(argv[i], "--demo") == 0)
                demo = 1;
            else if (strcmp(argv[i], "--keep") == 0)
                keep = 1;
            else
                return complain(EXIT_USAGE, "aduan: init: unexpected '%s'\n", argv[i]);
        }
        return cmd_init(&cfg, demo, keep);
    }
    if (strcmp(cmd, "serve") == 0) {
        const char *port_file = NULL;
        if (argc == k + 3 && strcmp(argv[k + 1], "--port-file") == 0)
            port_file = argv[k + 2];
        else if (argc != k + 1)
            return complain(EXIT_USAGE, "aduan: usage: %s\n", usage_of("serve"));
        return cmd_serve(&cfg, port_file);
    }
    if (strcmp(cmd, "migrate") == 0) {
        if (argc == k + 3 && strcmp(argv[k + 1], "--to") == 0)
            return migrate_to(&cfg, argv[k + 2]);
        if (argc != k + 1)
            return complain(EXIT_USAGE, "aduan: usage: %s\n", usage_of("migrate"));
        return cmd_migrate(&cfg);
    }
    if (strcmp(cmd, "user") == 0)
        return cmd_user(&cfg, argc - k - 1, argv + k + 1);
    if (strcmp(cmd, "backup") == 0)
        return admin_backup(&cfg, argc - k - 1, argv + k + 1);
    if (strcmp(cmd, "restore") == 0)
        return admin_restore(&cfg, argc - k - 1, argv + k + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(&cfg, argc - k - 1, argv + k + 1);
    if (strcmp(cmd, "telegram") == 0) {
        store_t *s = NULL;
        rc = open_store(&cfg, &s, 1);
        if (!rc)
            rc = tg_cli(&cfg, s, argc - k - 1, argv + k + 1);
        store_close(s);
        return rc;
    }
    if (strcmp(cmd, "open311") == 0) {
        if (!open311_args_ok(argc - k - 1, argv + k + 1))
            return complain(EXIT_USAGE, "aduan: usage: %s\n", open311_usage);
        store_t *s = NULL;
        rc = open_store(&cfg, &s, 1);
        if (!rc)
            rc = open311_cmd(s, argc - k - 1, argv + k + 1);
        store_close(s);
        return rc;
    }
    if (strcmp(cmd, "email") == 0) {
        store_t *s = NULL;
        rc = open_store(&cfg, &s, 1);
        if (!rc)
            rc = email_cli(&cfg, s, argc - k - 1, argv + k + 1);
        store_close(s);
        return rc;
    }
    if (strcmp(cmd, "export") == 0) {
        store_t *s = NULL;
        rc = open_store(&cfg, &s, 1);
        if (!rc)
            rc = export_cmd(s, argc - k - 1, argv + k + 1);
        store_close(s);
        return rc;
    }
    return cmd_admin(&cfg, cmd, argc - k - 1, argv + k + 1);
}

/* Configuration: defaults, the INI file, environment overrides, and one
 * clear error line naming the key for every bad value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/netguard.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *envs[] = {"ADUAN_LISTEN",
                             "ADUAN_PUBLIC_URL",
                             "ADUAN_THREADS",
                             "ADUAN_DATABASE_URL",
                             "ADUAN_DB_POOL_SIZE",
                             "ADUAN_TIMEZONE",
                             "ADUAN_MEDIA_DIR",
                             "ADUAN_LOG_LEVEL",
                             "ADUAN_SESSION_HOURS",
                             "ADUAN_IKM_WEIGHT",
                             "ADUAN_RAW_RETENTION_HOURS",
                             "ADUAN_RAW_RETENTION_SECONDS",
                             "ADUAN_FETCH_ALLOW_PRIVATE"};

static int clear_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof envs / sizeof *envs; i++)
        unsetenv(envs[i]);
    return 0;
}

static char *write_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/aduan-test-conf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void defaults(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, NULL, 0, err, sizeof err), ERR_OK);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_string_equal(c.database_url, "sqlite:var/aduan.db");
    assert_string_equal(c.timezone, "Asia/Makassar");
    assert_string_equal(c.media_dir, "var/media");
    assert_string_equal(c.public_url, "http://127.0.0.1:8080");
    assert_int_equal(c.log_level, LOG_INFO);
    /* Four HTTP threads, the worker, the SLA scheduler and two spare. */
    assert_int_equal(c.db_pool_size, 8);
    assert_false(c.ikm_weight_0111);
    /* Raw webhook bodies: 72 hours after processing. */
    assert_int_equal(c.raw_retention_s, 72 * 3600);
    /* A missing optional file is fine, a missing required one is not. */
    assert_int_equal(config_load(&c, "/nonexistent/aduan.conf", 0, err, sizeof err), ERR_OK);
    assert_int_equal(config_load(&c, "/nonexistent/aduan.conf", 1, err, sizeof err), ERR_IO);
    assert_non_null(strstr(err, "/nonexistent/aduan.conf"));
}

static void file_then_env(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    char *path = write_file("; comment\n[server]\nlisten = 0.0.0.0:9000\n"
                            "public_url = https://aduan.balangankab.go.id\n"
                            "[database]\nurl = sqlite:/tmp/x.db\npool_size = 8\n"
                            "[general]\ntimezone = Asia/Jakarta\nmedia_dir = /srv/media\n"
                            "log_level = debug\n[auth]\nsession_hours = 8\n");
    assert_int_equal(config_load(&c, path, 1, err, sizeof err), ERR_OK);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 9000);
    assert_string_equal(c.public_url, "https://aduan.balangankab.go.id");
    assert_string_equal(c.database_url, "sqlite:/tmp/x.db");
    assert_int_equal(c.db_pool_size, 8);
    assert_string_equal(c.timezone, "Asia/Jakarta");
    assert_string_equal(c.media_dir, "/srv/media");
    assert_int_equal(c.log_level, LOG_DEBUG);
    assert_int_equal(c.session_hours, 8);
    /* The environment wins over the file. */
    setenv("ADUAN_LISTEN", "127.0.0.1:9100", 1);
    setenv("ADUAN_TIMEZONE", "Asia/Jayapura", 1);
    setenv("ADUAN_DATABASE_URL", "sqlite:/tmp/y.db", 1);
    assert_int_equal(config_load(&c, path, 1, err, sizeof err), ERR_OK);
    assert_int_equal(c.listen_port, 9100);
    assert_string_equal(c.timezone, "Asia/Jayapura");
    assert_string_equal(c.database_url, "sqlite:/tmp/y.db");
    assert_string_equal(config_sqlite_path(c.database_url), "/tmp/y.db");
    unlink(path);
    clear_env(NULL);
    /* The two weights of the IKM. */
    setenv("ADUAN_IKM_WEIGHT", "0.111", 1);
    assert_int_equal(config_load(&c, NULL, 0, err, sizeof err), ERR_OK);
    assert_true(c.ikm_weight_0111);
    setenv("ADUAN_IKM_WEIGHT", "exact", 1);
    assert_int_equal(config_load(&c, NULL, 0, err, sizeof err), ERR_OK);
    assert_false(c.ikm_weight_0111);
    clear_env(NULL);
    /* Raw retention in hours, from the file or the environment; seconds for tests. */
    path = write_file("[retention]\nraw_hours = 24\n");
    assert_int_equal(config_load(&c, path, 1, err, sizeof err), ERR_OK);
    assert_int_equal(c.raw_retention_s, 24 * 3600);
    unlink(path);
    setenv("ADUAN_RAW_RETENTION_HOURS", "720", 1);
    assert_int_equal(config_load(&c, NULL, 0, err, sizeof err), ERR_OK);
    assert_int_equal(c.raw_retention_s, 720 * 3600);
    clear_env(NULL);
    setenv("ADUAN_RAW_RETENTION_SECONDS", "2", 1);
    assert_int_equal(config_load(&c, NULL, 0, err, sizeof err), ERR_OK);
    assert_int_equal(c.raw_retention_s, 2);
    clear_env(NULL);
    /* The SSRF guard's policy: public addresses only unless told. */
    assert_int_equal(config_load(&c, NULL, 0, err, sizeof err), ERR_OK);
    assert_int_equal(c.fetch_allow_private, NETGUARD_PUBLIC_ONLY);
    path = write_file("[server]\nfetch_allow_private = loopback\n");
    assert_int_equal(config_load(&c, path, 1, err, sizeof err), ERR_OK);
    assert_int_equal(c.fetch_allow_private, NETGUARD_LOOPBACK);
    unlink(path);
    setenv("ADUAN_FETCH_ALLOW_PRIVATE", "1", 1);
    assert_int_equal(config_load(&c, NULL, 0, err, sizeof err), ERR_OK);
    assert_int_equal(c.fetch_allow_private, NETGUARD_ANY);
    clear_env(NULL);
}

/* Each bad value fails with a message that names its key. */
static void bad_values(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value;
    } bad[] = {
        {"ADUAN_LISTEN", "nonsense"},
        {"ADUAN_LISTEN", "127.0.0.1:70000"},
        {"ADUAN_LISTEN", "127.0.0.1:80x"},
        {"ADUAN_LISTEN", "a b:80"},
        {"ADUAN_DATABASE_URL", "mysql://x"},
        {"ADUAN_DATABASE_URL", "sqlite:"},
        {"ADUAN_DATABASE_URL", "postgre://u@h/db"},
        {"ADUAN_TIMEZONE", "Mars/Base"},
        {"ADUAN_TIMEZONE", "../../etc/passwd"},
        {"ADUAN_TIMEZONE", ""},
        {"ADUAN_MEDIA_DIR", ""},
        {"ADUAN_DB_POOL_SIZE", "0"},
        {"ADUAN_DB_POOL_SIZE", "-1"},
        {"ADUAN_THREADS", "many"},
        {"ADUAN_LOG_LEVEL", "loud"},
        {"ADUAN_SESSION_HOURS", "0"},
        {"ADUAN_SESSION_HOURS", "9999"},
        {"ADUAN_PUBLIC_URL", "ftp://x"},
        {"ADUAN_IKM_WEIGHT", "0.11"},
        {"ADUAN_IKM_WEIGHT", "1/9"},
        {"ADUAN_IKM_WEIGHT", ""},
        {"ADUAN_RAW_RETENTION_HOURS", "0"},
        {"ADUAN_RAW_RETENTION_HOURS", "721"},
        {"ADUAN_RAW_RETENTION_HOURS", "1.5"},
        {"ADUAN_RAW_RETENTION_HOURS", "-3"},
        {"ADUAN_RAW_RETENTION_HOURS", ""},
        {"ADUAN_RAW_RETENTION_SECONDS", "0"},
        {"ADUAN_RAW_RETENTION_SECONDS", "2592001"},
        {"ADUAN_FETCH_ALLOW_PRIVATE", "yes"},
        {"ADUAN_FETCH_ALLOW_PRIVATE", ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        config_t c;
        char err[256] = "";
        clear_env(NULL);
        setenv(bad[i].key, bad[i].value, 1);
        if (config_load(&c, NULL, 0, err, sizeof err) != ERR_INVALID)
            fail_msg("%s=%s was accepted", bad[i].key, bad[i].value);
        assert_non_null(strstr(err, bad[i].key));
        assert_null(strchr(err, '\n'));
    }
    clear_env(NULL);
}

static void bad_file(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    char *path = write_file("[server]\nlisten = 127.0.0.1:8080\nlisen = typo\n");
    assert_int_equal(config_load(&c, path, 1, err, sizeof err), ERR_INVALID);
    assert_non_null(strstr(err, "lisen"));
    unlink(path);
    path = write_file("[general]\ntimezone = Nowhere/City\n");
    assert_int_equal(config_load(&c, path, 1, err, sizeof err), ERR_INVALID);
    assert_non_null(strstr(err, "ADUAN_TIMEZONE"));
    unlink(path);
    path = write_file("[server\nlisten = x\n");
    assert_int_equal(config_load(&c, path, 1, err, sizeof err), ERR_INVALID);
    unlink(path);
}

static void listen_forms(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "ADUAN_LISTEN", ":8081", err, sizeof err), ERR_OK);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(config_set(&c, "ADUAN_LISTEN", "[::1]:8082", err, sizeof err), ERR_OK);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.listen_port, 8082);
    assert_int_equal(config_set(&c, "ADUAN_NOPE", "1", err, sizeof err), ERR_INVALID);
    /* Port 0: the system picks one; the server records it, and a public URL
     * made from the listen address follows, one set by hand does not. */
    clear_env(NULL);
    setenv("ADUAN_LISTEN", "127.0.0.1:0", 1);
    assert_int_equal(config_load(&c, NULL, 0, err, sizeof err), ERR_OK);
    assert_int_equal(c.listen_port, 0);
    config_set_port(&c, 41234);
    assert_int_equal(c.listen_port, 41234);
    assert_string_equal(c.public_url, "http://127.0.0.1:41234");
    setenv("ADUAN_PUBLIC_URL", "https://aduan.example.id", 1);
    assert_int_equal(config_load(&c, NULL, 0, err, sizeof err), ERR_OK);
    config_set_port(&c, 41235);
    assert_string_equal(c.public_url, "https://aduan.example.id");
    unsetenv("ADUAN_PUBLIC_URL");
    clear_env(NULL);
    assert_int_equal(
        config_set(&c, "ADUAN_DATABASE_URL", "postgres://aduan@db:5432/aduan", err, sizeof err),
        ERR_OK);
    assert_null(config_sqlite_path(c.database_url));
}

/* One case per kind of row of the settings table: a number in a range
 * (scaled to its unit), a text with and without a check, one of two
 * words, a value with its own parser; each refuses and names its key. */
static void row_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *key, *good, *bad, *why;
    } rows[] = {
        {"ADUAN_ALERT_ACCEPT_MINUTES", "2", "1441", "minutes from 1 to 1440"},
        {"ADUAN_WA_GRAPH_URL", "http://127.0.0.1:9/v1", "http://x/", "without a trailing slash"},
        {"ADUAN_MEDIA_DIR", "/srv/m", "", "a directory path"},
        {"ADUAN_DURABILITY", "process", "sync", "fsync (survives a power cut)"},
        {"ADUAN_OFFICE_HOURS", "08:00-15:30", "16:00-08:00", "HH:MM-HH:MM"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        config_t c;
        char err[512] = "";
        config_defaults(&c);
        assert_int_equal(config_set(&c, rows[i].key, rows[i].good, err, sizeof err), ERR_OK);
        config_t before = c;
        assert_int_equal(config_set(&c, rows[i].key, rows[i].bad, err, sizeof err), ERR_INVALID);
        assert_memory_equal(&before, &c, sizeof c); /* a refused value changes nothing */
        assert_non_null(strstr(err, rows[i].key));
        assert_non_null(strstr(err, rows[i].why));
    }
    config_t c;
    char err[512];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "ADUAN_ALERT_ACCEPT_MINUTES", "2", err, sizeof err), ERR_OK);
    assert_int_equal(c.alert_accept_seconds, 120);
    assert_int_equal(config_set(&c, "ADUAN_DUPLICATE_WINDOW", "3", err, sizeof err), ERR_OK);
    assert_int_equal(c.dup_window_s, 3 * 3600);
    assert_int_equal(config_set(&c, "ADUAN_MEDIA_DIR", "/srv/m", err, sizeof err), ERR_OK);
    assert_string_equal(c.media_dir, "/srv/m");
    assert_int_equal(config_set(&c, "ADUAN_DURABILITY", "process", err, sizeof err), ERR_OK);
    assert_true(c.durability_process);
    assert_int_equal(config_set(&c, "ADUAN_DURABILITY", "fsync", err, sizeof err), ERR_OK);
    assert_false(c.durability_process);
    assert_int_equal(config_set(&c, "ADUAN_OFFICE_HOURS", "08:00-15:30", err, sizeof err), ERR_OK);
    assert_int_equal(c.office_open, 8 * 60);
    assert_int_equal(c.office_close, 15 * 60 + 30);
    /* A secret is never shown back. */
    assert_int_equal(config_set(&c, "ADUAN_WA_APP_SECRET", "s3cr3t value", err, sizeof err),
                     ERR_INVALID);
    assert_null(strstr(err, "s3cr3t"));
    /* From the file, the line names the file, the section, the name and the key. */
    char *path = write_file("[dispatch]\naccept_minutes = 0\n");
    assert_int_equal(config_load(&c, path, 1, err, sizeof err), ERR_INVALID);
    char want[256];
    snprintf(want, sizeof want,
             "%s: [dispatch] accept_minutes (ADUAN_ALERT_ACCEPT_MINUTES): expected a number of "
             "minutes from 1 to 1440 (got \"0\")",
             path);
    assert_string_equal(err, want);
    unlink(path);
}

/* The example shipped in the repository is valid as written. */
static void example_file(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    assert_int_equal(config_load(&c, "aduan.conf.example", 1, err, sizeof err), ERR_OK);
    assert_string_equal(c.timezone, "Asia/Makassar");
    assert_int_equal(c.listen_port, 8080);
}

static void redaction(void **state)
{
    (void)state;
    char out[256];
    config_redact_url("postgres://aduan:s3cret@db:5432/aduan", out, sizeof out);
    assert_string_equal(out, "postgres://aduan:***@db:5432/aduan");
    config_redact_url("postgresql:///aduan?host=/run&password=s3cret&port=5", out, sizeof out);
    assert_string_equal(out, "postgresql:///aduan?host=/run&password=***&port=5");
    config_redact_url("postgres://aduan@db/aduan", out, sizeof out);
    assert_string_equal(out, "postgres://aduan@db/aduan");
    config_redact_url("sqlite:var/a:b@c.db", out, sizeof out);
    assert_string_equal(out, "sqlite:var/a:b@c.db");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(defaults, clear_env),
        cmocka_unit_test_setup(file_then_env, clear_env),
        cmocka_unit_test_setup(bad_values, clear_env),
        cmocka_unit_test_setup(bad_file, clear_env),
        cmocka_unit_test_setup(listen_forms, clear_env),
        cmocka_unit_test_setup(example_file, clear_env),
        cmocka_unit_test_setup(row_kinds, clear_env),
        cmocka_unit_test(redaction),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

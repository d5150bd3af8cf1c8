/* Configuration: defaults, the INI file, environment overrides, and one
 * clear error line naming the key for every bad value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *envs[] = {
    "ADUAN_LISTEN",       "ADUAN_PUBLIC_URL",          "ADUAN_THREADS",
    "ADUAN_DATABASE_URL", "ADUAN_DB_POOL_SIZE",        "ADUAN_TIMEZONE",
    "ADUAN_MEDIA_DIR",    "ADUAN_LOG_LEVEL",           "ADUAN_SESSION_HOURS",
    "ADUAN_IKM_WEIGHT",   "ADUAN_RAW_RETENTION_HOURS", "ADUAN_RAW_RETENTION_SECONDS"};

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
}

/* Each bad value fails with a message that names its key. */
static void bad_values(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value;
    } bad[] = {
        {"ADUAN_LISTEN", "nonsense"},
        {"ADUAN_LISTEN", "127.0.0.1:0"},
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
    assert_int_equal(
        config_set(&c, "ADUAN_DATABASE_URL", "postgres://aduan@db:5432/aduan", err, sizeof err),
        ERR_OK);
    assert_null(config_sqlite_path(c.database_url));
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
        cmocka_unit_test(redaction),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

/* `aduan backup` and `aduan restore` (ops/backup.h, issue 19 §4).
 *
 * The SQLite half copies with the store's online backup and checks the
 * copy through store/backup.h; the PostgreSQL half runs pg_dump and
 * pg_restore, and asks the target through the store too. Moved out of
 * store/ (issue 14): files, subprocesses and the report are not SQL. */
#include "ops/backup.h"

#include "core/config.h"
#include "core/proc.h"
#include "store/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Messages of the helper programs kept for the report. */
#define TOOL_ERR 512

typedef enum { KIND_UNKNOWN, KIND_SQLITE, KIND_PGDUMP, KIND_GZIP } backup_kind;

static bool is_pg_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

static backup_kind kind_of(const char *path)
{
    unsigned char h[16] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(h, 1, sizeof h, f) : 0;
    if (f)
        fclose(f);
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
        return KIND_GZIP;
    if (n == 16 && memcmp(h, "SQLite format 3", 16) == 0)
        return KIND_SQLITE;
    if (n >= 5 && memcmp(h, "PGDMP", 5) == 0)
        return KIND_PGDUMP;
    return KIND_UNKNOWN;
}

/* fsync of a file, then of its directory (a rename is durable then). */
static err_t sync_path(const char *path, bool dir_too)
{
    int fd = open(path, O_RDONLY);
    err_t e = fd >= 0 && fsync(fd) == 0 ? ERR_OK : ERR_IO;
    if (fd >= 0)
        close(fd);
    if (e == ERR_OK && dir_too) {
        char copy[PATH_MAX];
        snprintf(copy, sizeof copy, "%s", path);
        fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
        if (fd < 0 || fsync(fd) != 0)
            e = ERR_IO;
        if (fd >= 0)
            close(fd);
    }
    return e;
}

/* Creates path empty, readable by aduan's user only: a backup is personal
 * data from its first byte (the tools then write into it). */
static err_t create_private(const char *path, char *report, size_t cap)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(report, cap, "cannot create %s: %s", path, strerror(errno));
        return ERR_IO;
    }
    close(fd);
    return ERR_OK;
}

/* ---- SQLite files ------------------------------------------------------------ */

/* Appends "name rows" for every table of the database behind s (ntables:
 * how many there are, even when one of them cannot be counted). */
static err_t counts(store_t *s, char *report, size_t cap, size_t *off, int64_t *ntables)
{
    arena_t *ar = arena_new();
    store_table_count *t = NULL;
    size_t n = 0;
    err_t e = ar ? store_table_counts(s, ar, &t, &n) : ERR_NOMEM;
    for (size_t i = 0; e == ERR_OK && i < n && *off < cap; i++)
        *off += (size_t)snprintf(report + *off, cap - *off, "%-20s %10lld\n", t[i].name,
                                 (long long)t[i].rows);
    arena_destroy(ar);
    if (ntables)
        *ntables = (int64_t)n;
    return e;
}

/* The checks of a SQLite copy: integrity_check says "ok", foreign keys
 * hold, and its schema is not newer than this aduan's. */
static err_t sq_verify(store_t *s, char *report, size_t cap)
{
    arena_t *ar = arena_new();
    store_sqlite_check k = {.failed = "integrity_check"};
    int latest = store_schema_latest();
    err_t e = ar ? store_sqlite_check_run(s, ar, &k) : ERR_NOMEM;
    if (e != ERR_OK || !k.integrity)
        snprintf(report, cap, "%s failed: %s", k.failed, err_str_lang(e, "en"));
    else if (strcmp(k.integrity, "ok") != 0)
        snprintf(report, cap, "integrity_check: %.200s", k.integrity);
    else if (k.fk_table)
        snprintf(report, cap, "foreign_key_check: a row of %s refers to a missing %s", k.fk_table,
                 k.fk_parent);
    else if (k.version <= 0)
        snprintf(report, cap, "not an aduan database (no schema_migrations)");
    else if (k.version > latest)
        snprintf(report, cap,
                 "the backup has schema version %lld, newer than this aduan's %d: restore it "
                 "with the aduan that made it",
                 (long long)k.version, latest);
    else
        snprintf(report, cap, "integrity_check ok, foreign keys ok, schema version %lld\n",
                 (long long)k.version);
    bool ok = e == ERR_OK && k.integrity && strcmp(k.integrity, "ok") == 0 && !k.fk_table &&
              k.version > 0 && k.version <= latest;
    arena_destroy(ar);
    return ok ? ERR_OK : ERR_INVALID;
}

/* Checks the SQLite file at path and appends its counts; leaves it a
 * rollback-journal file (self-contained, no -wal beside it). */
static err_t sq_verify_file(const char *path, char *report, size_t cap)
{
    char url[PATH_MAX + 8];
    store_t *s = NULL;
    snprintf(url, sizeof url, "sqlite:%s", path);
    err_t e = store_open(url, 1, &s);
    if (e != ERR_OK) {
        snprintf(report, cap, "integrity_check: %s does not open as a database: %s", path,
                 err_str_lang(e, "en"));
        e = ERR_INVALID;
    } else {
        e = sq_verify(s, report, cap);
    }
    size_t off = strlen(report);
    if (e == ERR_OK && counts(s, report, cap, &off, NULL) != ERR_OK) {
        snprintf(report, cap, "cannot count the rows of %s", path);
        e = ERR_INVALID;
    }
    if (e == ERR_OK && store_sqlite_journal_delete(s) != ERR_OK) {
        snprintf(report, cap, "cannot leave the WAL mode of %s", path);
        e = ERR_IO;
    }
    store_close(s);
    return e;
}

static err_t gzip_to(const char *in, const char *out, bool decompress, char *report, size_t cap)
{
    char err[TOOL_ERR];
    char *argv[] = {"gzip", decompress ? "-dc" : "-nc", (char *)in, NULL};
    err_t e = proc_run(argv, out, err, sizeof err);
    if (e != ERR_OK)
        snprintf(report, cap, "gzip: %s", err);
    return e;
}

static err_t backup_sqlite(const char *url, const char *path, bool compress, char *report,
                           size_t cap)
{
    const char *src_path = config_sqlite_path(url);
    store_t *s = NULL;
    char part[PATH_MAX], gz[PATH_MAX];
    struct stat sb;
    if (snprintf(part, sizeof part, "%s.part", path) >= (int)sizeof part ||
        snprintf(gz, sizeof gz, "%s.part.gz", path) >= (int)sizeof gz) {
        snprintf(report, cap, "the file name is too long");
        return ERR_INVALID;
    }
    struct stat db;
    if (stat(src_path, &db) != 0) {
        snprintf(report, cap, "no database at %s", src_path);
        return ERR_NOT_FOUND;
    }
    /* The rename would put the copy in place of the database aduan has
     * open: everything written after it would go to a deleted file. */
    if (strcmp(src_path, path) == 0 ||
        (stat(path, &sb) == 0 && sb.st_dev == db.st_dev && sb.st_ino == db.st_ino)) {
        snprintf(report, cap, "FILE is the database itself: back up to another file");
        return ERR_INVALID;
    }
    unlink(part);
    unlink(gz);
    err_t e = create_private(part, report, cap);
    if (e == ERR_OK && (e = store_open(url, 1, &s)) != ERR_OK)
        snprintf(report, cap, "cannot open %s: %s", src_path, err_str_lang(e, "en"));
    if (e == ERR_OK)
        e = store_sqlite_backup(s, part, report, cap);
    store_close(s);
    if (e == ERR_OK)
        e = sq_verify_file(part, report, cap);
    if (e == ERR_OK && compress) {
        e = gzip_to(part, gz, false, report, cap);
        unlink(part);
        if (e == ERR_OK)
            memcpy(part, gz, sizeof part);
    }
    if (e == ERR_OK && (sync_path(part, false) != ERR_OK || rename(part, path) != 0 ||
                        sync_path(path, true) != ERR_OK)) {
        snprintf(report, cap, "cannot write %s: %s", path, strerror(errno));
        e = ERR_IO;
    }
    if (e != ERR_OK) {
        unlink(part);
        unlink(gz);
    }
    return e;
}

/* ---- PostgreSQL dumps ------------------------------------------------------- */

/* `pg_restore -l FILE` lists the dump, with the data of the tables every
 * aduan database has. */
static err_t pg_list_check(const char *file, char *report, size_t cap)
{
    char list[PATH_MAX], err[TOOL_ERR], line[512];
    snprintf(list, sizeof list, "%s.list", file);
    char *argv[] = {"pg_restore", "-l", (char *)file, NULL};
    err_t e = proc_run(argv, list, err, sizeof err);
    int data = 0;
    bool cases = false, migrations = false;
    FILE *f = e == ERR_OK ? fopen(list, "r") : NULL;
    while (f && fgets(line, sizeof line, f)) {
        if (!strstr(line, " TABLE DATA "))
            continue;
        data++;
        cases |= strstr(line, " TABLE DATA public cases ") != NULL;
        migrations |= strstr(line, " TABLE DATA public schema_migrations ") != NULL;
    }
    if (f)
        fclose(f);
    unlink(list);
    if (e == ERR_NOT_FOUND)
        snprintf(report, cap, "%s", err);
    else if (e != ERR_OK)
        snprintf(report, cap, "pg_restore -l cannot list %s: %s", file, err);
    else if (!cases || !migrations) {
        snprintf(report, cap, "%s is a PostgreSQL dump but not of an aduan database", file);
        e = ERR_INVALID;
    } else
        snprintf(report, cap, "pg_restore -l lists the dump: %d tables with data\n", data);
    return e;
}

static err_t backup_pg(const char *url, const char *path, char *report, size_t cap)
{
    char part[PATH_MAX], err[TOOL_ERR];
    snprintf(part, sizeof part, "%s.part", path);
    unlink(part);
    /* pg_dump reads one snapshot (repeatable read): a consistent copy while
     * aduan serves. */
    char *argv[] = {"pg_dump", "-Fc", "-f", part, "--dbname", (char *)url, NULL};
    err_t e = create_private(part, report, cap);
    if (e == ERR_OK && (e = proc_run(argv, NULL, err, sizeof err)) != ERR_OK)
        snprintf(report, cap, "pg_dump: %s", err);
    if (e == ERR_OK)
        e = pg_list_check(part, report, cap);
    if (e == ERR_OK && (sync_path(part, false) != ERR_OK || rename(part, path) != 0 ||
                        sync_path(path, true) != ERR_OK)) {
        snprintf(report, cap, "cannot write %s: %s", path, strerror(errno));
        e = ERR_IO;
    }
    if (e != ERR_OK)
        unlink(part);
    return e;
}

err_t backup_write(const char *url, const char *path, bool compress, char *report, size_t cap)
{
    report[0] = '\0';
    if (config_sqlite_path(url))
        return backup_sqlite(url, path, compress, report, cap);
    if (is_pg_url(url))
        return backup_pg(url, path, report, cap);
    snprintf(report, cap, "unknown database URL");
    return ERR_INVALID;
}

/* ---- restore ------------------------------------------------------------------ */

/* The newest schema_migrations version in a dump (0: none found). */
static int pg_dump_version(const char *file, char *report, size_t cap)
{
    char out[PATH_MAX], err[TOOL_ERR], line[256];
    int v = 0;
    bool in = false;
    snprintf(out, sizeof out, "%s.version", file);
    char *argv[] = {"pg_restore", "--data-only", "--table=schema_migrations", "-f", "-",
                    (char *)file, NULL};
    if (proc_run(argv, out, err, sizeof err) != ERR_OK) {
        snprintf(report, cap, "pg_restore: %s", err);
        unlink(out);
        return -1;
    }
    FILE *f = fopen(out, "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "COPY ", 5) == 0)
            in = true;
        else if (in && strncmp(line, "\\.", 2) == 0)
            in = false;
        else if (in && strtol(line, NULL, 10) > v && strtol(line, NULL, 10) < INT_MAX)
            v = (int)strtol(line, NULL, 10);
    }
    if (f)
        fclose(f);
    unlink(out);
    return v;
}

static err_t restore_pgdump(const char *file, const char *url, char *report, size_t cap)
{
    store_t *s = NULL;
    int64_t ntables = -1;
    char err[TOOL_ERR];
    size_t off = 0;
    if (!is_pg_url(url)) {
        snprintf(report, cap, "a pg_dump file restores into PostgreSQL only (--to postgres://...)");
        return ERR_INVALID;
    }
    err_t e = pg_list_check(file, report, cap);
    int v = e == ERR_OK ? pg_dump_version(file, report, cap) : 0;
    if (e == ERR_OK && v < 0)
        e = ERR_IO;
    else if (e == ERR_OK && v == 0) {
        snprintf(report, cap, "the dump has no schema version: not an aduan database");
        e = ERR_INVALID;
    } else if (e == ERR_OK && v > store_schema_latest()) {
        snprintf(report, cap, "the dump has schema version %d, newer than this aduan's %d", v,
                 store_schema_latest());
        e = ERR_INVALID;
    }
    /* pg_restore creates the tables: the target must have none. */
    if (e == ERR_OK && (e = store_open(url, 1, &s)) != ERR_OK)
        snprintf(report, cap, "cannot connect to the target database");
    if (e == ERR_OK) {
        e = counts(s, report, 0, &off, &ntables);
        if (ntables > 0) {
            snprintf(report, cap,
                     "the target database is not empty (%lld tables): restore into a new "
                     "database (createdb)",
                     (long long)ntables);
            e = ERR_CONFLICT;
        } else if (e != ERR_OK) {
            snprintf(report, cap, "cannot list the tables of the target database");
        }
    }
    store_close(s);
    s = NULL;
    if (e == ERR_OK) {
        /* One transaction: an error leaves the target as it was. */
        char *argv[] = {"pg_restore",
                        "--no-owner",
                        "--no-privileges",
                        "--single-transaction",
                        "--exit-on-error",
                        "--dbname",
                        (char *)url,
                        (char *)file,
                        NULL};
        if ((e = proc_run(argv, NULL, err, sizeof err)) != ERR_OK)
            snprintf(report, cap, "pg_restore failed, nothing was restored: %s", err);
    }
    if (e == ERR_OK && (e = store_open(url, 1, &s)) == ERR_OK &&
        (e = store_migrate(s, NULL)) == ERR_OK) {
        off = (size_t)snprintf(report, cap, "restored with pg_restore, schema version %d\n", v);
        e = counts(s, report, cap, &off, NULL);
    }
    store_close(s);
    return e;
}

/* Whether the SQLite file at path is absent or holds no table. */
static err_t sq_target_empty(const char *path, char *report, size_t cap)
{
    char url[PATH_MAX + 8];
    struct stat sb;
    store_t *s = NULL;
    int64_t n = -1;
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? ERR_OK : ERR_IO;
    if (sb.st_size == 0)
        return ERR_OK;
    snprintf(url, sizeof url, "sqlite:%s", path);
    size_t off = 0;
    if (store_open(url, 1, &s) == ERR_OK && counts(s, report, 0, &off, &n) != ERR_OK && n == 0)
        n = -1;
    store_close(s);
    if (n == 0)
        return ERR_OK;
    snprintf(report, cap, "%s exists and is not empty: restore into a new file", path);
    return ERR_CONFLICT;
}

static err_t migrate_file(const char *path, char *report, size_t cap)
{
    char url[PATH_MAX + 8];
    store_t *s = NULL;
    snprintf(url, sizeof url, "sqlite:%s", path);
    err_t e = store_open(url, 1, &s);
    if (e == ERR_OK)
        e = store_migrate(s, NULL);
    store_close(s);
    if (e != ERR_OK)
        snprintf(report, cap, "cannot bring the backup to this aduan's schema: %s",
                 err_str_lang(e, "en"));
    return e;
}

/* A SQLite backup (work: a private copy of it) into url. */
static err_t restore_sqlite(const char *work, const char *url, store_progress_fn progress,
                            void *ctx, char *report, size_t cap)
{
    const char *target = config_sqlite_path(url);
    store_t *s = NULL;
    err_t e = sq_verify_file(work, report, cap);
    if (e == ERR_OK && target)
        e = sq_target_empty(target, report, cap);
    if (e == ERR_OK)
        e = migrate_file(work, report, cap);
    if (e != ERR_OK || !target)
        goto pg;
    unlink(target); /* empty: nothing is lost */
    if (rename(work, target) != 0 || sync_path(target, true) != ERR_OK) {
        snprintf(report, cap, "cannot write %s: %s", target, strerror(errno));
        return ERR_IO;
    }
    return sq_verify_file(target, report, cap);
pg:
    if (e != ERR_OK)
        return e;
    /* As migrate --to: both sides at this aduan's schema, then one
     * transaction that commits only when every table's count matches. */
    if ((e = store_open(url, 1, &s)) == ERR_OK)
        e = store_migrate(s, NULL);
    store_close(s);
    if (e != ERR_OK) {
        snprintf(report, cap, "cannot prepare the PostgreSQL database: %s", err_str_lang(e, "en"));
        return e;
    }
    return store_copy_sqlite_to_pg(work, url, progress, ctx, report, cap);
}

/* A private copy of file (decompressed when gzipped) in dir. */
static err_t work_copy(const char *file, backup_kind k, const char *dir, char *work, size_t wcap,
                       char *report, size_t cap)
{
    int fd = -1;
    if (snprintf(work, wcap, "%s/.aduan-restore-XXXXXX", dir) < (int)wcap)
        fd = mkstemp(work);
    if (fd < 0) {
        snprintf(report, cap, "cannot create a file in %s: %s", dir, strerror(errno));
        work[0] = '\0';
        return ERR_IO;
    }
    close(fd);
    if (k == KIND_GZIP)
        return gzip_to(file, work, true, report, cap);
    char err[TOOL_ERR];
    char *argv[] = {"cat", (char *)file, NULL};
    err_t e = proc_run(argv, work, err, sizeof err);
    if (e != ERR_OK)
        snprintf(report, cap, "cannot read %s: %s", file, err);
    return e;
}

err_t backup_restore(const char *file, const char *to_url, store_progress_fn progress, void *ctx,
                     char *report, size_t cap)
{
    char work[PATH_MAX] = "", dir[PATH_MAX];
    report[0] = '\0';
    const char *target = config_sqlite_path(to_url);
    if (!target && !is_pg_url(to_url)) {
        snprintf(report, cap, "--to: expected sqlite:PATH or postgres://USER@HOST:PORT/DATABASE");
        return ERR_INVALID;
    }
    if (access(file, R_OK) != 0) {
        snprintf(report, cap, "cannot read %s: %s", file, strerror(errno));
        return ERR_NOT_FOUND;
    }
    backup_kind k = kind_of(file);
    if (k == KIND_PGDUMP)
        return restore_pgdump(file, to_url, report, cap);
    if (k == KIND_UNKNOWN) {
        snprintf(report, cap, "%s is not an aduan backup (neither SQLite, gzip nor pg_dump -Fc)",
                 file);
        return ERR_INVALID;
    }
    /* The work copy goes beside the target (a rename then puts it in
     * place), or into TMPDIR for PostgreSQL. */
    if (target) {
        char t[PATH_MAX];
        snprintf(t, sizeof t, "%s", target);
        snprintf(dir, sizeof dir, "%s", dirname(t));
    } else {
        snprintf(dir, sizeof dir, "%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp");
    }
    err_t e = work_copy(file, k, dir, work, sizeof work, report, cap);
    if (e == ERR_OK && kind_of(work) != KIND_SQLITE) {
        snprintf(report, cap, "%s does not hold a SQLite database", file);
        e = ERR_INVALID;
    }
    if (e == ERR_OK)
        e = restore_sqlite(work, to_url, progress, ctx, report, cap);
    if (work[0])
        unlink(work); /* gone already when it became the target */
    return e;
}

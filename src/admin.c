#include "admin.h"

#include "core/clock.h"
#include "core/config.h"
#include "core/proc.h"
#include "core/text.h"
#include "domain/lifecycle.h"
#include "domain/regions.h"
#include "ops/backup.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char admin_usage_agency[] =
    "aduan agency add CODE --name NAME --kind satpolpp|damkar|disdukcapil|other [--timezone TZ]\n"
    "       aduan agency list\n"
    "       aduan agency number CODE PHONE_NUMBER_ID [--display '+62 811-...']\n"
    "       aduan agency templates CODE [--status NAME] [--reply NAME] [--lang id|en|...]\n"
    "       aduan agency emergency CODE '113, (0526) 2090113'   (the web form shows them; '' "
    "clears)";
const char admin_usage_category[] =
    "aduan category add AGENCY CODE --name-id NAME --name-en NAME\n"
    "                   --kind complaint|service|emergency --sla-hours N\n"
    "       aduan category list [AGENCY]";
const char admin_usage_region[] = "aduan region import FILE.geojson\n"
                                  "       aduan region list";
const char admin_usage_team[] = "aduan team add AGENCY NAME [--base LAT,LON]\n"
                                "       aduan team list [AGENCY]\n"
                                "       aduan team member TEAM_ID LOGIN";

enum { OK = 0, FAIL = 1, USAGE = 2 };

/* Prints one error line and returns rc. */
__attribute__((format(printf, 2, 3))) static int complain(int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    return rc;
}

/* Options "--key value" into vals[] by position of keys[]; positional
 * arguments into pos[] (at most npos). Returns 0 or -1 (message printed). */
static int parse_opts(int argc, char **argv, const char *const *keys, const char **vals,
                      const char **pos, int npos)
{
    int np = 0;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            int k = 0;
            while (keys[k] && strcmp(keys[k], argv[i] + 2) != 0)
                k++;
            if (!keys[k] || i + 1 >= argc) {
                fprintf(stderr, "aduan: unknown option or missing value: %s\n", argv[i]);
                return -1;
            }
            vals[k] = argv[++i];
        } else if (np < npos) {
            pos[np++] = argv[i];
        } else {
            fprintf(stderr, "aduan: unexpected '%s'\n", argv[i]);
            return -1;
        }
    }
    return 0;
}

static int need(const char *v, const char *what, const char *usage)
{
    if (v && *v)
        return 0;
    fprintf(stderr, "aduan: %s is required\nUsage: %s\n", what, usage);
    return -1;
}

static int find_agency(store_t *s, arena_t *ar, const char *ref, store_agency *a)
{
    err_t e = store_agency_find(s, ar, ref, a);
    if (e == ERR_OK)
        return 0;
    fprintf(stderr, "aduan: %s agency '%s'\n", e == ERR_NOT_FOUND ? "unknown" : "cannot read", ref);
    return -1;
}

static int report(err_t e, const char *what)
{
    if (e == ERR_OK)
        return OK;
    if (e == ERR_CONFLICT)
        fprintf(stderr, "aduan: %s: it already exists\n", what);
    else
        fprintf(stderr, "aduan: %s failed: %s\n", what, err_str_lang(e, "en"));
    return FAIL;
}

static bool valid_code(const char *c)
{
    size_t n = strlen(c);
    if (n == 0 || n > 32)
        return false;
    for (; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
            return false;
    return true;
}

static bool valid_text(const char *t, size_t max)
{
    return t && *t && text_utf8_valid(t, strlen(t)) && text_utf8_len(t) <= max;
}

int admin_agency(store_t *s, int argc, char **argv)
{
    static const char *const keys[] = {"name",   "kind",  "timezone", "display",
                                       "status", "reply", "lang",     NULL};
    const char *v[7] = {0}, *pos[2] = {0};
    const char *sub = argc > 0 ? argv[0] : "";
    int rc = OK;
    arena_t *ar = arena_new();
    if (!ar)
        return FAIL;
    if (parse_opts(argc - 1, argv + 1, keys, v, pos, 2) != 0) {
        rc = USAGE;
    } else if (strcmp(sub, "add") == 0) {
        static const char *const kinds[] = {"satpolpp", "damkar", "disdukcapil", "other"};
        bool kind_ok = false;
        for (int i = 0; v[1] && i < 4; i++)
            kind_ok |= strcmp(v[1], kinds[i]) == 0;
        config_t probe;
        char err[256];
        config_defaults(&probe);
        if (need(pos[0], "CODE", admin_usage_agency) || need(v[0], "--name", admin_usage_agency))
            rc = USAGE;
        else if (!valid_code(pos[0]))
            rc = complain(USAGE, "aduan: CODE: lower-case letters, digits, _ or -\n");
        else if (!valid_text(v[0], 200))
            rc = complain(USAGE, "aduan: --name: 1 to 200 characters of UTF-8\n");
        else if (!kind_ok)
            rc = complain(USAGE, "aduan: --kind: satpolpp, damkar, disdukcapil or other\n");
        else if (v[2] && config_set(&probe, "ADUAN_TIMEZONE", v[2], err, sizeof err) != ERR_OK)
            rc = complain(USAGE, "aduan: --timezone: %s\n", err);
        if (rc == OK) {
            store_agency a = {.code = pos[0],
                              .name = v[0],
                              .kind = v[1],
                              .timezone = v[2] ? v[2] : "Asia/Makassar"};
            int64_t id;
            rc = report(store_agency_create(s, &a, clock_now(), &id), "agency add");
            if (rc == OK)
                printf("aduan: agency %s added (id %lld)\n", pos[0], (long long)id);
        }
    } else if (strcmp(sub, "list") == 0) {
        store_agency *a;
        size_t n;
        rc = report(store_agency_list(s, ar, &a, &n), "agency list");
        for (size_t i = 0; rc == OK && i < n; i++) {
            const char *nums = "";
            if (store_agency_numbers(s, ar, a[i].id, &nums) != ERR_OK)
                nums = "?";
            printf("%3lld  %-14s %-12s %-16s %s  [%s]\n", (long long)a[i].id, a[i].code, a[i].kind,
                   a[i].timezone, a[i].name, nums);
        }
    } else if (strcmp(sub, "number") == 0) {
        store_agency a;
        if (need(pos[0], "CODE", admin_usage_agency) ||
            need(pos[1], "PHONE_NUMBER_ID", admin_usage_agency))
            rc = USAGE;
        else if (strspn(pos[1], "0123456789") != strlen(pos[1]) || strlen(pos[1]) > 32)
            rc = complain(USAGE, "aduan: PHONE_NUMBER_ID: the digits Meta shows\n");
        else if (find_agency(s, ar, pos[0], &a) != 0)
            rc = FAIL;
        else
            rc = report(store_agency_number_add(s, a.id, pos[1], v[3], clock_now()),
                        "agency number");
        if (rc == OK)
            printf("aduan: number %s now answers for %s\n", pos[1], a.code);
    } else if (strcmp(sub, "templates") == 0) {
        store_agency a;
        if (need(pos[0], "CODE", admin_usage_agency))
            rc = USAGE;
        else if ((v[4] && !valid_code(v[4])) || (v[5] && !valid_code(v[5])))
            rc = complain(USAGE, "aduan: template names: lower-case letters, digits and _\n");
        else if (v[6] && (strlen(v[6]) < 2 || strlen(v[6]) > 10 || !valid_text(v[6], 10)))
            rc = complain(USAGE, "aduan: --lang: a WhatsApp language code, e.g. id or en_US\n");
        else if (find_agency(s, ar, pos[0], &a) != 0)
            rc = FAIL;
        else
            rc = report(store_agency_set_templates(s, a.id, v[4], v[5], v[6]), "agency templates");
        if (rc == OK && store_agency_get(s, ar, a.id, &a) == ERR_OK)
            printf("aduan: %s sends templates %s (status) and %s (reply) in %s\n", a.code,
                   a.template_status, a.template_reply, a.template_lang);
    } else if (strcmp(sub, "emergency") == 0) {
        /* The numbers the web form shows above an emergency category
         * (issue 16 §1); "" clears them. */
        store_agency a;
        if (need(pos[0], "CODE", admin_usage_agency) ||
            (!pos[1] && need(pos[1], "PHONES", admin_usage_agency)))
            rc = USAGE;
        else if (*pos[1] && !valid_text(pos[1], 200))
            rc = complain(USAGE, "aduan: PHONES: at most 200 characters of UTF-8\n");
        else if (find_agency(s, ar, pos[0], &a) != 0)
            rc = FAIL;
        else
            rc = report(store_agency_set_emergency_phones(s, a.id, pos[1]), "agency emergency");
        if (rc == OK)
            printf("aduan: %s emergency numbers: %s\n", a.code, *pos[1] ? pos[1] : "(none)");
    } else {
        fprintf(stderr, "Usage: %s\n", admin_usage_agency);
        rc = USAGE;
    }
    arena_destroy(ar);
    return rc;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || errno || *end || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

int admin_category(store_t *s, int argc, char **argv)
{
    static const char *const keys[] = {"name-id", "name-en", "kind", "sla-hours", NULL};
    const char *v[4] = {0}, *pos[2] = {0};
    const char *sub = argc > 0 ? argv[0] : "";
    int rc = OK;
    store_agency a = {0};
    arena_t *ar = arena_new();
    if (!ar)
        return FAIL;
    if (parse_opts(argc - 1, argv + 1, keys, v, pos, 2) != 0) {
        rc = USAGE;
    } else if (strcmp(sub, "add") == 0) {
        long sla = 0;
        if (need(pos[0], "AGENCY", admin_usage_category) ||
            need(pos[1], "CODE", admin_usage_category))
            rc = USAGE;
        else if (!valid_code(pos[1]))
            rc = complain(USAGE, "aduan: CODE: lower-case letters, digits, _ or -\n");
        else if (!valid_text(v[0], 200) || !valid_text(v[1], 200))
            rc = complain(USAGE, "aduan: --name-id and --name-en are required\n");
        else if (kind_parse(v[2]) < 0)
            rc = complain(USAGE, "aduan: --kind: complaint, service or emergency\n");
        else if (parse_int(v[3], 1, 24 * 366, &sla) != 0)
            rc = complain(USAGE, "aduan: --sla-hours: a number of hours\n");
        else if (find_agency(s, ar, pos[0], &a) != 0)
            rc = FAIL;
        if (rc == OK) {
            store_category k = {0, a.id, pos[1], v[0], v[1], v[2], (int)sla, true};
            int64_t id;
            rc = report(store_category_create(s, &k, &id), "category add");
            if (rc == OK)
                printf("aduan: category %s added to %s (id %lld)\n", pos[1], a.code, (long long)id);
        }
    } else if (strcmp(sub, "list") == 0) {
        store_category *k;
        size_t n;
        if (pos[0] && find_agency(s, ar, pos[0], &a) != 0)
            rc = FAIL;
        else
            rc = report(store_category_list(s, ar, a.id, &k, &n), "category list");
        for (size_t i = 0; rc == OK && i < n; i++)
            printf("%3lld  agency %-3lld %-16s %-10s %4dh %s%s\n", (long long)k[i].id,
                   (long long)k[i].agency_id, k[i].code, k[i].kind, k[i].sla_hours, k[i].name_id,
                   k[i].active ? "" : " (inactive)");
    } else {
        fprintf(stderr, "Usage: %s\n", admin_usage_category);
        rc = USAGE;
    }
    arena_destroy(ar);
    return rc;
}

static int team_add(store_t *s, arena_t *ar, const char *agency, const char *name, const char *base)
{
    store_agency a;
    store_team t = {0};
    if (!valid_text(name, 120)) {
        fprintf(stderr, "aduan: NAME: 1 to 120 characters\n");
        return USAGE;
    }
    if (base) {
        char *end;
        t.base_lat = strtod(base, &end);
        if (*end != ',' || !isfinite(t.base_lat) || fabs(t.base_lat) > 90) {
            fprintf(stderr, "aduan: --base: LAT,LON in degrees, e.g. -2.3345,115.4632\n");
            return USAGE;
        }
        t.base_lon = strtod(end + 1, &end);
        if (*end || !isfinite(t.base_lon) || fabs(t.base_lon) > 180) {
            fprintf(stderr, "aduan: --base: LAT,LON in degrees, e.g. -2.3345,115.4632\n");
            return USAGE;
        }
        t.has_base = true;
    }
    if (find_agency(s, ar, agency, &a) != 0)
        return FAIL;
    t.agency_id = a.id;
    t.name = name;
    int64_t id;
    int rc = report(store_team_create(s, &t, clock_now(), &id), "team add");
    if (rc == OK)
        printf("aduan: team '%s' added to %s (id %lld)\n", name, a.code, (long long)id);
    return rc;
}

int admin_team(store_t *s, int argc, char **argv)
{
    static const char *const keys[] = {"base", NULL};
    const char *v[1] = {0}, *pos[2] = {0};
    const char *sub = argc > 0 ? argv[0] : "";
    int rc = OK;
    arena_t *ar = arena_new();
    if (!ar)
        return FAIL;
    if (parse_opts(argc - 1, argv + 1, keys, v, pos, 2) != 0) {
        rc = USAGE;
    } else if (strcmp(sub, "add") == 0) {
        if (need(pos[0], "AGENCY", admin_usage_team) || need(pos[1], "NAME", admin_usage_team))
            rc = USAGE;
        else
            rc = team_add(s, ar, pos[0], pos[1], v[0]);
    } else if (strcmp(sub, "list") == 0) {
        store_agency a = {0};
        store_team *t;
        size_t n;
        if (pos[0] && find_agency(s, ar, pos[0], &a) != 0)
            rc = FAIL;
        else
            rc = report(store_team_list(s, ar, a.id, &t, &n), "team list");
        for (size_t i = 0; rc == OK && i < n; i++)
            printf("%3lld  agency %-3lld %-28s %2d member(s)  %s\n", (long long)t[i].id,
                   (long long)t[i].agency_id, t[i].name, t[i].members,
                   t[i].has_base ? "" : "(no base location)");
    } else if (strcmp(sub, "member") == 0) {
        long team = 0;
        store_user u;
        store_team t;
        if (parse_int(pos[0], 1, 1L << 40, &team) != 0 || need(pos[1], "LOGIN", admin_usage_team))
            rc = complain(USAGE, "Usage: %s\n", admin_usage_team);
        else if (store_team_get(s, ar, team, &t) != ERR_OK)
            rc = complain(FAIL, "aduan: no team %ld\n", team);
        else if (store_user_by_login(s, ar, pos[1], &u) != ERR_OK)
            rc = complain(FAIL, "aduan: no user '%s'\n", pos[1]);
        else
            rc = report(store_team_add_member(s, team, u.id), "team member");
        if (rc == OK)
            printf("aduan: %s is now a member of '%s'\n", pos[1], t.name);
    } else {
        fprintf(stderr, "Usage: %s\n", admin_usage_team);
        rc = USAGE;
    }
    arena_destroy(ar);
    return rc;
}

/* The whole file at path in a buffer of at most max bytes (NUL added);
 * NULL with errno set (EFBIG when longer). */
static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (n == cap) {
            size_t want = cap ? cap * 2 : 64 * 1024;
            char *grown = want <= max + 1 ? realloc(buf, want + 1) : NULL;
            if (!grown) {
                free(buf);
                fclose(f);
                errno = want > max + 1 ? EFBIG : ENOMEM;
                return NULL;
            }
            buf = grown;
            cap = want;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad || n > max) {
        free(buf);
        errno = bad ? EIO : EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int region_import_file(store_t *s, arena_t *ar, const char *path)
{
    size_t len = 0, n = 0, located = 0;
    char err[512] = "";
    char *text = read_file(path, REGION_FILE_MAX, &len);
    if (!text)
        return complain(FAIL, "aduan: region import: cannot read %s: %s\n", path,
                        errno == EFBIG ? "larger than 64 MB" : strerror(errno));
    err_t e = region_import(s, ar, text, len, clock_now(), &n, err, sizeof err);
    free(text);
    if (e != ERR_OK)
        return complain(FAIL, "aduan: region import: %s: %s; nothing was imported\n", path, err);
    printf("aduan: imported the boundaries of %zu kecamatan from %s\n", n, path);
    /* Cases located before: their kecamatan now follows from the point. */
    e = region_backfill(s, clock_now(), &located);
    if (e != ERR_OK)
        return complain(FAIL,
                        "aduan: region import: the boundaries are in, but giving located "
                        "cases their kecamatan failed: %s\n",
                        err_str_lang(e, "en"));
    if (located)
        printf("aduan: %zu case(s) with a location got their kecamatan\n", located);
    return OK;
}

int admin_region(store_t *s, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";
    int rc = OK;
    arena_t *ar = arena_new();
    if (!ar)
        return FAIL;
    if (strcmp(sub, "import") == 0 && argc == 2) {
        rc = region_import_file(s, ar, argv[1]);
    } else if (strcmp(sub, "list") == 0 && argc == 1) {
        store_region *g;
        size_t n = 0;
        rc = report(store_region_list(s, ar, &g, &n), "region list");
        for (size_t i = 0; rc == OK && i < n; i++)
            printf("%-10s %-28s %s\n", g[i].code, g[i].name,
                   g[i].has_shape ? "boundary" : "(no boundary)");
    } else {
        rc = complain(USAGE, "Usage: %s\n", admin_usage_region);
    }
    arena_destroy(ar);
    return rc;
}

/* ---- backup and restore (issue 19 §4) ------------------------------------------ */

const char admin_usage_backup[] = "aduan backup FILE [--gzip] [--no-media]";
const char admin_usage_restore[] = "aduan restore FILE --to sqlite:PATH|postgres://... "
                                   "[--media-to DIR]";

/* Room for a report: a line per table and the checks. */
#define BACKUP_REPORT 8192

/* The media archive beside a backup. */
static int media_archive(const char *file, char *out, size_t cap)
{
    return snprintf(out, cap, "%s.media.tar", file) < (int)cap ? 0 : -1;
}

/* Files in a tar listing (lines not naming a directory). */
static long tar_files(const char *listing)
{
    char line[1024];
    long n = 0;
    FILE *f = fopen(listing, "r");
    while (f && fgets(line, sizeof line, f)) {
        size_t l = strcspn(line, "\n");
        if (l > 0 && line[l - 1] != '/')
            n++;
    }
    if (f)
        fclose(f);
    return f ? n : -1;
}

/* FILE.media.tar: the media directory as it is now, after the database's
 * snapshot (a file named in the snapshot was written before its row). */
static int backup_media(const config_t *cfg, const char *file)
{
    char tar[CONFIG_PATH_MAX + 16], part[CONFIG_PATH_MAX + 32], list[CONFIG_PATH_MAX + 32];
    char err[512];
    struct stat sb;
    if (stat(cfg->media_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("media: no directory %s: nothing to archive\n", cfg->media_dir);
        return OK;
    }
    if (media_archive(file, tar, sizeof tar) != 0)
        return complain(USAGE, "aduan: backup: the file name is too long\n");
    snprintf(part, sizeof part, "%s.part", tar);
    snprintf(list, sizeof list, "%s.list", tar);
    char *create[] = {"tar", "-C", (char *)cfg->media_dir, "-cf", part, ".", NULL};
    char *check[] = {"tar", "-tf", part, NULL};
    err_t e = proc_run(create, NULL, err, sizeof err);
    if (e == ERR_OK)
        e = proc_run(check, list, err, sizeof err);
    long n = e == ERR_OK ? tar_files(list) : -1;
    unlink(list);
    if (e != ERR_OK || n < 0 || chmod(part, 0600) != 0 || rename(part, tar) != 0) {
        unlink(part);
        return complain(FAIL, "aduan: backup: the media archive failed: %s\n",
                        err[0] ? err : strerror(errno));
    }
    printf("media: %ld files of %s in %s\n", n, cfg->media_dir, tar);
    return OK;
}

int admin_backup(const config_t *cfg, int argc, char **argv)
{
    const char *file = NULL;
    bool gzip = false, media = true;
    char report[BACKUP_REPORT];
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--gzip") == 0)
            gzip = true;
        else if (strcmp(argv[i], "--no-media") == 0)
            media = false;
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else
            return complain(USAGE, "aduan: backup: unexpected '%s'\nUsage: %s\n", argv[i],
                            admin_usage_backup);
    }
    if (!file)
        return complain(USAGE, "aduan: backup: FILE is required\nUsage: %s\n", admin_usage_backup);
    err_t e = backup_write(cfg->database_url, file, gzip, report, sizeof report);
    if (e != ERR_OK)
        return complain(FAIL, "aduan: backup of %s failed, %s not written: %s\n",
                        cfg->database_shown, file, report);
    printf("%s", report);
    struct stat sb;
    printf("aduan: backup of %s written to %s (%lld bytes)\n", cfg->database_shown, file,
           stat(file, &sb) == 0 ? (long long)sb.st_size : -1LL);
    return media ? backup_media(cfg, file) : OK;
}

/* Puts FILE.media.tar's files into dir, keeping any file already there
 * (names are content hashes: the same name is the same file). */
static int restore_media(const char *file, const char *dir)
{
    char tar[CONFIG_PATH_MAX + 16], err[512];
    if (media_archive(file, tar, sizeof tar) != 0 || access(tar, R_OK) != 0) {
        printf("media: no %s.media.tar beside the backup: copy the media directory yourself\n",
               file);
        return OK;
    }
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return complain(FAIL, "aduan: restore: cannot create %s: %s\n", dir, strerror(errno));
    char *extract[] = {"tar", "-C", (char *)dir, "--skip-old-files", "-xf", tar, NULL};
    if (proc_run(extract, NULL, err, sizeof err) != ERR_OK)
        return complain(FAIL, "aduan: restore: the media archive failed: %s\n", err);
    printf("media: %s unpacked into %s\n", tar, dir);
    return OK;
}

static void restore_progress(void *ctx, const char *table, int64_t done, int64_t total)
{
    (void)ctx;
    if (done == total || done % 100000 == 0)
        fprintf(stderr, "\r%lld/%lld rows (%s)%s", (long long)done, (long long)total, table,
                done == total ? "\n" : "");
}

/* mkdir -p of the directory part of path. */
static void make_parent(const char *path)
{
    char buf[CONFIG_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf)
        return;
    *slash = '\0';
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        (void)mkdir(buf, 0750);
        *p = '/';
    }
    (void)mkdir(buf, 0750);
}

int admin_restore(const config_t *cfg, int argc, char **argv)
{
    static const char *const keys[] = {"to", "media-to", NULL};
    const char *vals[2] = {NULL, NULL}, *pos[1] = {NULL};
    char report[BACKUP_REPORT];
    if (parse_opts(argc, argv, keys, vals, pos, 1) != 0 ||
        need(pos[0], "FILE", admin_usage_restore) || need(vals[0], "--to", admin_usage_restore))
        return USAGE;
    if (config_sqlite_path(vals[0]))
        make_parent(config_sqlite_path(vals[0]));
    err_t e = backup_restore(pos[0], vals[0], isatty(STDERR_FILENO) ? restore_progress : NULL, NULL,
                             report, sizeof report);
    if (e == ERR_INTERNAL) {
        printf("%s", report);
        return complain(FAIL, "aduan: restore: row counts differ; nothing was committed\n");
    }
    if (e != ERR_OK)
        return complain(e == ERR_INVALID && strstr(report, "--to:") ? USAGE : FAIL,
                        "aduan: restore of %s failed, the target is unchanged: %s\n", pos[0],
                        report);
    printf("%saduan: restored %s; every check passed.\n", report, pos[0]);
    return restore_media(pos[0], vals[1] ? vals[1] : cfg->media_dir);
}

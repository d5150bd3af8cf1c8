/* `aduan export`: the CSV export on the command line, with a progress bar
 * on a terminal. The command runs with the database's own authority (like
 * the other admin commands), so every column may be chosen. */
#include "domain/export.h"

#include "core/clock.h"
#include "domain/lapor.h"
#include "domain/cases.h"
#include "domain/lifecycle.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char export_usage[] =
    "aduan export -o FILE.csv [--agency ID|CODE] [--status S] [--category ID] [--team ID]\n"
    "                    [--kecamatan CODE] [--from DATE] [--to DATE] [--q TEXT]\n"
    "                    [--lapor yes|no|marked] [--lapor-class pengaduan|aspirasi|"
    "permintaan_informasi]\n"
    "                    [--channel NAME] [--columns KEY,KEY,...] [--lang id|en]";

__attribute__((format(printf, 2, 3))) static int fail(int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "aduan: export: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return rc;
}

static int parse_id(const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || n <= 0 || errno)
        return -1;
    *out = n;
    return 0;
}

static void progress_bar(const export_run *x, bool done)
{
    const int width = 30;
    double p = export_progress(x);
    int fill = (int)(p * width + 0.5);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %3d%%  %lld rows%s", bar, (int)(p * 100 + 0.5),
            (long long)export_rows(x), done ? "\n" : "");
    fflush(stderr);
}

int export_cmd(store_t *s, int argc, char **argv)
{
    enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };
    store_case_filter f = {0};
    const char *out_path = NULL, *columns = NULL, *lang = "id", *agency = NULL;
    arena_t *ar = arena_new();
    if (!ar)
        return EXIT_FAIL;
    int rc = 0;
    for (int i = 0; i < argc && !rc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            rc = fail(EXIT_USAGE, "'%s' needs a value", a);
            break;
        }
        i++;
        if (strcmp(a, "-o") == 0)
            out_path = v;
        else if (strcmp(a, "--agency") == 0)
            agency = v;
        else if (strcmp(a, "--status") == 0) {
            if (status_parse(v) < 0)
                rc = fail(EXIT_USAGE, "unknown status '%s'", v);
            f.status = v;
        } else if (strcmp(a, "--category") == 0) {
            if (parse_id(v, &f.category_id))
                rc = fail(EXIT_USAGE, "--category: '%s' is not an id", v);
        } else if (strcmp(a, "--team") == 0) {
            if (parse_id(v, &f.team_id))
                rc = fail(EXIT_USAGE, "--team: '%s' is not an id", v);
        } else if (strcmp(a, "--kecamatan") == 0) {
            if (store_region_exists(s, v) != ERR_OK)
                rc = fail(EXIT_USAGE, "unknown kecamatan '%s'", v);
            f.kecamatan_code = v;
        } else if (strcmp(a, "--from") == 0) {
            if (clock_parse(v, 0, &f.from) != 0)
                rc = fail(EXIT_USAGE, "--from: '%s' is not YYYY-MM-DD or an RFC 3339 time", v);
        } else if (strcmp(a, "--to") == 0) {
            if (clock_parse(v, 1, &f.to) != 0)
                rc = fail(EXIT_USAGE, "--to: '%s' is not YYYY-MM-DD or an RFC 3339 time", v);
        } else if (strcmp(a, "--q") == 0)
            f.q = v;
        else if (strcmp(a, "--lapor") == 0) {
            /* Forwarded to LAPOR! (a tracking number recorded) or not yet;
             * or marked for it and still without a number (issue 17 §3). */
            if (strcmp(v, "yes") && strcmp(v, "no") && strcmp(v, "marked"))
                rc = fail(EXIT_USAGE, "--lapor: '%s' is not yes, no or marked", v);
            f.lapor = !strcmp(v, "yes") ? 1 : !strcmp(v, "no") ? -1 : STORE_LAPOR_TODO;
        } else if (strcmp(a, "--lapor-class") == 0) {
            if (!lapor_class_valid(v))
                rc = fail(EXIT_USAGE,
                          "--lapor-class: '%s' is not pengaduan, aspirasi or "
                          "permintaan_informasi",
                          v);
            f.lapor_class = v;
        } else if (strcmp(a, "--channel") == 0) {
            /* The channel the cases came on (issue 16 section 4). */
            if (!case_channel_known(v))
                rc = fail(EXIT_USAGE,
                          "--channel: '%s' is not a channel (whatsapp, telegram, "
                          "email, web, open311, walk_in, phone, forward)",
                          v);
            f.channel = v;
        } else if (strcmp(a, "--columns") == 0)
            columns = v;
        else if (strcmp(a, "--lang") == 0) {
            if (strcmp(v, "id") && strcmp(v, "en"))
                rc = fail(EXIT_USAGE, "--lang: '%s' is not id or en", v);
            lang = v;
        } else
            rc = fail(EXIT_USAGE, "unexpected '%s'", a);
    }
    store_agency ag;
    if (!rc && agency) {
        if (store_agency_find(s, ar, agency, &ag) != ERR_OK)
            rc = fail(EXIT_USAGE, "unknown agency '%s'", agency);
        else
            f.agency_id = ag.id;
    }
    if (!rc && !out_path)
        rc = fail(EXIT_USAGE, "%s", "-o FILE.csv is required (- for standard output)");
    export_cols cols;
    const char *why = NULL;
    if (!rc && export_cols_parse(columns, true, &cols, &why) != 0) {
        fprintf(stderr, "aduan: export: %s (known: %s)\n", why, export_col_keys());
        rc = EXIT_USAGE;
    }
    if (rc) {
        arena_destroy(ar);
        return rc;
    }
    /* Written beside the target and renamed at the end: a failed export
     * leaves no file that looks complete. */
    bool to_stdout = strcmp(out_path, "-") == 0;
    char *tmp = to_stdout ? NULL : arena_printf(ar, "%s.part", out_path);
    FILE *out = to_stdout ? stdout : (tmp ? fopen(tmp, "wb") : NULL);
    if (!out) {
        fprintf(stderr, "aduan: export: cannot write %s: %s\n", out_path, strerror(errno));
        arena_destroy(ar);
        return EXIT_FAIL;
    }
    export_run *x = export_start(s, &f, &cols, lang);
    bool bar = !to_stdout && isatty(STDERR_FILENO);
    static char buf[64 * 1024];
    size_t n = 0;
    err_t e = x ? ERR_OK : ERR_NOMEM;
    int64_t shown = -1;
    while (e == ERR_OK) {
        e = export_read(x, buf, sizeof buf, &n);
        if (e != ERR_OK || n == 0)
            break;
        if (fwrite(buf, 1, n, out) != n) {
            e = ERR_IO;
            break;
        }
        if (bar && export_rows(x) / 5000 != shown) {
            shown = export_rows(x) / 5000;
            progress_bar(x, false);
        }
    }
    if (bar && x)
        progress_bar(x, true);
    if (fflush(out) != 0 && e == ERR_OK)
        e = ERR_IO;
    if (!to_stdout && fclose(out) != 0 && e == ERR_OK)
        e = ERR_IO;
    if (e == ERR_OK && !to_stdout && rename(tmp, out_path) != 0)
        e = ERR_IO;
    if (e != ERR_OK) {
        fprintf(stderr, "aduan: export failed: %s\n", err_str_lang(e, "en"));
        if (tmp)
            unlink(tmp);
        rc = EXIT_FAIL;
    } else if (!to_stdout) {
        fprintf(stderr, "aduan: exported %lld cases to %s\n", (long long)export_rows(x), out_path);
    }
    export_free(x);
    arena_destroy(ar);
    return rc;
}

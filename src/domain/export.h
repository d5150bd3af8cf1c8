/* export: cases as CSV (UTF-8 with a byte order mark, RFC 4180, CRLF),
 * produced a batch at a time so that memory stays constant whatever the
 * number of cases. Used by GET /api/v1/cases/export.csv and `aduan export`. */
#ifndef ADUAN_EXPORT_H
#define ADUAN_EXPORT_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

#define EXPORT_COLS_MAX 32
/* Cases read per query (keyset pagination by id, newest first). */
#define EXPORT_BATCH 500

typedef struct {
    int col[EXPORT_COLS_MAX]; /* indexes into the column table */
    size_t n;
    bool personal; /* one of them is personal data (reporter, address) */
} export_cols;

/* Parses a comma-separated list of column keys (NULL or "": the default
 * set; the default leaves the personal columns out unless with_personal).
 * Returns 0, or -1 with *why naming the problem (unknown or repeated key,
 * empty list). */
int export_cols_parse(const char *spec, bool with_personal, export_cols *out, const char **why);
/* Every column key, comma-separated (for help and errors). */
const char *export_col_keys(void);

typedef struct export_run export_run;

/* Starts an export of the cases matching f (its cursor and limit are the
 * exporter's own) with the columns and header language ("id" or "en").
 * Returns NULL when out of memory. */
export_run *export_start(store_t *s, const store_case_filter *f, const export_cols *cols,
                         const char *lang);
/* Writes up to cap bytes of CSV into buf; *n gets how many. *n == 0 with
 * ERR_OK means the end. On a database error the export stops there. */
err_t export_read(export_run *x, char *buf, size_t cap, size_t *n);
/* Rows written so far, and the progress as a fraction 0..1 (by id, since
 * rows go from the newest id down). */
int64_t export_rows(const export_run *x);
double export_progress(const export_run *x);
void export_free(export_run *x);

/* Appends one CSV cell: quoted when needed, with a leading ' when text
 * starts like a spreadsheet formula (= + - @, tab or CR). Exposed for the
 * unit test. Returns the bytes written to out (cap must be >= 2 * len + 4). */
size_t export_cell(char *out, const char *s, size_t len, bool defuse);

/* `aduan export` (export_cmd.c): argv after the command word; returns the
 * process exit code (0, 1 failed, 2 bad usage). */
extern const char export_usage[];
int export_cmd(store_t *s, int argc, char **argv);

#endif

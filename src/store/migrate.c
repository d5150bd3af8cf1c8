/* The migration plan both engines follow (store/migrate_int.h). */
#include "store/migrate_int.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_mig(const void *a, const void *b)
{
    const store_mig *x = a, *y = b;
    if (x->version != y->version)
        return x->version < y->version ? -1 : 1;
    return strcmp(x->file->name, y->file->name);
}

err_t store_mig_plan(const embed_file *files, size_t n, const char *engine, store_mig *out,
                     size_t *nout)
{
    char suffix[32];
    snprintf(suffix, sizeof suffix, ".%s.sql", engine);
    size_t m = 0, sl = strlen(suffix);
    for (size_t i = 0; i < n; i++) {
        const char *name = files[i].name;
        size_t len = strlen(name);
        if (len <= sl || strcmp(name + len - sl, suffix) != 0)
            continue;
        char *end;
        long v = strtol(name, &end, 10);
        if (end == name || *end != '_' || v <= 0 || v > 999999) {
            log_error("store", "event=migration_bad_name name=%s", name);
            return ERR_INVALID;
        }
        out[m].file = &files[i];
        out[m].version = (int)v;
        m++;
    }
    if (m > 1)
        qsort(out, m, sizeof *out, cmp_mig);
    for (size_t i = 1; i < m; i++)
        if (out[i].version == out[i - 1].version) {
            log_error("store", "event=migration_duplicate version=%d a=%s b=%s", out[i].version,
                      out[i - 1].file->name, out[i].file->name);
            return ERR_INVALID;
        }
    *nout = m;
    return ERR_OK;
}

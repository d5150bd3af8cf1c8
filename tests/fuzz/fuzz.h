/* Helpers shared by the libFuzzer targets (tests/fuzz/README.md). Each target
 * is one file, fuzz_NAME.c, that includes this, defines
 * LLVMFuzzerTestOneInput and names its seed directories on a line
 * "seeds: DIR ..." in its first comment (tests/fuzz/run.sh reads it). */
#ifndef ADUAN_FUZZ_H
#define ADUAN_FUZZ_H

#include "core/log.h"
#include "core/secret.h"
#include "domain/seed.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A fixed "now" for every input: the same input, the same run. */
#define FUZZ_NOW 1790000000

/* Nothing logged: a fuzzer's output is its statistics and its findings. */
static inline void fuzz_quiet(void) { log_set_level((log_level_t)(LOG_ERROR + 1)); }

/* data[0..size) as a NUL-terminated string (malloc), as the server hands a
 * body to its parsers; an embedded NUL ends it early, as it would there. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Splits data at the first occurrence of sep: *a gets the part before it,
 * *b the rest (NULL when sep does not occur). Both are NUL-terminated
 * copies to free. */
static inline void fuzz_split(const uint8_t *data, size_t size, const char *sep, char **a, char **b)
{
    size_t n = strlen(sep);
    for (size_t i = 0; i + n <= size; i++) {
        if (memcmp(data + i, sep, n) == 0) {
            *a = fuzz_cstr(data, i);
            *b = fuzz_cstr(data + i + n, size - i - n);
            return;
        }
    }
    *a = fuzz_cstr(data, size);
    *b = NULL;
}

static char fuzz_dir[64];

static void fuzz_cleanup(void)
{
    char path[128];
    static const char *const files[] = {"f.db", "f.db-wal", "f.db-shm", "f.db.lock"};
    for (size_t i = 0; fuzz_dir[0] && i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, files[i]);
        unlink(path);
    }
    if (fuzz_dir[0])
        rmdir(fuzz_dir);
}

/* A throwaway SQLite database with the demo (agencies, categories, users,
 * kecamatan), made once per process and removed at exit; NULL on failure. */
static inline store_t *fuzz_store(void)
{
    static store_t *s;
    char url[128];
    if (s)
        return s;
    snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/aduan-fuzz-XXXXXX");
    if (!mkdtemp(fuzz_dir) || secret_init() != ERR_OK)
        abort();
    atexit(fuzz_cleanup);
    snprintf(url, sizeof url, "sqlite:%s/f.db", fuzz_dir);
    /* Redoable commits: nothing here needs to survive a power cut. */
    if (store_open(url, 2, &s) != ERR_OK)
        abort();
    store_set_durability(s, STORE_DURABLE_PROCESS);
    if (store_migrate(s, NULL) != ERR_OK || seed_demo(s, FUZZ_NOW) != ERR_OK)
        abort();
    return s;
}

#endif

/* proc: runs a helper program (pg_dump, pg_restore, gzip, tar) and waits
 * for it, for the backup commands. No shell: argv is passed as it is. */
#ifndef ADUAN_PROC_H
#define ADUAN_PROC_H

#include "core/err.h"

#include <stddef.h>

/* Runs argv[0] (looked up in PATH) with argv, its standard input from
 * /dev/null, its standard output into the file out_path (created or
 * truncated, mode 0600) or, when NULL, discarded; its standard error is
 * kept, and the last line of it is copied into err (cap bytes). ERR_OK
 * when it exited with 0; ERR_NOT_FOUND when the program is not installed;
 * ERR_IO otherwise (err says why). */
err_t proc_run(char *const argv[], const char *out_path, char *err, size_t cap)
    __attribute__((warn_unused_result));

/* Test builds' crash point: when the environment variable
 * ADUAN_TEST_CRASH_AT equals point, the process ends at once with _exit(86)
 * (as kill -9 would: no cleanup, nothing flushed). TEST ONLY: the e2e
 * tests use it to crash between a commit and what follows it
 * (tests/e2e/test_notice_crash.py); never set it on a server. */
void proc_test_crash(const char *point);

#endif

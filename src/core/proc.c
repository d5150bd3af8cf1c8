/* Helper programs for the backup commands (core/proc.h). */
#include "core/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The helper's standard error kept for the message: its last line says why. */
#define ERR_TAIL 4096

/* Exit status 127 from the child: exec failed (the program is missing). */
#define EXEC_FAILED 127

static void last_line(const char *buf, size_t n, char *err, size_t cap)
{
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    size_t start = n;
    while (start > 0 && buf[start - 1] != '\n')
        start--;
    snprintf(err, cap, "%.*s", (int)(n - start), buf + start);
}

static void child(char *const argv[], const char *out_path, int errfd)
{
    int in = open("/dev/null", O_RDONLY);
    int out =
        out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
        _exit(EXEC_FAILED - 1);
    execvp(argv[0], argv);
    _exit(EXEC_FAILED);
}

err_t proc_run(char *const argv[], const char *out_path, char *err, size_t cap)
{
    int fds[2];
    char tail[ERR_TAIL];
    size_t n = 0;
    err[0] = '\0';
    if (pipe(fds) != 0) {
        snprintf(err, cap, "pipe: %s", strerror(errno));
        return ERR_IO;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, cap, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return ERR_IO;
    }
    if (pid == 0) {
        close(fds[0]);
        child(argv, out_path, fds[1]);
    }
    close(fds[1]);
    for (;;) {
        char buf[1024];
        ssize_t got = read(fds[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        /* Keep the end: slide when full (buf is smaller than tail). */
        if (n + (size_t)got > sizeof tail) {
            size_t drop = n + (size_t)got - sizeof tail;
            memmove(tail, tail + drop, n - drop);
            n -= drop;
        }
        memcpy(tail + n, buf, (size_t)got);
        n += (size_t)got;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    last_line(tail, n, err, cap);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return ERR_OK;
    if (WIFEXITED(status) && WEXITSTATUS(status) == EXEC_FAILED) {
        snprintf(err, cap, "%s is not installed", argv[0]);
        return ERR_NOT_FOUND;
    }
    if (!err[0])
        snprintf(err, cap, "%s failed (status %d)", argv[0], status);
    return ERR_IO;
}

void proc_test_crash(const char *point)
{
    /* Read once: the environment does not change while aduan runs. */
    static const char *at;
    static int read;
    if (!read) {
        at = getenv("ADUAN_TEST_CRASH_AT");
        read = 1;
    }
    if (at && strcmp(at, point) == 0) {
        static const char msg[] = "aduan: ADUAN_TEST_CRASH_AT: crashing (test only)\n";
        if (write(2, msg, sizeof msg - 1) < 0)
            _exit(86);
        _exit(86);
    }
}

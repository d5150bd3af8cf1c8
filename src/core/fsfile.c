/* fsfile: whole files, synced before they are named (see fsfile.h). */
#include "core/fsfile.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Longest path we build: the media directory (CONFIG_PATH_MAX) and a name. */
#define FSFILE_PATH_MAX 1024

static int sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

err_t fsfile_commit(const char *dir, const char *tmp_path, const char *name, bool durable)
{
    char dst[FSFILE_PATH_MAX];
    const char *step = "name";
    if ((size_t)snprintf(dst, sizeof dst, "%s/%s", dir, name) >= sizeof dst)
        goto fail;
    step = "fsync";
    if (durable && sync_path(tmp_path, O_RDONLY) != 0)
        goto fail;
    step = "rename";
    if (rename(tmp_path, dst) != 0)
        goto fail;
    /* The rename itself lives in the directory. */
    if (durable && sync_path(dir, O_RDONLY | O_DIRECTORY) != 0) {
        log_error("fsfile", "event=dir_fsync_failed errno=%d", errno);
        return ERR_IO;
    }
    return ERR_OK;
fail:
    log_error("fsfile", "event=write_failed step=%s errno=%d", step, errno);
    unlink(tmp_path);
    return ERR_IO;
}

err_t fsfile_write(const char *dir, const char *name, const void *data, size_t len, bool durable)
{
    char tmp[FSFILE_PATH_MAX];
    unsigned r;
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 8; tries++) {
        if (getentropy(&r, sizeof r) != 0)
            r = (unsigned)getpid() ^ (unsigned)tries;
        if ((size_t)snprintf(tmp, sizeof tmp, "%s/.w-%08x", dir, r) >= sizeof tmp)
            return ERR_IO;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        log_error("fsfile", "event=write_failed step=open errno=%d", errno);
        return ERR_IO;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log_error("fsfile", "event=write_failed step=write errno=%d", errno);
            close(fd);
            unlink(tmp);
            return ERR_IO;
        }
        p += n;
        left -= (size_t)n;
    }
    bool synced = !durable || fsync(fd) == 0;
    if (close(fd) != 0 || !synced) {
        log_error("fsfile", "event=write_failed step=close errno=%d", errno);
        unlink(tmp);
        return ERR_IO;
    }
    /* Synced above already: the commit needs only the rename's sync. */
    char dst[FSFILE_PATH_MAX];
    if ((size_t)snprintf(dst, sizeof dst, "%s/%s", dir, name) >= sizeof dst ||
        rename(tmp, dst) != 0) {
        log_error("fsfile", "event=write_failed step=rename errno=%d", errno);
        unlink(tmp);
        return ERR_IO;
    }
    if (durable && sync_path(dir, O_RDONLY | O_DIRECTORY) != 0) {
        log_error("fsfile", "event=dir_fsync_failed errno=%d", errno);
        return ERR_IO;
    }
    return ERR_OK;
}

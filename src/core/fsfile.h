/* fsfile: files that must be whole, and on disk, before the database names
 * them (the media directory: photos, documents).
 *
 * A file is written under a temporary name in its directory and renamed
 * over its final name, so that a reader never sees half of it. With
 * durable (ADUAN_DURABILITY=fsync), the file is synced before the rename
 * and the directory after it: a commit made after the call that names the
 * file can never point at a file a power cut took. */
#ifndef ADUAN_FSFILE_H
#define ADUAN_FSFILE_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

/* Writes data[0..len) to dir/name (mode 0640). ERR_IO, with errno logged
 * and no file left behind, on failure. */
err_t fsfile_write(const char *dir, const char *name, const void *data, size_t len, bool durable)
    __attribute__((warn_unused_result));

/* Moves the complete file at tmp_path (in dir) to dir/name, with the same
 * syncs; tmp_path is removed on failure. */
err_t fsfile_commit(const char *dir, const char *tmp_path, const char *name, bool durable)
    __attribute__((warn_unused_result));

#endif

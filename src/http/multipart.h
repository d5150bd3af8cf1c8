/* multipart: reading a multipart/form-data body (RFC 7578) that is
 * already buffered in memory. Nothing is copied: parts point into the
 * body. Only what uploads need: the name, the file name, the content type
 * and the bytes of each part. */
#ifndef ADUAN_MULTIPART_H
#define ADUAN_MULTIPART_H

#include "core/arena.h"
#include "core/err.h"

#include <stddef.h>

/* Parts per body and the longest header block of a part: a form with a
 * file and a few fields, headers of a few lines. */
#define MULTIPART_PARTS_MAX  8
#define MULTIPART_HEADER_MAX 1024
/* RFC 2046: a boundary is 1 to 70 characters. */
#define MULTIPART_BOUNDARY_MAX 70

typedef struct {
    const char *name;         /* form field name (arena, NUL-terminated) */
    const char *filename;     /* NULL when the part is not a file */
    const char *content_type; /* NULL when not given */
    const char *data;         /* into the body; not NUL-terminated */
    size_t len;
} multipart_part;

/* Splits body[0..len) by the boundary named in content_type. Returns
 * ERR_OK with parts[0..*n); ERR_UNSUPPORTED when the content type is not
 * multipart/form-data with a boundary; ERR_INVALID with *why for a
 * malformed body (missing boundary lines, no closing delimiter, a part
 * without Content-Disposition: form-data; name=..., too many parts). */
err_t multipart_parse(arena_t *ar, const char *content_type, const char *body, size_t len,
                      multipart_part *parts, size_t max, size_t *n, const char **why)
    __attribute__((warn_unused_result));

/* The first part named name, or NULL. */
const multipart_part *multipart_find(const multipart_part *parts, size_t n, const char *name);

#endif

#include "http/multipart.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* The first occurrence of needle in hay, or NULL. */
static const char *find(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0 || hn < nn)
        return NULL;
    for (const char *p = hay, *end = hay + hn - nn; p <= end; p++) {
        p = memchr(p, needle[0], (size_t)(end - p) + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, nn) == 0)
            return p;
    }
    return NULL;
}

/* The value of parameter key in a header value such as
 * `form-data; name="file"; filename="a.pdf"`, unquoted, in the arena;
 * NULL when absent. A quoted value may hold ';' and escaped quotes. */
static const char *param(arena_t *ar, const char *v, size_t len, const char *key)
{
    size_t kl = strlen(key);
    size_t i = 0;
    while (i < len) {
        /* Skip to the next parameter. */
        while (i < len && v[i] != ';')
            i++;
        if (i >= len)
            break;
        i++;
        while (i < len && (v[i] == ' ' || v[i] == '\t'))
            i++;
        if (len - i > kl && strncasecmp(v + i, key, kl) == 0 && v[i + kl] == '=') {
            i += kl + 1;
            if (i < len && v[i] == '"') {
                char *out = arena_alloc(ar, len - i + 1);
                size_t o = 0;
                if (!out)
                    return NULL;
                for (i++; i < len && v[i] != '"'; i++) {
                    if (v[i] == '\\' && i + 1 < len)
                        i++;
                    out[o++] = v[i];
                }
                if (i >= len)
                    return NULL; /* unterminated quote */
                out[o] = '\0';
                return out;
            }
            size_t start = i;
            while (i < len && v[i] != ';' && v[i] != ' ' && v[i] != '\t')
                i++;
            return arena_strndup(ar, v + start, i - start);
        }
        /* Not it: step over this parameter, minding quotes. */
        bool quoted = false;
        while (i < len && (quoted || v[i] != ';')) {
            if (v[i] == '"')
                quoted = !quoted;
            else if (v[i] == '\\' && quoted)
                i++;
            i++;
        }
    }
    return NULL;
}

/* Reads the header block h[0..len) of one part into p. */
static err_t part_headers(arena_t *ar, const char *h, size_t len, multipart_part *p,
                          const char **why)
{
    bool disposition = false;
    size_t i = 0;
    while (i < len) {
        const char *eol = find(h + i, len - i, "\r\n", 2);
        size_t ll = eol ? (size_t)(eol - (h + i)) : len - i;
        const char *line = h + i;
        const char *colon = memchr(line, ':', ll);
        if (!colon) {
            *why = "a part header without a colon";
            return ERR_INVALID;
        }
        size_t nl = (size_t)(colon - line);
        const char *val = colon + 1;
        size_t vl = ll - nl - 1;
        while (vl && (*val == ' ' || *val == '\t')) {
            val++;
            vl--;
        }
        if (nl == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
            if (vl < 9 || strncasecmp(val, "form-data", 9) != 0 ||
                (vl > 9 && val[9] != ';' && val[9] != ' ')) {
                *why = "a part that is not form-data";
                return ERR_INVALID;
            }
            disposition = true;
            p->name = param(ar, val, vl, "name");
            p->filename = param(ar, val, vl, "filename");
        } else if (nl == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
            p->content_type = arena_strndup(ar, val, vl);
        }
        i += ll + 2;
    }
    if (!disposition || !p->name) {
        *why = "a part without Content-Disposition: form-data; name=...";
        return ERR_INVALID;
    }
    return ERR_OK;
}

err_t multipart_parse(arena_t *ar, const char *content_type, const char *body, size_t len,
                      multipart_part *parts, size_t max, size_t *n, const char **why)
{
    *n = 0;
    *why = NULL;
    if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0) {
        *why = "Content-Type must be multipart/form-data";
        return ERR_UNSUPPORTED;
    }
    const char *b = param(ar, content_type, strlen(content_type), "boundary");
    size_t bl = b ? strlen(b) : 0;
    if (bl == 0 || bl > MULTIPART_BOUNDARY_MAX) {
        *why = "the multipart boundary is missing or longer than 70 characters";
        return ERR_UNSUPPORTED;
    }
    /* "\r\n--" boundary: the delimiter; the first may open the body. */
    char delim[MULTIPART_BOUNDARY_MAX + 5];
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, b, bl);
    size_t dl = bl + 4;
    const char *p;
    if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0)
        p = body + dl - 2;
    else if ((p = find(body, len, delim, dl)) != NULL)
        p += dl; /* after a preamble */
    else {
        *why = "the body does not contain the boundary";
        return ERR_INVALID;
    }
    const char *end = body + len;
    for (;;) {
        /* p is just past a delimiter: "--" closes, else CRLF and a part. */
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return ERR_OK;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++; /* transport padding */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
            *why = "a boundary line not followed by a line end";
            return ERR_INVALID;
        }
        p += 2;
        if (*n >= max) {
            *why = "too many parts";
            return ERR_INVALID;
        }
        size_t room = (size_t)(end - p);
        const char *hend =
            find(p, room < MULTIPART_HEADER_MAX ? room : MULTIPART_HEADER_MAX, "\r\n\r\n", 4);
        multipart_part *part = &parts[*n];
        memset(part, 0, sizeof *part);
        if (!hend && room >= 2 && p[0] == '\r' && p[1] == '\n')
            hend = p - 2; /* no headers at all */
        if (!hend) {
            *why = "a part's headers do not end (or are too long)";
            return ERR_INVALID;
        }
        err_t e = hend > p ? part_headers(ar, p, (size_t)(hend - p), part, why)
                           : (*why = "a part without headers", ERR_INVALID);
        if (e != ERR_OK)
            return e;
        const char *data = hend + 4;
        const char *next = find(data, (size_t)(end - data), delim, dl);
        if (!next) {
            *why = "the body ends without the closing boundary";
            return ERR_INVALID;
        }
        part->data = data;
        part->len = (size_t)(next - data);
        (*n)++;
        p = next + dl;
    }
}

const multipart_part *multipart_find(const multipart_part *parts, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (parts[i].name && strcmp(parts[i].name, name) == 0)
            return &parts[i];
    return NULL;
}

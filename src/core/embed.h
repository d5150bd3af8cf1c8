/* embed: files compiled into the binary by tools/embed. */
#ifndef ADUAN_EMBED_H
#define ADUAN_EMBED_H

#include <stddef.h>

typedef struct {
    const char *name;          /* base name, e.g. "0005_wa_templates.sql" */
    const unsigned char *data; /* NUL-terminated for convenience */
    size_t len;                /* bytes, without the NUL */
} embed_file;

/* SQL migrations, sorted by name (so by number). */
extern const embed_file embed_migrations[];
extern const size_t embed_migrations_count;

/* Web assets by URL path ("/sim/app.js", "/vendor/leaflet/leaflet.js"). */
extern const embed_file embed_web[];
extern const size_t embed_web_count;

#endif

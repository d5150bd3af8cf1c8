/* Embedded web assets: the dashboard, the admin pages and the simulator's
 * chat page, compiled into the binary (build/gen/web.c). */
#include "http/http.h"

#include "core/embed.h"

#include <string.h>

static const char WEB_CSP[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob: https://*.tile.openstreetmap.org; media-src 'self' blob:; "
    "connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    if (!strcmp(dot, ".html"))
        return "text/html; charset=utf-8";
    if (!strcmp(dot, ".js"))
        return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".css"))
        return "text/css; charset=utf-8";
    if (!strcmp(dot, ".png"))
        return "image/png";
    if (!strcmp(dot, ".svg"))
        return "image/svg+xml";
    if (!strcmp(dot, ".webmanifest"))
        return "application/manifest+json";
    return "application/octet-stream";
}

bool static_serve(req_t *r)
{
    const char *path = r->path;
    if (!strcmp(path, "/sim") || !strcmp(path, "/sim/"))
        path = "/sim/index.html";
    if (!strcmp(path, "/app") || !strcmp(path, "/app/"))
        path = "/app/index.html";
    if (!strcmp(path, "/admin") || !strcmp(path, "/admin/"))
        path = "/admin/index.html";
    for (size_t i = 0; i < embed_web_count; i++) {
        if (strcmp(embed_web[i].name, path) != 0)
            continue;
        r->status = 200;
        r->text = (const char *)embed_web[i].data;
        r->text_len = embed_web[i].len ? embed_web[i].len : 1;
        r->content_type = content_type(path);
        r->csp = WEB_CSP;
        return true;
    }
    return false;
}

/* Where a mail says the problem is: a mail has no "share location" button,
 * but a phone's maps app shares a link and people paste coordinates. The
 * first point found after one of the markers below becomes the case's
 * location (its kecamatan then follows from the boundaries, as for every
 * case with a point):
 *   geo:-2.3331,115.4660                     RFC 5870 (Android's share)
 *   https://maps.google.com/?q=-2.3331,115.4660    and ll=, query=,
 *   https://www.google.com/maps/@-2.3331,115.4660,17z    destination=
 *   https://www.openstreetmap.org/?mlat=-2.3331&mlon=115.4660
 *   Lokasi: -2.3331, 115.4660               (also koordinat:, location:)
 * Both numbers need a decimal point (a phone number is no coordinate), and
 * must be a latitude and a longitude. Shortened links (goo.gl) are not
 * followed: the desk fetches nothing a mail names. */
#include "channels/email/email.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A decimal number with a point at p (optional sign); its end in *end. */
static bool decimal(const char *p, double *v, const char **end)
{
    const char *q = p;
    if (*q == '-' || *q == '+')
        q++;
    size_t ip = strspn(q, "0123456789");
    if (!ip || ip > 3 || q[ip] != '.' || !isdigit((unsigned char)q[ip + 1]))
        return false;
    char *stop;
    *v = strtod(p, &stop);
    *end = stop;
    return stop > p;
}

/* "lat,lon" (a space after the comma allowed) at p. */
static bool pair(const char *p, double *lat, double *lon)
{
    const char *e;
    double a, b;
    if (!decimal(p, &a, &e) || *e != ',')
        return false;
    e++;
    while (*e == ' ')
        e++;
    if (!decimal(e, &b, &e))
        return false;
    if (a < -90 || a > 90 || b < -180 || b > 180 || (a == 0 && b == 0))
        return false;
    *lat = a;
    *lon = b;
    return true;
}

static bool osm(const char *p, double *lat, double *lon)
{
    const char *a = strstr(p, "mlat="), *b = strstr(p, "mlon=");
    const char *e;
    double x, y;
    if (!a || !b || !decimal(a + 5, &x, &e) || !decimal(b + 5, &y, &e))
        return false;
    if (x < -90 || x > 90 || y < -180 || y > 180)
        return false;
    *lat = x;
    *lon = y;
    return true;
}

bool email_find_place(const char *text, double *lat, double *lon)
{
    static const char *const markers[] = {"geo:",         "q=",      "ll=",        "query=",   "@",
                                          "destination=", "lokasi:", "koordinat:", "location:"};
    if (!text)
        return false;
    for (const char *p = text; *p; p++) {
        for (size_t i = 0; i < sizeof markers / sizeof *markers; i++) {
            size_t n = strlen(markers[i]);
            if (strncasecmp(p, markers[i], n) != 0)
                continue;
            const char *v = p + n;
            while (*v == ' ')
                v++;
            if (pair(v, lat, lon))
                return true;
        }
        if (strncasecmp(p, "mlat=", 5) == 0 && osm(p, lat, lon))
            return true;
    }
    return false;
}

/* err: the one error space of the service.
 *
 * Numbers never change once released; add new codes at the end. Library
 * errors (SQLite, libpq, jansson, curl) are translated into these at the
 * module boundary and their own text is logged there. */
#ifndef ADUAN_ERR_H
#define ADUAN_ERR_H

typedef enum {
    ERR_OK = 0,
    ERR_NOMEM = 1,        /* allocation failed */
    ERR_INVALID = 2,      /* input failed validation (400) */
    ERR_BAD_JSON = 3,     /* body is not well-formed JSON (400) */
    ERR_BAD_UTF8 = 4,     /* text is not valid UTF-8 (400) */
    ERR_TOO_LARGE = 5,    /* body or field over its limit (413) */
    ERR_NOT_FOUND = 6,    /* unknown id or route (404) */
    ERR_CONFLICT = 7,     /* state forbids it, or a uniqueness clash (409) */
    ERR_UNAUTHORIZED = 8, /* no valid session (401) */
    ERR_FORBIDDEN = 9,    /* role or agency lacks permission (403) */
    ERR_CSRF = 10,        /* missing or wrong CSRF token (403) */
    ERR_LOCKED = 11,      /* login locked after failed logins (423 -> 429) */
    ERR_DB = 12,          /* database failure (500) */
    ERR_UNAVAILABLE = 13, /* database unreachable (503) */
    ERR_IO = 14,          /* file or socket failure (500) */
    ERR_INTERNAL = 15,    /* a bug: an invariant did not hold (500) */
    ERR_METHOD = 16,      /* method not allowed on this path (405) */
    ERR_BAD_LOGIN = 17,   /* wrong login or password (401) */
    ERR_UNSUPPORTED = 18, /* unsupported media type (415) */
    ERR_THROTTLED = 19,   /* too many requests from one client (429, Retry-After) */
    ERR_IDEM_REUSED = 20, /* an Idempotency-Key sent with another request (422) */
    ERR__COUNT
} err_t;

/* Short stable identifier for machines, e.g. "not_found". Never NULL. */
const char *err_code(err_t e);

/* Human text in Indonesian ("id") or English ("en"). Never NULL. */
const char *err_str(err_t e);
const char *err_str_lang(err_t e, const char *lang);

/* HTTP status the API answers with for this error. */
unsigned err_http_status(err_t e);

#endif

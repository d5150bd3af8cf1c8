#include "domain/lapor.h"

#include <string.h>

int lapor_normalize(const char *in, char out[LAPOR_ID_BUF])
{
    if (!in)
        return -1;
    while (*in == ' ' || *in == '\t')
        in++;
    if (*in == '#')
        in++;
    size_t n = 0;
    while (in[n] >= '0' && in[n] <= '9')
        n++;
    const char *rest = in + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (*rest || n < LAPOR_DIGITS_MIN || n > LAPOR_DIGITS_MAX)
        return -1;
    memcpy(out, in, n);
    out[n] = '\0';
    return 0;
}

/* Only blanks: the operator emptied the field. */
static bool blank(const char *v)
{
    for (; v && *v; v++)
        if (*v != ' ' && *v != '\t')
            return false;
    return true;
}

err_t lapor_set(store_t *s, arena_t *ar, const actor_t *actor, int64_t case_id, const char *value,
                int64_t now, bool *changed, lapor_refusal *why)
{
    store_case c;
    char digits[LAPOR_ID_BUF];
    *changed = false;
    *why = LAPOR_OK;
    err_t e = store_case_get(s, ar, case_id, &c);
    if (e != ERR_OK)
        return e;
    int role = actor_role(actor, c.agency_id);
    if (role < 0) {
        *why = LAPOR_OTHER_AGENCY;
        return ERR_FORBIDDEN;
    }
    if (role != ROLE_SUPERADMIN && role != ROLE_ADMIN && role != ROLE_SUPERVISOR) {
        *why = LAPOR_NOT_DESK;
        return ERR_FORBIDDEN;
    }
    bool clear = blank(value);
    if (!clear && lapor_normalize(value, digits) != 0) {
        *why = LAPOR_BAD_FORMAT;
        return ERR_INVALID;
    }
    return store_case_set_lapor(s, case_id, clear ? NULL : digits, actor->user_id, now, changed);
}

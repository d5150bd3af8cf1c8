/* Issue 16's last items: the IMAP fetch's dedupe key (inbound_seen), ...
 * Written once for both engines on store/q.h. */
#include "store/dom.h"

err_t store_inbound_seen(store_t *s, const char *key, bool *seen)
{
    err_t e = q_one_int(s, "SELECT 1 FROM inbound_seen WHERE key = $1", NULL, Q_TEXT(key));
    *seen = e == ERR_OK;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

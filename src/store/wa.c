/* The WhatsApp domain of the store (issue 14: being converted from
 * sqlite_wa.c / pg_wa.c). */
#include "store/dom.h"
#include "store/pg_int.h"
#include "store/sqlite_int.h"

err_t dom_wa_queue_status(q_conn *c, int64_t case_id, int64_t event_id, int64_t now)
{
    return dom_is_sqlite(c) ? sq_wa_queue_status(sq_of(c), case_id, event_id, now)
                            : pq_wa_queue_status(pq_of(c), case_id, event_id, now);
}

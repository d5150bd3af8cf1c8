/* The dispatch domain of the store (issue 14: being converted from
 * sqlite_dispatch.c / pg_dispatch.c). */
#include "store/dom.h"
#include "store/pg_int.h"
#include "store/sqlite_int.h"

err_t dom_dispatch_queue_followers(q_conn *c, int64_t case_id, int64_t event_id, int64_t now)
{
    return dom_is_sqlite(c) ? sq_dispatch_queue_followers(sq_of(c), case_id, event_id, now)
                            : pq_dispatch_queue_followers(pq_of(c), case_id, event_id, now);
}

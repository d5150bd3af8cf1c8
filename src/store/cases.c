/* The cases domain of the store (issue 14: being converted from
 * sqlite_cases.c / pg_cases.c). */
#include "store/dom.h"
#include "store/pg_int.h"
#include "store/sqlite_int.h"

#include <string.h>

bool dom_is_sqlite(const q_conn *c) { return strcmp(q_engine(c), "sqlite") == 0; }

err_t dom_put_reporter(q_conn *c, const store_reporter_in *r, int64_t now, int64_t *id)
{
    return dom_is_sqlite(c) ? sq_put_reporter(sq_of(c), r, now, id)
                            : pq_put_reporter(pq_of(c), r, now, id);
}

err_t dom_insert_case(q_conn *c, arena_t *ar, store_case *k, const char *note, int64_t *event_id)
{
    return dom_is_sqlite(c) ? sq_insert_case(sq_of(c), ar, k, note, event_id)
                            : pq_insert_case(pq_of(c), ar, k, note, event_id);
}

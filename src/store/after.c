/* The officer's "after" photos on the public tracking page (issue 18):
 * which officer photos of a case the public may see. One WHERE says it all,
 * for the list of a case and for a single photo, so that the page and the
 * route that serves the file cannot disagree. Written once for both
 * engines on store/q.h. */
#include "store/q.h"

/* A photo is public when all of these hold: an officer's picture (never the
 * reporter's, never a civil-registry document, never one the desk marked
 * as an identity document), stored; of a complaint (not
 * a service request, not an emergency) that is not rahasia; of an agency
 * that publishes photos (agencies.publish_photos); the case is resolved or
 * closed, and the photo was taken for the result: from the last start of
 * the work (or the case's creation when it never started) until its last
 * public resolve step. */
#define PHOTO_SQL                                                                                  \
    "SELECT a.id, a.case_id, a.sha256, a.mime, a.size_bytes, a.created_at FROM attachments a"      \
    " JOIN cases c ON c.id = a.case_id JOIN agencies g ON g.id = c.agency_id"                      \
    " WHERE a.source = 'officer' AND a.state = 'stored' AND a.document_id IS NULL"                 \
    " AND a.identity_doc = FALSE"                                                                  \
    " AND a.sha256 IS NOT NULL AND a.mime IN ('image/jpeg', 'image/png', 'image/webp')"            \
    " AND c.kind = 'complaint' AND c.rahasia = FALSE AND g.publish_photos = TRUE"                  \
    " AND c.status IN ('resolved', 'closed')"                                                      \
    " AND a.created_at <= (SELECT MAX(r.created_at) FROM case_events r WHERE r.case_id = c.id"     \
    " AND r.to_status = 'resolved' AND r.is_public = TRUE)"                                        \
    " AND a.created_at >= COALESCE((SELECT MAX(w.created_at) FROM case_events w"                   \
    " WHERE w.case_id = c.id AND w.to_status = 'in_progress'), c.created_at)"

static const q_field PHOTO_F[] = {
    QF(INT64, store_public_photo, id),         QF(INT64, store_public_photo, case_id),
    QF(TEXT, store_public_photo, sha256),      QF(TEXT, store_public_photo, mime),
    QF(INT64, store_public_photo, size_bytes), QF(INT64, store_public_photo, created_at),
};

err_t store_public_photos(store_t *s, arena_t *ar, int64_t case_id, store_public_photo **out,
                          size_t *n)
{
    static const char sql[] = PHOTO_SQL " AND a.case_id = $1 ORDER BY a.id LIMIT $2";
    return q_list(s, ar, sql, PHOTO_F, out, n, Q_INT(case_id), Q_INT(STORE_PUBLIC_PHOTOS_MAX));
}

Q_ONE_FN(store_public_photo_get, store_public_photo, int64_t, Q_INT, PHOTO_F,
         PHOTO_SQL " AND a.id = $1")

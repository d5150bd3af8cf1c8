/* services: the civil-registry service catalog and the operator's work on
 * a request (issue #7): verdicts on documents, sending it back for what is
 * missing, issuing the PDF, and the measures. Every function checks the
 * actor's role in the case's agency (the desk: superadmin, admin,
 * supervisor); nothing changes on any error. */
#ifndef ADUAN_SERVICES_H
#define ADUAN_SERVICES_H

#include "domain/cases.h"
#include "domain/calendar.h"
#include "store/store.h"

/* The issued PDF: certificates from SIAK are a few hundred kB; 3 MiB
 * leaves room for scans and stays under the 4 MiB nginx limit of
 * docs/DEPLOY.md with the multipart envelope. */
#define SVC_PDF_MAX (3 * 1024 * 1024)
/* A reason for a rejected document, in code points: one line on a phone. */
#define SVC_REASON_MAX 300
/* Documents per service (what a citizen sends in one request). */
#define SVC_DOCS_MAX STORE_SVC_FILES_MAX
/* The media id placeholder in a queued document message. */
#define SVC_MEDIA_PLACEHOLDER "{{media_id}}"

/* Adds the documents of the Disdukcapil demo services (DOMAIN.md §3) to
 * the agency's service categories. */
err_t svc_seed_demo(store_t *s, int64_t agency_id) __attribute__((warn_unused_result));

/* The service request case_id for a desk actor: *c and *r filled.
 * ERR_NOT_FOUND (no such request), ERR_FORBIDDEN (another agency, or a
 * role that may not see identity documents). */
err_t svc_open(store_t *s, arena_t *ar, const actor_t *a, int64_t case_id, store_case *c,
               store_svc_request *r, const char **detail) __attribute__((warn_unused_result));

/* Marks one required document accepted or rejected (reason required). */
err_t svc_verdict(store_t *s, arena_t *ar, const actor_t *a, int64_t case_id, int64_t document_id,
                  const char *verdict, const char *reason, int64_t now, const char **detail)
    __attribute__((warn_unused_result));

/* Sends the request back: lists the rejected and missing documents in a
 * message to the citizen and moves the case to "incomplete". *note gets
 * the message's text. ERR_INVALID when nothing is rejected or missing. */
err_t svc_request_more(store_t *s, arena_t *ar, const actor_t *a, int64_t case_id, int64_t now,
                       int64_t *event_id, const char **note, const char **detail)
    __attribute__((warn_unused_result));

/* Checks that pdf[0..len) is a PDF by its content (ERR_INVALID,
 * ERR_TOO_LARGE). */
err_t svc_pdf_check(const char *pdf, size_t len, const char **detail)
    __attribute__((warn_unused_result));

/* The file name the resident gets: "<service code>-<tracking code>.pdf",
 * never the uploaded name (which may carry anything). Owned by ar. */
const char *svc_issued_filename(arena_t *ar, const store_case *c);

/* The message that carries the issued document to the resident, built by
 * the channel (channels/svc_dialog.c): the neutral message and its template
 * intent (channels/channel.h), which hold SVC_MEDIA_PLACEHOLDER where the
 * uploaded file's media id goes. */
typedef struct {
    const char *filename, *message, *template;
} svc_message;

/* Issues the document: the PDF is checked, stored in media_dir under its
 * sha256, msg is queued to the resident, and the case moves from
 * processing to issued. */
err_t svc_issue(store_t *s, arena_t *ar, const actor_t *a, int64_t case_id, const char *pdf,
                size_t len, const char *media_dir, const svc_message *msg, int64_t now,
                int64_t *attachment_id, int64_t *outbox_id, const char **detail)
    __attribute__((warn_unused_result));

/* Seconds of working time between two times on the agency's calendar
 * (office hours, holidays, time zone; domain/deadline.h deadline_calendar),
 * for the measures: the target of a service is in working hours. 0 when to
 * is not after from. */
int64_t svc_work_seconds(const cal_t *cal, int64_t from, int64_t to);

#endif

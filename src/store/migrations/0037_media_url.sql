-- 0037: evidence named by a URL (Open311's media_url, issue 17 §1). The
-- request is answered at once; the picture is fetched afterwards by a
-- worker (jobs/fetch.c): the case's attachment waits as 'pending' with the
-- address to fetch, in the transaction that opened the case, then is
-- 'stored' (re-encoded, by its sha256) or 'failed' with its reason (and an
-- event on the case). One file for both engines.
ALTER TABLE attachments ADD COLUMN source_url TEXT;
CREATE INDEX attachments_fetch_due ON attachments(next_attempt_at, id)
    WHERE state = 'pending' AND source_url IS NOT NULL;

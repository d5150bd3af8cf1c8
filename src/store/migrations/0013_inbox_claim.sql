-- 0013: the worker claims the webhooks and the messages to send that are due,
-- in (next_attempt_at, id) order: new rows have next_attempt_at 0, so that is
-- arrival order, and rows waiting for a retry come when due. The old indexes
-- (state, next_attempt_at, id) served "ORDER BY id", which made each claim a
-- sort of the whole backlog (100,000 webhooks after a burst: 3-13 ms per
-- claim, holding the write lock that the webhook committer waits for).
-- Partial indexes hold only the waiting rows; finished rows leave them.
-- Dead letters get their own, for the superadmin's list.
DROP INDEX wa_inbox_pending;
CREATE INDEX wa_inbox_due ON wa_inbox(next_attempt_at, id) WHERE state = 'new';
CREATE INDEX wa_inbox_dead ON wa_inbox(id) WHERE state = 'dead';
DROP INDEX wa_outbox_pending;
CREATE INDEX wa_outbox_due ON wa_outbox(next_attempt_at, id) WHERE state = 'pending';

-- 0013: the worker claims the oldest new webhooks in id order. The old index
-- (state, next_attempt_at, id) made that a sort of the whole backlog (100,000
-- rows after a burst: milliseconds per claim, holding the write lock the
-- webhook committer waits for). A partial index on id holds only the new
-- rows, in the order they are claimed; done rows leave it. Dead letters get
-- their own, for the superadmin's list.
DROP INDEX wa_inbox_pending;
CREATE INDEX wa_inbox_new ON wa_inbox(id) WHERE state = 'new';
CREATE INDEX wa_inbox_dead ON wa_inbox(id) WHERE state = 'dead';

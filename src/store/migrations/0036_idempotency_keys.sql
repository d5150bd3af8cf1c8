-- 0036: Idempotency-Key on the field officer's changes (issue 18). A phone
-- in the field sends a queued action again when it never saw the answer
-- (the signal dropped after the server committed): the same key from the
-- same user gets the first answer back and changes nothing. status 0: the
-- first request is still running. request_hash: SHA-256 of the method,
-- path and body, so a key reused for another request is refused. body:
-- the JSON answer replayed (a case as the officer saw it: personal data,
-- hence purged after 48 hours by the retention job).
CREATE TABLE idempotency_keys (
    user_id       {BIGINT} NOT NULL REFERENCES users(id){DEFERRABLE},
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL DEFAULT 0,
    body          TEXT,
    created_at    {BIGINT} NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

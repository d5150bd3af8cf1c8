-- 0023: the rules that follow a new case (forward to the owner agency,
-- duplicate, community group, the emergency alert to the nearest team,
-- issue #6) are a row written in the case's own transaction, which a
-- worker claims and runs (issue 15). A crash between the commit and the
-- rules leaves the row pending: after a restart the rules run, and every
-- notice goes out once. It replaces the sweeper that looked for
-- emergencies left without an alert.
CREATE TABLE case_rules (
    case_id          {BIGINT} PRIMARY KEY REFERENCES cases(id){DEFERRABLE},
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  {BIGINT} NOT NULL DEFAULT 0,
    last_error       TEXT,
    created_at       {BIGINT} NOT NULL,
    done_at          {BIGINT}
);
CREATE INDEX case_rules_due ON case_rules(next_attempt_at, case_id) WHERE state = 'pending';
-- What the sweeper would still have caught: emergencies of the last half
-- hour that no alert went out for.
INSERT INTO case_rules (case_id, created_at)
    SELECT id, created_at FROM cases
    WHERE created_at >= {NOW} - 1800 AND kind = 'emergency'
      AND status = 'received' AND alert_round = 0 AND duplicate_of IS NULL
      AND follows_id IS NULL AND channel <> 'forward';

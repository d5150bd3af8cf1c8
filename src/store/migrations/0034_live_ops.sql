-- 0034: the operators' live workspace (issue 18, "Operators"). One file
-- for both engines.

-- Ownership: the person a case is assigned to (not only a team). NULL:
-- nobody yet ("Belum ditugaskan").
ALTER TABLE cases ADD COLUMN assignee_id {BIGINT} REFERENCES users(id){DEFERRABLE};
CREATE INDEX cases_assignee ON cases(assignee_id, id);

-- When a user last opened a case, and the newest inbound message then
-- (messages.id): a case is unread for them while a citizen's message
-- newer than message_id exists. By id, not by time: a message's
-- created_at is the time the citizen's phone gave.
CREATE TABLE case_reads (
    user_id     {BIGINT} NOT NULL REFERENCES users(id){DEFERRABLE},
    case_id     {BIGINT} NOT NULL REFERENCES cases(id){DEFERRABLE},
    message_id  {BIGINT} NOT NULL DEFAULT 0,
    read_at     {BIGINT} NOT NULL,
    PRIMARY KEY (user_id, case_id)
);
CREATE INDEX case_reads_case ON case_reads(case_id);

-- What the dashboards' event streams (GET /api/v1/events) tell: one row
-- per change, written in the change's transaction, read by every
-- instance (its id is the stream's Last-Event-ID). No personal data:
-- which case of which agency changed and how. Pruned after a day.
CREATE TABLE live_events (
    id          {ID},
    agency_id   {BIGINT} NOT NULL,
    case_id     {BIGINT},
    kind        TEXT NOT NULL,
    created_at  {BIGINT} NOT NULL
);
CREATE INDEX live_events_agency ON live_events(agency_id, id);
CREATE INDEX live_events_created ON live_events(created_at);

-- Who is looking at a case now: the case page's heartbeat (every 20 s);
-- a row older than the server's presence timeout means the user left.
CREATE TABLE case_presence (
    case_id  {BIGINT} NOT NULL REFERENCES cases(id){DEFERRABLE},
    user_id  {BIGINT} NOT NULL REFERENCES users(id){DEFERRABLE},
    since    {BIGINT} NOT NULL,
    seen_at  {BIGINT} NOT NULL,
    PRIMARY KEY (case_id, user_id)
);

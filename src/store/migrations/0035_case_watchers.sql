-- 0035: following a case from its public page (issue 18, like
-- FixMyStreet's alerts). A contact who asked for a case's updates (on
-- WhatsApp: by sending IKUTI and the code from their own number, which is
-- their opt-in) gets its public status updates, like its reporter, until
-- they send BERHENTI. Kept apart from cases.follows_id, which links a
-- duplicate report to its master.
CREATE TABLE case_watchers (
    id          {ID},
    case_id     {BIGINT} NOT NULL REFERENCES cases(id){DEFERRABLE},
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL,
    created_at  {BIGINT} NOT NULL,
    UNIQUE (case_id, channel, address)
);
CREATE INDEX case_watchers_contact ON case_watchers(channel, address);

-- 0039: following a case by email from its public page (issue 18, like
-- FixMyStreet's alerts). A citizen gives an address and their consent
-- (UU PDP); a confirmation mail carries a one-use link (double opt-in:
-- only the token's sha256 is kept, confirm_hash, and it goes once used or
-- after confirm_until). Once confirmed the address joins case_watchers
-- (channel 'email') and gets the case's public updates through the
-- agency's mailbox, each with a one-click unsubscribe link (RFC 8058):
-- unsub_hash finds the row, unsub_token (sealed with ADUAN_DATA_KEY when
-- one is set) writes the link into each mail. The address is personal
-- data: a stopped follow is deleted, an unconfirmed one after
-- confirm_until, the others 30 days after the case is finished
-- (jobs/retention.c), like the numbers that follow a case.
CREATE TABLE email_follows (
    id             {ID},
    case_id        {BIGINT} NOT NULL REFERENCES cases(id){DEFERRABLE},
    address        TEXT NOT NULL,
    lang           TEXT NOT NULL DEFAULT 'id',
    state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active')),
    confirm_hash   TEXT,
    confirm_until  {BIGINT},
    unsub_hash     TEXT NOT NULL,
    unsub_token    TEXT NOT NULL,
    consent_at     {BIGINT} NOT NULL,
    created_at     {BIGINT} NOT NULL,
    confirmed_at   {BIGINT},
    UNIQUE (case_id, address)
);
CREATE UNIQUE INDEX email_follows_confirm ON email_follows(confirm_hash);
CREATE UNIQUE INDEX email_follows_unsub ON email_follows(unsub_hash);
CREATE INDEX email_follows_until ON email_follows(confirm_until);

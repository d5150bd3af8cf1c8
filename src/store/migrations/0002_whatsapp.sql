-- 0002: the WhatsApp channel: the durable inbox of signed webhook bodies,
-- idempotency keys, the conversation state per citizen and agency number,
-- and the outbox of messages to send.

-- Every correctly signed webhook body, committed before the 200.
CREATE TABLE wa_inbox (
    id            {ID},
    received_at   {BIGINT} NOT NULL,
    body          TEXT NOT NULL,        -- as received (hex when not UTF-8)
    state         TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'done', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {BIGINT} NOT NULL DEFAULT 0,
    processed_at  {BIGINT},
    error         TEXT                  -- why a dead letter is dead
);
CREATE INDEX wa_inbox_pending ON wa_inbox(state, next_attempt_at, id);

-- What has been processed: "m:<wamid>" for a message, "s:<wamid>:<status>"
-- for a status. Written in the same transaction as the effects.
CREATE TABLE wa_seen (
    key         TEXT PRIMARY KEY,
    created_at  {BIGINT} NOT NULL
);

-- The dialogue with one citizen on one agency number.
CREATE TABLE wa_conversations (
    agency_id        {BIGINT} NOT NULL REFERENCES agencies(id){DEFERRABLE},
    wa_id            TEXT NOT NULL,
    phone_number_id  TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'idle',
    draft            TEXT NOT NULL DEFAULT '{}',   -- JSON: the report being composed
    lang             TEXT NOT NULL DEFAULT 'id',
    version          INTEGER NOT NULL DEFAULT 0,   -- compare-and-set on every change
    last_inbound_at  {BIGINT} NOT NULL DEFAULT 0,   -- opens the 24-hour window
    updated_at       {BIGINT} NOT NULL,
    PRIMARY KEY (agency_id, wa_id)
);

-- Messages to send, each retried until delivered or failed for good.
CREATE TABLE wa_outbox (
    id               {ID},
    agency_id        {BIGINT} NOT NULL REFERENCES agencies(id){DEFERRABLE},
    phone_number_id  TEXT NOT NULL,
    to_wa_id         TEXT NOT NULL,
    case_id          {BIGINT} REFERENCES cases(id){DEFERRABLE},
    kind             TEXT NOT NULL,                 -- reply, status_update, operator, ...
    payload          TEXT NOT NULL,                 -- the Graph API message body (JSON)
    template         TEXT,                          -- the template body to use outside the window
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  {BIGINT} NOT NULL DEFAULT 0,
    last_error       TEXT,
    used_template    {BOOL} NOT NULL DEFAULT {FALSE},
    wamid            TEXT UNIQUE,
    delivery         TEXT,                          -- sent, delivered, read, failed (from webhooks)
    created_at       {BIGINT} NOT NULL,
    updated_at       {BIGINT} NOT NULL
);
CREATE INDEX wa_outbox_pending ON wa_outbox(state, next_attempt_at, id);
CREATE INDEX wa_outbox_case ON wa_outbox(case_id, id);

-- Media of attachments still to be fetched from the Graph API.
ALTER TABLE attachments ADD COLUMN media_id TEXT;
ALTER TABLE attachments ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attachments ADD COLUMN next_attempt_at {BIGINT} NOT NULL DEFAULT 0;
ALTER TABLE attachments ADD COLUMN last_error TEXT;

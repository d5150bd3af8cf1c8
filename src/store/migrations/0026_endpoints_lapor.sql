-- 0026: what the next channels and the LAPOR! liaison stand on (issues 16
-- and 17). One file for both engines.

-- An agency's own address on a channel that is not a mobile number: a
-- Telegram bot, a mailbox. WhatsApp numbers stay in agency_numbers. A
-- case's updates go from the endpoint of its conversation, or else from
-- the agency's endpoint on the case's notify_channel (DOM_NOTIFY_TARGET).
-- secret: the channel's credential (a bot token, a mailbox password),
-- NULL where the configuration holds it; settings: the driver's own JSON
-- (the webhook secret, IMAP and SMTP addresses).
CREATE TABLE channel_endpoints (
    id          {ID},
    agency_id   {BIGINT} NOT NULL REFERENCES agencies(id){DEFERRABLE},
    channel     TEXT NOT NULL,
    endpoint    TEXT NOT NULL,
    secret      TEXT,
    settings    TEXT NOT NULL DEFAULT '{}',
    active      {BOOL} NOT NULL DEFAULT {TRUE},
    created_at  {BIGINT} NOT NULL,
    updated_at  {BIGINT} NOT NULL,
    UNIQUE (channel, endpoint)
);
CREATE INDEX channel_endpoints_agency ON channel_endpoints(agency_id, channel);

-- The national classification of SP4N-LAPOR!, set by the operator.
ALTER TABLE cases ADD COLUMN lapor_class TEXT NOT NULL DEFAULT 'pengaduan'
    CHECK (lapor_class IN ('pengaduan', 'aspirasi', 'permintaan_informasi'));
-- When the case was marked to be forwarded to LAPOR! (NULL: not marked).
-- The liaison's worklist is the marked cases without a tracking id yet,
-- oldest first.
ALTER TABLE cases ADD COLUMN lapor_marked_at {BIGINT};
CREATE INDEX cases_lapor_todo ON cases(agency_id, lapor_marked_at, id)
    WHERE lapor_marked_at IS NOT NULL AND lapor_tracking_id IS NULL;

-- 0022: channel-neutral contacts, conversations and outbox (issue 15).
-- A contact is an address on a channel ('whatsapp': the E.164 digits),
-- linked to the reporter once there is one. A conversation is per agency
-- endpoint (WhatsApp: the agency's number) and contact. An outbox row
-- carries its channel, the neutral message (JSON: text, choices, document,
-- template intent with parameters; NULL for rows queued before 0022 and
-- for messages rendered when sent) and the payload the channel's driver
-- rendered. Every existing row is kept: wa_conversations and wa_outbox
-- become conversations and outbox with channel 'whatsapp'.
CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    address      TEXT NOT NULL,
    reporter_id  INTEGER REFERENCES reporters(id),
    created_at   INTEGER NOT NULL,
    UNIQUE (channel, address)
);
CREATE INDEX contacts_reporter ON contacts(reporter_id);
INSERT INTO contacts (channel, address, reporter_id, created_at)
    SELECT 'whatsapp', wa_id, id, created_at FROM reporters WHERE wa_id IS NOT NULL;

-- The key gains the channel: a new table, the rows copied (nothing refers
-- to conversations).
CREATE TABLE conversations (
    agency_id        INTEGER NOT NULL REFERENCES agencies(id),
    channel          TEXT NOT NULL DEFAULT 'whatsapp',
    address          TEXT NOT NULL,                -- the contact's address on the channel
    endpoint         TEXT NOT NULL,                -- the agency's endpoint (WhatsApp: phone_number_id)
    state            TEXT NOT NULL DEFAULT 'idle',
    draft            TEXT NOT NULL DEFAULT '{}',   -- JSON: the report being composed
    lang             TEXT NOT NULL DEFAULT 'id',
    version          INTEGER NOT NULL DEFAULT 0,   -- compare-and-set on every change
    last_inbound_at  INTEGER NOT NULL DEFAULT 0,   -- the driver's re-engagement rule reads it
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (agency_id, channel, address)
);
INSERT INTO conversations (agency_id, channel, address, endpoint, state, draft, lang, version,
                           last_inbound_at, updated_at)
    SELECT agency_id, 'whatsapp', wa_id, phone_number_id, state, draft, lang, version,
           last_inbound_at, updated_at FROM wa_conversations;
DROP TABLE wa_conversations;

-- The outbox is renamed in place: its ids stay (service_requests and the
-- dashboard's thread refer to them).
DROP TRIGGER wa_outbox_after_message;
DROP INDEX wa_outbox_case;
DROP INDEX wa_outbox_recipient;
DROP INDEX wa_outbox_due;
ALTER TABLE wa_outbox RENAME TO outbox;
ALTER TABLE outbox RENAME COLUMN phone_number_id TO endpoint;
ALTER TABLE outbox RENAME COLUMN to_wa_id TO address;
ALTER TABLE outbox RENAME COLUMN wamid TO provider_id;   -- the channel's message id (wamid)
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'whatsapp';
ALTER TABLE outbox ADD COLUMN message TEXT;
CREATE INDEX outbox_case ON outbox(case_id, id);
CREATE INDEX outbox_recipient ON outbox(agency_id, address, id);
CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE state = 'pending';
CREATE TRIGGER outbox_after_message AFTER INSERT ON outbox
WHEN NEW.after_message_id IS NULL
BEGIN
    UPDATE outbox SET after_message_id = (
        SELECT MAX(m.id) FROM messages m
        WHERE m.agency_id = NEW.agency_id AND m.direction = 'in'
          AND m.reporter_id = (SELECT c.reporter_id FROM contacts c
                               WHERE c.channel = NEW.channel AND c.address = NEW.address))
    WHERE id = NEW.id;
END;

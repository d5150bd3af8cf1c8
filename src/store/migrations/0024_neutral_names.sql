-- 0024: the core speaks of channels, not of WhatsApp (issue 15). The
-- tables and columns that 0001-0015 named after WhatsApp get neutral names,
-- and a case says itself where its updates go, so that the notices do not
-- assume the reporter's channel. Only renames and new columns: every row
-- is kept, on both engines (SQLite 3.40 and PostgreSQL 15 take the same
-- ALTER TABLE ... RENAME; SQLite cannot rename an index, so the indexes
-- are dropped and created under their new names).

-- The durable queue of inbound bodies, for every channel.
DROP INDEX wa_inbox_due;
DROP INDEX wa_inbox_dead;
DROP INDEX wa_inbox_retained;
ALTER TABLE wa_inbox RENAME TO inbound;
ALTER TABLE inbound ADD COLUMN channel TEXT NOT NULL DEFAULT 'whatsapp';
CREATE INDEX inbound_due ON inbound(next_attempt_at, id) WHERE state = 'new';
CREATE INDEX inbound_dead ON inbound(id) WHERE state = 'dead';
CREATE INDEX inbound_retained ON inbound(processed_at, id)
    WHERE state = 'done' AND body_state = 'raw';
-- Idempotency keys of what has been processed ("m:<id>", "s:<id>:<status>").
ALTER TABLE wa_seen RENAME TO inbound_seen;
-- The dialogue's texts as the admins changed them.
ALTER TABLE wa_texts RENAME TO bot_texts;

-- Mobile numbers (E.164 digits without '+'): a reporter's, an officer's
-- (the team's notices), a community group member's.
ALTER TABLE reporters RENAME COLUMN wa_id TO mobile;
DROP INDEX users_wa_id;
ALTER TABLE users RENAME COLUMN wa_id TO mobile;
CREATE UNIQUE INDEX users_mobile ON users(mobile);
DROP INDEX community_members_wa;
ALTER TABLE community_members RENAME COLUMN wa_id TO mobile;
CREATE INDEX community_members_mobile ON community_members(mobile);

-- The templates an agency registered for re-engagement (a capability of
-- the channel that has them).
ALTER TABLE agencies RENAME COLUMN wa_template_status TO template_status;
ALTER TABLE agencies RENAME COLUMN wa_template_reply TO template_reply;
ALTER TABLE agencies RENAME COLUMN wa_template_lang TO template_lang;

-- Where a case's updates go: the channel and the address there (NULL:
-- only the public page). A case reported on a chat channel is answered
-- there; a walk-in or phone case whose reporter agreed (notify_consent_at)
-- is answered at their mobile number.
ALTER TABLE cases RENAME COLUMN wa_consent_at TO notify_consent_at;
ALTER TABLE cases ADD COLUMN notify_channel TEXT;
ALTER TABLE cases ADD COLUMN notify_address TEXT;
UPDATE cases SET notify_channel = 'whatsapp',
    notify_address = (SELECT r.mobile FROM reporters r WHERE r.id = cases.reporter_id)
WHERE (channel = 'whatsapp' OR notify_consent_at IS NOT NULL)
  AND reporter_id IN (SELECT r.id FROM reporters r WHERE r.mobile IS NOT NULL);

-- 0027: a case may come over Telegram or email (issue 16). The check of
-- cases.channel gains the two names; the rows are validated once, after
-- the new check is in place, without holding up writers longer than the
-- scan.
ALTER TABLE cases DROP CONSTRAINT cases_channel_check;
ALTER TABLE cases ADD CONSTRAINT cases_channel_check CHECK (channel IN
    ('whatsapp', 'web', 'walk_in', 'phone', 'open311', 'forward', 'telegram', 'email')) NOT VALID;
ALTER TABLE cases VALIDATE CONSTRAINT cases_channel_check;

-- A file a contact sent is downloaded by the driver of the channel it came
-- on: each pending download records it. Those queued before were all
-- WhatsApp's.
ALTER TABLE attachments ADD COLUMN channel TEXT;
UPDATE attachments SET channel = 'whatsapp' WHERE media_id IS NOT NULL;

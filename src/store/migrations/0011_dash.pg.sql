-- 0011: the dashboard's chat thread. An inbound message keeps the media id
-- of its photo, video or document (to show the attachment in place) and
-- the point of a shared location (to show it as a pin).
ALTER TABLE messages ADD COLUMN media_id TEXT;
ALTER TABLE messages ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE messages ADD COLUMN lon DOUBLE PRECISION;
CREATE INDEX messages_agency_reporter ON messages(agency_id, reporter_id, id);
CREATE INDEX attachments_media ON attachments(media_id);
CREATE INDEX wa_outbox_recipient ON wa_outbox(agency_id, to_wa_id, id);

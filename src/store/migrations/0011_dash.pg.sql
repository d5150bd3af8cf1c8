-- 0011: the dashboard's chat thread. An inbound message keeps the media id
-- of its photo, video or document (to show the attachment in place) and
-- the point of a shared location (to show it as a pin). Each message we
-- send remembers the citizen's latest message when it was queued, so the
-- thread interleaves both sides in order even within one second.
ALTER TABLE messages ADD COLUMN media_id TEXT;
ALTER TABLE messages ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE messages ADD COLUMN lon DOUBLE PRECISION;
CREATE INDEX messages_agency_reporter ON messages(agency_id, reporter_id, id);
CREATE INDEX IF NOT EXISTS attachments_media ON attachments(media_id);

ALTER TABLE wa_outbox ADD COLUMN after_message_id BIGINT;
UPDATE wa_outbox SET after_message_id = (
    SELECT MAX(m.id) FROM messages m
    WHERE m.agency_id = wa_outbox.agency_id AND m.direction = 'in'
      AND m.reporter_id = (SELECT r.id FROM reporters r WHERE r.wa_id = wa_outbox.to_wa_id)
      AND m.created_at <= wa_outbox.created_at);
CREATE FUNCTION wa_outbox_after_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.after_message_id IS NULL THEN
        NEW.after_message_id := (
            SELECT MAX(m.id) FROM messages m
            WHERE m.agency_id = NEW.agency_id AND m.direction = 'in'
              AND m.reporter_id = (SELECT r.id FROM reporters r WHERE r.wa_id = NEW.to_wa_id));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER wa_outbox_after_message BEFORE INSERT ON wa_outbox
    FOR EACH ROW EXECUTE FUNCTION wa_outbox_after_message();
CREATE INDEX wa_outbox_recipient ON wa_outbox(agency_id, to_wa_id, id);

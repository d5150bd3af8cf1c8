-- 0005: the approved WhatsApp templates each agency sends outside the
-- 24-hour window (names as approved in WhatsApp Manager, and language).
ALTER TABLE agencies ADD COLUMN wa_template_status TEXT NOT NULL DEFAULT 'aduan_status_update';
ALTER TABLE agencies ADD COLUMN wa_template_reply TEXT NOT NULL DEFAULT 'aduan_reply';
ALTER TABLE agencies ADD COLUMN wa_template_lang TEXT NOT NULL DEFAULT 'id';

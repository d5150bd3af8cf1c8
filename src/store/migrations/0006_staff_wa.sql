-- 0006: staff WhatsApp numbers. A field officer or supervisor with a number
-- receives alerts (dispatch, escalation) and may act by WhatsApp.
ALTER TABLE users ADD COLUMN wa_id TEXT;
CREATE UNIQUE INDEX users_wa_id ON users(wa_id);

-- 0030: each message a citizen sent says which channel it came on (issue 16
-- section 4: one inbox, each message shown with its channel). Our messages
-- already carry theirs (outbox.channel). Every message before this came
-- over WhatsApp, the only channel that wrote to this table then.
ALTER TABLE messages ADD COLUMN channel TEXT;
UPDATE messages SET channel = 'whatsapp';

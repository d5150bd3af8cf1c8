-- 0027: a case may come over Telegram or email (issue 16). The check of
-- cases.channel gains the two names. SQLite cannot alter a check; a check
-- that allows more does not change what is on disk, so the table's stored
-- definition is edited in place, as https://sqlite.org/lang_altertable.html
-- section 7 describes ("Making Other Kinds Of Table Schema Changes"): the
-- CREATE TABLE text changes, a real DDL statement moves the schema cookie
-- on (other connections re-read the schema), and this connection re-reads
-- it (RESET). The whole migration is one transaction.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''open311'', ''forward'')',
                          '''open311'', ''forward'', ''telegram'', ''email'')')
 WHERE type = 'table' AND name = 'cases';
CREATE TABLE schema_cookie_0027 (x INTEGER);
DROP TABLE schema_cookie_0027;
PRAGMA writable_schema = RESET;

-- A file a contact sent is downloaded by the driver of the channel it came
-- on: each pending download records it. Those queued before were all
-- WhatsApp's.
ALTER TABLE attachments ADD COLUMN channel TEXT;
UPDATE attachments SET channel = 'whatsapp' WHERE media_id IS NOT NULL;

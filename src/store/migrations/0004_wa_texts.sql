-- 0004: texts of the WhatsApp dialogue changed by an admin (the defaults
-- are compiled in; a row here wins for its key and language).
CREATE TABLE wa_texts (
    key         TEXT NOT NULL,
    lang        TEXT NOT NULL CHECK (lang IN ('id', 'en')),
    text        TEXT NOT NULL,
    updated_by  {BIGINT} REFERENCES users(id){DEFERRABLE},
    updated_at  {BIGINT} NOT NULL,
    PRIMARY KEY (key, lang)
);

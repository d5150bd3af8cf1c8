-- 0004: texts of the WhatsApp dialogue changed by an admin (the defaults
-- are compiled in; a row here wins for its key and language).
CREATE TABLE wa_texts (
    key         TEXT NOT NULL,
    lang        TEXT NOT NULL CHECK (lang IN ('id', 'en')),
    text        TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users(id),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (key, lang)
);

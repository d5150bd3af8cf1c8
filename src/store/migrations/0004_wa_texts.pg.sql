-- 0004: see 0004_wa_texts.sqlite.sql.
CREATE TABLE wa_texts (
    key         TEXT NOT NULL,
    lang        TEXT NOT NULL CHECK (lang IN ('id', 'en')),
    text        TEXT NOT NULL,
    updated_by  BIGINT REFERENCES users(id) DEFERRABLE,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (key, lang)
);

-- 0020: two-factor sign-in and the list of one's sessions (issue #19 §3).
-- A user's TOTP key (RFC 6238, base32). confirmed_at is NULL while the
-- user enrols (the key is shown, not yet proven with a code); last_step is
-- the time step of the last code accepted, so no code works twice.
CREATE TABLE user_totp (
    user_id       {BIGINT} PRIMARY KEY REFERENCES users(id){DEFERRABLE},
    secret        TEXT NOT NULL,
    created_at    {BIGINT} NOT NULL,
    confirmed_at  {BIGINT},
    last_step     {BIGINT} NOT NULL DEFAULT 0
);
-- One-time recovery codes, as SHA-256 of the code; used_at once spent.
CREATE TABLE user_recovery_codes (
    user_id    {BIGINT} NOT NULL REFERENCES users(id){DEFERRABLE},
    code_hash  TEXT NOT NULL,
    created_at {BIGINT} NOT NULL,
    used_at    {BIGINT},
    PRIMARY KEY (user_id, code_hash)
);
-- Where and with what a session signed in (the account page's list).
ALTER TABLE sessions ADD COLUMN client TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN factor TEXT;

-- 0032: keys every instance shares, made once (issue 16): the web form's
-- challenge key (http/webform.c), so that a challenge the form showed
-- before a restart, or on another instance, is still accepted. The first
-- instance that needs a key inserts a random one; the others read it.
-- With ADUAN_DATA_KEY set the key is derived from that instead and no row
-- is made. Not personal data; a backup keeps it with the rest.
CREATE TABLE server_keys (
    name        TEXT PRIMARY KEY,
    secret      TEXT NOT NULL,
    created_at  {BIGINT} NOT NULL
);

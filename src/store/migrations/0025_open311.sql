-- 0025: Open311 GeoReport v2 (issue 17 §1). The clients that may post
-- service requests: one active key per client, kept as the SHA-256 of the
-- key (the key itself is printed once by `aduan open311 key add`). A
-- revoked key stays for the record; the client may get a new one.
CREATE TABLE open311_keys (
    id          {ID},
    client      TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  {BIGINT} NOT NULL,
    revoked_at  {BIGINT}
);
CREATE UNIQUE INDEX open311_keys_active ON open311_keys(client) WHERE revoked_at IS NULL;

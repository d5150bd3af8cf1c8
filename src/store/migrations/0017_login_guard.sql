-- 0017: login throttling per client (issue #13). Failed logins are counted
-- per (login, client address), for logins that exist and those that do not
-- alike, so failures from one address lock that address out of that login
-- and nobody else. A row with client '*' is the login's lock for everyone,
-- set only when many addresses fail it (a distributed attack); it stays
-- listed for the superadmin for a day after it ends. Rows are deleted once
-- they no longer matter (aduan's login code; see docs/DEPLOY.md).
-- users.failed_logins is no longer used; users.locked_until shows the
-- account-wide lock.
CREATE TABLE login_guard (
    login         TEXT NOT NULL,
    client        TEXT NOT NULL,
    failures      INTEGER NOT NULL,
    first_at      {BIGINT} NOT NULL,
    last_at       {BIGINT} NOT NULL,
    locked_until  {BIGINT} NOT NULL DEFAULT 0,
    PRIMARY KEY (login, client)
);
CREATE INDEX login_guard_last ON login_guard(last_at);

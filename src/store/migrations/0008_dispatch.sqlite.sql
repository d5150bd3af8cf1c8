-- 0008: field dispatch (issue #6): the duty roster, emergency alerts and
-- their acceptance, likely duplicates and followers, forwarding categories.

-- Who of a team is on duty when: weekly (weekday + minutes after local
-- midnight, end <= start crossing midnight, 0-1440 the whole day) or one
-- dated shift [starts_at, ends_at) in UTC seconds.
CREATE TABLE duty_shifts (
    id            INTEGER PRIMARY KEY,
    team_id       INTEGER NOT NULL REFERENCES teams(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    weekday       INTEGER CHECK (weekday BETWEEN 0 AND 6),
    start_minute  INTEGER CHECK (start_minute BETWEEN 0 AND 1440),
    end_minute    INTEGER CHECK (end_minute BETWEEN 0 AND 1440),
    starts_at     INTEGER,
    ends_at       INTEGER,
    created_at    INTEGER NOT NULL,
    CHECK ((weekday IS NOT NULL AND start_minute IS NOT NULL AND end_minute IS NOT NULL
            AND starts_at IS NULL AND ends_at IS NULL)
        OR (weekday IS NULL AND start_minute IS NULL AND end_minute IS NULL
            AND starts_at IS NOT NULL AND ends_at > starts_at))
);
CREATE INDEX duty_shifts_team ON duty_shifts(team_id);

-- Emergency alerts: the round (one per team alerted), when the current
-- team was alerted (NULL: nothing pending), who accepted and when.
ALTER TABLE cases ADD COLUMN alert_round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN alert_at INTEGER;
ALTER TABLE cases ADD COLUMN accepted_by INTEGER REFERENCES users(id);
ALTER TABLE cases ADD COLUMN accepted_at INTEGER;
-- A likely duplicate of an open case, and the case this one follows (its
-- reporter gets the master's public updates).
ALTER TABLE cases ADD COLUMN duplicate_of INTEGER REFERENCES cases(id);
ALTER TABLE cases ADD COLUMN follows_id INTEGER REFERENCES cases(id);
CREATE INDEX cases_alert ON cases(status, alert_at);
CREATE INDEX cases_follows ON cases(follows_id);
CREATE INDEX cases_category_open ON cases(category_id, created_at);

-- A category another agency handles (e.g. a fire reported to Satpol PP):
-- a new case of it is forwarded there, into this category.
ALTER TABLE categories ADD COLUMN forward_category_id INTEGER REFERENCES categories(id);

-- An officer photo sent twice (a webhook redelivered) is stored once.
CREATE INDEX attachments_media ON attachments(media_id);

-- Community reporters (LACAK BENTOR): registered groups of citizens, e.g. a
-- becak-motor drivers' association. Their reports carry the group and may
-- skip verification when the agency trusts the group.
CREATE TABLE community_groups (
    id                 INTEGER PRIMARY KEY,
    agency_id          INTEGER NOT NULL REFERENCES agencies(id),
    name               TEXT NOT NULL,
    skip_verification  INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    UNIQUE (agency_id, name)
);
CREATE TABLE community_members (
    group_id    INTEGER NOT NULL REFERENCES community_groups(id),
    wa_id       TEXT NOT NULL,
    name        TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (group_id, wa_id)
);
CREATE INDEX community_members_wa ON community_members(wa_id);
ALTER TABLE cases ADD COLUMN community_group_id INTEGER REFERENCES community_groups(id);
CREATE INDEX cases_community_group ON cases(community_group_id);

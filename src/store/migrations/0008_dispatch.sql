-- 0008: field dispatch (issue #6): the duty roster, emergency alerts and
-- their acceptance, likely duplicates and followers, forwarding categories.

-- Who of a team is on duty when: weekly (weekday + minutes after local
-- midnight, end <= start crossing midnight, 0-1440 the whole day) or one
-- dated shift [starts_at, ends_at) in UTC seconds.
CREATE TABLE duty_shifts (
    id            {ID},
    team_id       {BIGINT} NOT NULL REFERENCES teams(id){DEFERRABLE},
    user_id       {BIGINT} NOT NULL REFERENCES users(id){DEFERRABLE},
    weekday       INTEGER CHECK (weekday BETWEEN 0 AND 6),
    start_minute  INTEGER CHECK (start_minute BETWEEN 0 AND 1440),
    end_minute    INTEGER CHECK (end_minute BETWEEN 0 AND 1440),
    starts_at     {BIGINT},
    ends_at       {BIGINT},
    created_at    {BIGINT} NOT NULL,
    CHECK ((weekday IS NOT NULL AND start_minute IS NOT NULL AND end_minute IS NOT NULL
            AND starts_at IS NULL AND ends_at IS NULL)
        OR (weekday IS NULL AND start_minute IS NULL AND end_minute IS NULL
            AND starts_at IS NOT NULL AND ends_at > starts_at))
);
CREATE INDEX duty_shifts_team ON duty_shifts(team_id);

-- Emergency alerts: the round (one per team alerted), when the current
-- team was alerted (NULL: nothing pending), who accepted and when.
ALTER TABLE cases ADD COLUMN alert_round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN alert_at {BIGINT};
ALTER TABLE cases ADD COLUMN accepted_by {BIGINT} REFERENCES users(id){DEFERRABLE};
ALTER TABLE cases ADD COLUMN accepted_at {BIGINT};
-- A likely duplicate of an open case, and the case this one follows (its
-- reporter gets the master's public updates).
ALTER TABLE cases ADD COLUMN duplicate_of {BIGINT} REFERENCES cases(id){DEFERRABLE};
ALTER TABLE cases ADD COLUMN follows_id {BIGINT} REFERENCES cases(id){DEFERRABLE};
CREATE INDEX cases_alert ON cases(status, alert_at);
CREATE INDEX cases_follows ON cases(follows_id);
CREATE INDEX cases_category_open ON cases(category_id, created_at);

-- A category another agency handles (e.g. a fire reported to Satpol PP):
-- a new case of it is forwarded there, into this category.
ALTER TABLE categories ADD COLUMN forward_category_id {BIGINT} REFERENCES categories(id){DEFERRABLE};

-- An officer photo sent twice (a webhook redelivered) is stored once.
CREATE INDEX attachments_media ON attachments(media_id);

-- Community reporters (LACAK BENTOR): registered groups of citizens, e.g. a
-- becak-motor drivers' association. Their reports carry the group and may
-- skip verification when the agency trusts the group.
CREATE TABLE community_groups (
    id                 {ID},
    agency_id          {BIGINT} NOT NULL REFERENCES agencies(id){DEFERRABLE},
    name               TEXT NOT NULL,
    skip_verification  {BOOL} NOT NULL DEFAULT {FALSE},
    created_at         {BIGINT} NOT NULL,
    UNIQUE (agency_id, name)
);
CREATE TABLE community_members (
    group_id    {BIGINT} NOT NULL REFERENCES community_groups(id){DEFERRABLE},
    wa_id       TEXT NOT NULL,
    name        TEXT,
    created_at  {BIGINT} NOT NULL,
    PRIMARY KEY (group_id, wa_id)
);
CREATE INDEX community_members_wa ON community_members(wa_id);
ALTER TABLE cases ADD COLUMN community_group_id {BIGINT} REFERENCES community_groups(id){DEFERRABLE};
CREATE INDEX cases_community_group ON cases(community_group_id);

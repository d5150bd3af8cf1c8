-- 0001: the core schema. Times are Unix seconds (UTC).

CREATE TABLE agencies (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('satpolpp', 'damkar', 'disdukcapil', 'other')),
    timezone    TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- The WhatsApp Business phone-number ids an agency answers on.
CREATE TABLE agency_numbers (
    phone_number_id TEXT PRIMARY KEY,
    agency_id       INTEGER NOT NULL REFERENCES agencies(id),
    display_phone   TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX agency_numbers_agency ON agency_numbers(agency_id);

CREATE TABLE regions (
    code  TEXT PRIMARY KEY,   -- Kemendagri code, e.g. 63.11.06
    name  TEXT NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    login          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);

-- agency_id 0 means every agency (only for superadmin); 0 rather than NULL
-- so that the (user, agency) pair stays unique on every engine.
CREATE TABLE user_roles (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    agency_id  INTEGER NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('superadmin', 'admin', 'supervisor', 'field', 'viewer')),
    PRIMARY KEY (user_id, agency_id)
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,   -- sha256 of the cookie value; the value is never stored
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf_token  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    agency_id   INTEGER NOT NULL REFERENCES agencies(id),
    name        TEXT NOT NULL,
    base_lat    REAL,
    base_lon    REAL,
    created_at  INTEGER NOT NULL,
    UNIQUE (agency_id, name)
);

CREATE TABLE team_members (
    team_id  INTEGER NOT NULL REFERENCES teams(id),
    user_id  INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE categories (
    id         INTEGER PRIMARY KEY,
    agency_id  INTEGER NOT NULL REFERENCES agencies(id),
    code       TEXT NOT NULL,
    name_id    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('complaint', 'service', 'emergency')),
    sla_hours  INTEGER NOT NULL CHECK (sla_hours > 0),
    active     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (agency_id, code)
);

-- Citizens. wa_id is the WhatsApp id (E.164 digits without '+').
CREATE TABLE reporters (
    id               INTEGER PRIMARY KEY,
    wa_id            TEXT UNIQUE,
    phone            TEXT,
    name             TEXT,
    community_group  TEXT,
    consent_at       INTEGER,
    created_at       INTEGER NOT NULL
);

CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    agency_id          INTEGER NOT NULL REFERENCES agencies(id),
    category_id        INTEGER REFERENCES categories(id),
    kind               TEXT NOT NULL CHECK (kind IN ('complaint', 'service', 'emergency')),
    channel            TEXT NOT NULL CHECK (channel IN ('whatsapp', 'web', 'walk_in', 'phone', 'open311', 'forward')),
    reporter_id        INTEGER REFERENCES reporters(id),
    description        TEXT NOT NULL,
    lat                REAL,
    lon                REAL,
    address            TEXT,
    kecamatan_code     TEXT REFERENCES regions(code),
    priority           TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status             TEXT NOT NULL,
    team_id            INTEGER REFERENCES teams(id),
    rahasia            INTEGER NOT NULL DEFAULT 0,
    anonim             INTEGER NOT NULL DEFAULT 0,
    tracking_code      TEXT NOT NULL UNIQUE,
    lapor_tracking_id  TEXT,
    forwarded_from_id  INTEGER REFERENCES cases(id),
    forwarded_to_id    INTEGER REFERENCES cases(id),
    created_by         INTEGER REFERENCES users(id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX cases_agency ON cases(agency_id, id);
CREATE INDEX cases_agency_status ON cases(agency_id, status, id);
CREATE INDEX cases_team ON cases(team_id, id);
CREATE INDEX cases_category ON cases(category_id, id);
CREATE INDEX cases_created ON cases(created_at);
CREATE INDEX cases_reporter ON cases(reporter_id);

-- Append-only: every change of a case, in order (seq from 1).
CREATE TABLE case_events (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases(id),
    seq               INTEGER NOT NULL,
    action            TEXT NOT NULL,
    from_status       TEXT,
    to_status         TEXT NOT NULL,
    actor_id          INTEGER REFERENCES users(id),
    note              TEXT,
    team_id           INTEGER REFERENCES teams(id),
    target_agency_id  INTEGER REFERENCES agencies(id),
    is_public         INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (case_id, seq)
);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

-- Evidence files; the bytes live in the media directory named by sha256.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    sha256      TEXT,
    mime        TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL DEFAULT 0,
    filename    TEXT,
    source      TEXT NOT NULL CHECK (source IN ('citizen', 'officer')),
    state       TEXT NOT NULL DEFAULT 'stored' CHECK (state IN ('pending', 'stored', 'failed', 'deleted')),
    created_at  INTEGER NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id);

-- The conversation log with citizens.
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    agency_id    INTEGER NOT NULL REFERENCES agencies(id),
    reporter_id  INTEGER REFERENCES reporters(id),
    case_id      INTEGER REFERENCES cases(id),
    direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    wamid        TEXT UNIQUE,
    type         TEXT NOT NULL,
    body         TEXT,
    status       TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX messages_case ON messages(case_id, id);
CREATE INDEX messages_reporter ON messages(reporter_id, id);

-- Text search over description and address.
CREATE VIRTUAL TABLE cases_fts USING fts5(
    description, address, content='cases', content_rowid='id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER cases_fts_ins AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts(rowid, description, address) VALUES (new.id, new.description, new.address);
END;
CREATE TRIGGER cases_fts_del AFTER DELETE ON cases BEGIN
    INSERT INTO cases_fts(cases_fts, rowid, description, address)
    VALUES ('delete', old.id, old.description, old.address);
END;
CREATE TRIGGER cases_fts_upd AFTER UPDATE OF description, address ON cases BEGIN
    INSERT INTO cases_fts(cases_fts, rowid, description, address)
    VALUES ('delete', old.id, old.description, old.address);
    INSERT INTO cases_fts(rowid, description, address) VALUES (new.id, new.description, new.address);
END;

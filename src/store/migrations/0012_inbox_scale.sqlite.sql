-- 0012: the inbox at a million cases. The list is newest first (by id) with
-- any of the filters; these indexes give each common combination a path
-- that reads only the rows of its first page, or a small date range.
-- Date ranges: covering every equality filter, so that a long range is
-- read from the index alone.
CREATE INDEX cases_agency_created ON cases(agency_id, created_at, status, category_id, team_id,
    kecamatan_code);
CREATE INDEX cases_agency_kecamatan ON cases(agency_id, kecamatan_code, id);
CREATE INDEX cases_kecamatan ON cases(kecamatan_code, id);
CREATE INDEX cases_status ON cases(status, id);

-- Canned replies: an agency's ready answers for operators (issue #5).
CREATE TABLE canned_replies (
    id          INTEGER PRIMARY KEY,
    agency_id   INTEGER NOT NULL REFERENCES agencies(id),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    lang        TEXT NOT NULL CHECK (lang IN ('id', 'en')),
    updated_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (agency_id, title)
);

-- 0012: the inbox at a million cases (see 0012_inbox_scale.sqlite.sql).
-- Date ranges: covering every equality filter, so that a long range is
-- read from the index alone.
CREATE INDEX cases_agency_created ON cases(agency_id, created_at, status, category_id, team_id,
    kecamatan_code);
CREATE INDEX cases_agency_kecamatan ON cases(agency_id, kecamatan_code, id);
CREATE INDEX cases_kecamatan ON cases(kecamatan_code, id);
CREATE INDEX cases_status ON cases(status, id);
-- Text search: the words stored once per row, so that checking a row costs
-- no parsing (a prefix match makes GIN recheck every row it returns).
ALTER TABLE cases ADD COLUMN search tsvector GENERATED ALWAYS AS
    (to_tsvector('simple', description || ' ' || COALESCE(address, ''))) STORED;
DROP INDEX cases_search;
CREATE INDEX cases_search ON cases USING GIN (search);

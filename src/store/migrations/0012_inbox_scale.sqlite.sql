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

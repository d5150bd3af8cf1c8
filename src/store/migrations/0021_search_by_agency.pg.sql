-- 0021: text search inside one agency (issue 14; bench/README.md, "The
-- inbox at a million cases"). A word found only in another agency's cases
-- made the GIN index return every such case, each read to be refused on
-- its agency. With btree_gin (shipped with PostgreSQL, a trusted
-- extension since 13) one GIN index holds the agency beside the words, so
-- the search asks for both at once. It replaces the words-only index: GIN
-- answers a condition on any subset of its columns, so a search of every
-- agency uses it too, and with one index the planner cannot pick the
-- words-only one and filter by agency afterwards. A server where the
-- extension cannot be created keeps the plain index and a warning.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS btree_gin;
    CREATE INDEX cases_agency_search ON cases USING GIN (agency_id, search);
    DROP INDEX cases_search;
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
    RAISE WARNING 'aduan: btree_gin unavailable (%); text search keeps the plain index', SQLERRM;
END $$;

-- Bulk load of bench/inbox_gen.py's CSV into a demo SQLite database
-- (run by bench/inbox.sh from the CSV directory: sqlite3 DB < this file).
-- Case and event ids are offset by 1000, above the demo's own few cases.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -400000;
.mode csv
CREATE TEMP TABLE s_rep (id, wa_id, phone, name, community_group, consent_at, created_at);
CREATE TEMP TABLE s_case (id, agency_id, category_id, kind, channel, reporter_id, description,
    lat, lon, address, kecamatan_code, priority, status, team_id, rahasia, anonim, tracking_code,
    lapor_tracking_id, forwarded_from_id, forwarded_to_id, created_by, created_at, updated_at);
CREATE TEMP TABLE s_ev (id, case_id, seq, action, from_status, to_status, actor_id, note, team_id,
    target_agency_id, is_public, created_at);
.import reporters.csv s_rep
.import cases.csv s_case
.import events.csv s_ev
BEGIN;
INSERT INTO reporters (id, mobile, phone, name, community_group, consent_at, created_at)
SELECT id, wa_id, phone, name, NULLIF(community_group, ''), NULLIF(consent_at, ''), created_at
FROM s_rep;
-- A chat report is answered where it came from (notify_*, migration 0024).
INSERT INTO cases (id, agency_id, category_id, kind, channel, reporter_id, description, lat, lon,
    address, kecamatan_code, priority, status, team_id, rahasia, anonim, tracking_code,
    lapor_tracking_id, forwarded_from_id, forwarded_to_id, created_by, created_at, updated_at,
    notify_channel, notify_address)
SELECT s_case.id + 1000, agency_id, category_id, kind, channel, NULLIF(reporter_id, ''), description,
    CAST(NULLIF(lat, '') AS REAL), CAST(NULLIF(lon, '') AS REAL), address, kecamatan_code,
    priority, status, NULLIF(team_id, ''), rahasia, anonim, tracking_code,
    NULLIF(lapor_tracking_id, ''), NULLIF(forwarded_from_id, ''), NULLIF(forwarded_to_id, ''),
    NULLIF(created_by, ''), s_case.created_at, updated_at,
    CASE WHEN channel = 'whatsapp' THEN 'whatsapp' END,
    CASE WHEN channel = 'whatsapp' THEN s_rep.wa_id END
FROM s_case LEFT JOIN s_rep ON s_rep.id = s_case.reporter_id;
INSERT INTO case_events (id, case_id, seq, action, from_status, to_status, actor_id, note,
    team_id, target_agency_id, is_public, created_at)
SELECT id + 1000, case_id + 1000, seq, action, NULLIF(from_status, ''), to_status, NULLIF(actor_id, ''),
    NULLIF(note, ''), NULLIF(team_id, ''), NULLIF(target_agency_id, ''), is_public, created_at
FROM s_ev;
COMMIT;
ANALYZE;
PRAGMA wal_checkpoint(TRUNCATE);

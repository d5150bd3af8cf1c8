-- Bulk load of bench/inbox_gen.py's CSV into a demo PostgreSQL database
-- (run by bench/inbox.sh from the CSV directory: psql URL -f this file).
-- Case and event ids are offset by 1000, above the demo's own few cases.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
CREATE TEMP TABLE s_case (LIKE cases INCLUDING DEFAULTS);
CREATE TEMP TABLE s_ev (LIKE case_events INCLUDING DEFAULTS);
\copy reporters (id, mobile, phone, name, community_group, consent_at, created_at) FROM 'reporters.csv' CSV
\copy s_case (id, agency_id, category_id, kind, channel, reporter_id, description, lat, lon, address, kecamatan_code, priority, status, team_id, rahasia, anonim, tracking_code, lapor_tracking_id, forwarded_from_id, forwarded_to_id, created_by, created_at, updated_at) FROM 'cases.csv' CSV
\copy s_ev (id, case_id, seq, action, from_status, to_status, actor_id, note, team_id, target_agency_id, is_public, created_at) FROM 'events.csv' CSV
UPDATE s_case SET id = id + 1000;
UPDATE s_ev SET id = id + 1000, case_id = case_id + 1000;
-- A chat report is answered where it came from (notify_*, migration 0024).
INSERT INTO cases (id, agency_id, category_id, kind, channel, reporter_id, description, lat, lon,
    address, kecamatan_code, priority, status, team_id, rahasia, anonim, tracking_code,
    lapor_tracking_id, forwarded_from_id, forwarded_to_id, created_by, created_at, updated_at,
    notify_channel, notify_address)
SELECT c.id, agency_id, category_id, kind, channel, reporter_id, description, lat, lon,
    c.address, kecamatan_code, priority, status, team_id, rahasia, anonim, tracking_code,
    lapor_tracking_id, forwarded_from_id, forwarded_to_id, created_by, c.created_at, updated_at,
    CASE WHEN channel = 'whatsapp' THEN 'whatsapp' END,
    CASE WHEN channel = 'whatsapp' THEN r.mobile END
FROM s_case c LEFT JOIN reporters r ON r.id = c.reporter_id;
INSERT INTO case_events SELECT * FROM s_ev;
SELECT setval(pg_get_serial_sequence('reporters', 'id'), (SELECT MAX(id) FROM reporters));
SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT MAX(id) FROM cases));
SELECT setval(pg_get_serial_sequence('case_events', 'id'), (SELECT MAX(id) FROM case_events));
VACUUM ANALYZE reporters;
VACUUM ANALYZE cases;
VACUUM ANALYZE case_events;

-- 0007: working-day calendars, SLA policies and per-case deadlines
-- (issue #6). Times are Unix seconds (UTC); days are local "YYYY-MM-DD".

-- An agency's office hours per weekday ("HH:MM-HH:MM", an end before the
-- start runs past midnight; NULL: closed that day), or round the clock.
-- No row: the hours of Perpres 21/2023 (Mon-Thu 07:30-16:00, Fri
-- 07:30-16:30). The time zone is agencies.timezone.
CREATE TABLE agency_calendars (
    agency_id    {BIGINT} PRIMARY KEY REFERENCES agencies(id){DEFERRABLE},
    always_open  {BOOL} NOT NULL DEFAULT {FALSE},
    sun TEXT, mon TEXT, tue TEXT, wed TEXT, thu TEXT, fri TEXT, sat TEXT,
    updated_at   {BIGINT} NOT NULL
);

-- Days off: agency_id 0 for every agency (hari libur nasional, cuti
-- bersama), else one agency's own (e.g. the district's anniversary).
CREATE TABLE holidays (
    id          {ID},
    agency_id   {BIGINT} NOT NULL DEFAULT 0,
    day         TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('national', 'cuti_bersama', 'local')),
    created_at  {BIGINT} NOT NULL,
    UNIQUE (agency_id, day)
);

-- A category's own deadlines; no row: the defaults for its kind (see
-- domain/sla.h). Units: minutes, hours, days (clock) or work_minutes,
-- work_hours, work_days (the agency's calendar). Amount 0: no deadline.
CREATE TABLE sla_policies (
    category_id       {BIGINT} PRIMARY KEY REFERENCES categories(id){DEFERRABLE},
    verify_amount     INTEGER NOT NULL, verify_unit     TEXT NOT NULL,
    dispatch_amount   INTEGER NOT NULL, dispatch_unit   TEXT NOT NULL,
    action_amount     INTEGER NOT NULL, action_unit     TEXT NOT NULL,
    resolve_amount    INTEGER NOT NULL, resolve_unit    TEXT NOT NULL,
    autoclose_amount  INTEGER NOT NULL, autoclose_unit  TEXT NOT NULL,
    cap_days          INTEGER NOT NULL,
    soon_pct          INTEGER NOT NULL CHECK (soon_pct BETWEEN 1 AND 99),
    updated_at        {BIGINT} NOT NULL
);

-- Each case's current deadline, computed for the status in sla_status
-- (a case whose status differs is recomputed by the scheduler), and how
-- far its escalation went: 0 none, 1 due soon told, 2 breach recorded.
ALTER TABLE cases ADD COLUMN sla_status TEXT;
ALTER TABLE cases ADD COLUMN sla_stage TEXT;
ALTER TABLE cases ADD COLUMN sla_start_at {BIGINT};
ALTER TABLE cases ADD COLUMN sla_soon_at {BIGINT};
ALTER TABLE cases ADD COLUMN sla_due_at {BIGINT};
ALTER TABLE cases ADD COLUMN sla_resolve_due_at {BIGINT};
ALTER TABLE cases ADD COLUMN sla_level INTEGER NOT NULL DEFAULT 0;
CREATE INDEX cases_sla_stale ON cases(id) WHERE sla_status {IS_DISTINCT_FROM} status;
CREATE INDEX cases_sla_soon ON cases(sla_soon_at) WHERE sla_level < 2 AND sla_soon_at IS NOT NULL;
-- Cases where nothing is due are current already; the scheduler computes
-- the open ones after the upgrade, a few hundred per tick.
UPDATE cases SET sla_status = status
    WHERE status IN ('closed', 'rejected', 'forwarded', 'on_hold', 'incomplete');
-- The supervisors' list of what is late or nearly so, per agency.
CREATE INDEX cases_sla_attention ON cases(agency_id, sla_soon_at)
    WHERE sla_stage IN ('verify', 'dispatch', 'action', 'resolve');

-- Indonesia 2026: SKB 3 Menteri No. 1497/2025, 2/2025, 5/2025 (17 hari
-- libur nasional, 8 cuti bersama). Admins add later years by the API.
INSERT INTO holidays (agency_id, day, name, kind, created_at) VALUES
    (0, '2026-01-01', 'Tahun Baru 2026 Masehi', 'national', 0),
    (0, '2026-01-16', 'Isra Mikraj Nabi Muhammad SAW', 'national', 0),
    (0, '2026-02-16', 'Cuti bersama Tahun Baru Imlek', 'cuti_bersama', 0),
    (0, '2026-02-17', 'Tahun Baru Imlek 2577 Kongzili', 'national', 0),
    (0, '2026-03-18', 'Cuti bersama Hari Suci Nyepi', 'cuti_bersama', 0),
    (0, '2026-03-19', 'Hari Suci Nyepi (Tahun Baru Saka 1948)', 'national', 0),
    (0, '2026-03-20', 'Cuti bersama Idul Fitri 1447 H', 'cuti_bersama', 0),
    (0, '2026-03-21', 'Idul Fitri 1447 H', 'national', 0),
    (0, '2026-03-22', 'Idul Fitri 1447 H', 'national', 0),
    (0, '2026-03-23', 'Cuti bersama Idul Fitri 1447 H', 'cuti_bersama', 0),
    (0, '2026-03-24', 'Cuti bersama Idul Fitri 1447 H', 'cuti_bersama', 0),
    (0, '2026-04-03', 'Wafat Yesus Kristus', 'national', 0),
    (0, '2026-04-05', 'Kebangkitan Yesus Kristus (Paskah)', 'national', 0),
    (0, '2026-05-01', 'Hari Buruh Internasional', 'national', 0),
    (0, '2026-05-14', 'Kenaikan Yesus Kristus', 'national', 0),
    (0, '2026-05-15', 'Cuti bersama Kenaikan Yesus Kristus', 'cuti_bersama', 0),
    (0, '2026-05-27', 'Idul Adha 1447 H', 'national', 0),
    (0, '2026-05-28', 'Cuti bersama Idul Adha 1447 H', 'cuti_bersama', 0),
    (0, '2026-05-31', 'Hari Raya Waisak 2570 BE', 'national', 0),
    (0, '2026-06-01', 'Hari Lahir Pancasila', 'national', 0),
    (0, '2026-06-16', 'Tahun Baru Islam 1448 H', 'national', 0),
    (0, '2026-08-17', 'Hari Kemerdekaan Republik Indonesia', 'national', 0),
    (0, '2026-08-25', 'Maulid Nabi Muhammad SAW', 'national', 0),
    (0, '2026-12-24', 'Cuti bersama Hari Raya Natal', 'cuti_bersama', 0),
    (0, '2026-12-25', 'Hari Raya Natal', 'national', 0);

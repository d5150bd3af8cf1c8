-- 0003: see 0003_wa_notify.sqlite.sql.
ALTER TABLE wa_outbox ADD COLUMN event_id BIGINT REFERENCES case_events(id) DEFERRABLE;

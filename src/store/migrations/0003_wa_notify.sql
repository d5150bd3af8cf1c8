-- 0003: status updates to the citizen are queued by the transition that
-- makes them, in the same transaction, and rendered when sent.
ALTER TABLE wa_outbox ADD COLUMN event_id {BIGINT} REFERENCES case_events(id){DEFERRABLE};

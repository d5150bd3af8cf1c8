-- 0015: raw webhooks do not keep personal data forever, and kecamatan
-- boundaries give a located case its kecamatan (issue #13, items 6 and 7).

-- A stored webhook body holds the citizen's number, profile name and every
-- word typed (NIKs too). Once processed, the body is removed after
-- ADUAN_RAW_RETENTION_HOURS; a dead letter's is encrypted with
-- ADUAN_DATA_KEY (when set) and removed after 30 days. What stays is what
-- idempotency and debugging need: the row's times, state and error, and the
-- summary (JSON: the phone_number_id, and the id, type and time of each
-- message and the id and state of each status; no number, name or text).
ALTER TABLE wa_inbox ADD COLUMN summary TEXT;
-- raw: the body as received; sealed: encrypted ("v1:" + base64url);
-- removed: the body is gone (an empty string) since removed_at.
ALTER TABLE wa_inbox ADD COLUMN body_state TEXT NOT NULL DEFAULT 'raw'
    CHECK (body_state IN ('raw', 'sealed', 'removed'));
ALTER TABLE wa_inbox ADD COLUMN removed_at {BIGINT};
-- The processed bodies still held, oldest first: the retention job's path.
-- Rows enter when processed and leave when their body is removed.
CREATE INDEX wa_inbox_retained ON wa_inbox(processed_at, id)
    WHERE state = 'done' AND body_state = 'raw';

-- Kecamatan boundaries (aduan region import FILE.geojson): a GeoJSON
-- Polygon or MultiPolygon ([longitude, latitude], holes respected) with its
-- bounding box, the first filter of "which kecamatan holds this point".
CREATE TABLE region_shapes (
    code        TEXT PRIMARY KEY REFERENCES regions(code),
    geometry    TEXT NOT NULL,
    lat_min     {DOUBLE} NOT NULL,
    lat_max     {DOUBLE} NOT NULL,
    lon_min     {DOUBLE} NOT NULL,
    lon_max     {DOUBLE} NOT NULL,
    updated_at  {BIGINT} NOT NULL
);

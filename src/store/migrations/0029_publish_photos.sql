-- 0029: whether an agency publishes the photos of its reports (issue 17
-- §1). Open311 gives a request's media_url, and serves the photo, only
-- for an agency that does; off by default: a citizen's photo may show
-- people, and the agency's admin decides. One file for both engines.
ALTER TABLE agencies ADD COLUMN publish_photos {BOOL} NOT NULL DEFAULT {FALSE};

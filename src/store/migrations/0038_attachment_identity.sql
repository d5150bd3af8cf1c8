-- 0038: a file staff marked as a reporter's identity document (issue 18
-- evidence): a KTP or KK photo the citizen sent in a complaint's chat.
-- Every view of it, as of every file of a service request, goes to the
-- access log (store_attachment_identity).
ALTER TABLE attachments ADD COLUMN identity_doc {BOOL} NOT NULL DEFAULT {FALSE};

-- 0010: civil-registry service requests (issue #7). A service is a
-- category of kind 'service' (its code, names, target in sla_hours, active
-- flag); here are the documents it requires, the request's own data, and
-- the operator's verdict on each required document.
CREATE TABLE service_documents (
    id           INTEGER PRIMARY KEY,
    category_id  INTEGER NOT NULL REFERENCES categories(id),
    seq          INTEGER NOT NULL,             -- the order they are asked in
    name_id      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    accepts      TEXT NOT NULL CHECK (accepts IN ('photo', 'pdf', 'both')),
    mandatory    INTEGER NOT NULL DEFAULT 1,
    help_id      TEXT NOT NULL DEFAULT '',
    help_en      TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1    -- 0: no longer asked (kept for old requests)
);
CREATE INDEX service_documents_category ON service_documents(category_id, seq);

-- One per service case. The NIK and name are personal data (UU PDP): shown
-- only to the agency's desk, never logged.
CREATE TABLE service_requests (
    case_id               INTEGER PRIMARY KEY REFERENCES cases(id),
    nik                   TEXT NOT NULL,
    applicant_name        TEXT NOT NULL,
    consent_at            INTEGER NOT NULL,
    submitted_at          INTEGER NOT NULL,
    resubmissions         INTEGER NOT NULL DEFAULT 0,  -- times sent back as incomplete

    issued_at             INTEGER,
    issued_by             INTEGER REFERENCES users(id),
    issued_attachment_id  INTEGER REFERENCES attachments(id),
    issued_outbox_id      INTEGER REFERENCES wa_outbox(id),
    files_deleted_at      INTEGER                      -- retention ran
);

CREATE TABLE service_checks (
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    document_id  INTEGER NOT NULL REFERENCES service_documents(id),
    verdict      TEXT NOT NULL CHECK (verdict IN ('pending', 'accepted', 'rejected', 'skipped')),
    reason       TEXT,
    actor_id     INTEGER REFERENCES users(id),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (case_id, document_id)
);

-- Which required document a citizen's file answers.
ALTER TABLE attachments ADD COLUMN document_id INTEGER REFERENCES service_documents(id);

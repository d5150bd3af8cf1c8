-- 0010: civil-registry service requests (issue #7). A service is a
-- category of kind 'service' (its code, names, target in sla_hours, active
-- flag); here are the documents it requires, the request's own data, and
-- the operator's verdict on each required document.
CREATE TABLE service_documents (
    id           {ID},
    category_id  {BIGINT} NOT NULL REFERENCES categories(id){DEFERRABLE},
    seq          INTEGER NOT NULL,             -- the order they are asked in
    name_id      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    accepts      TEXT NOT NULL CHECK (accepts IN ('photo', 'pdf', 'both')),
    mandatory    {BOOL} NOT NULL DEFAULT {TRUE},
    help_id      TEXT NOT NULL DEFAULT '',
    help_en      TEXT NOT NULL DEFAULT '',
    active       {BOOL} NOT NULL DEFAULT {TRUE}    -- 0: no longer asked (kept for old requests)
);
CREATE INDEX service_documents_category ON service_documents(category_id, seq);

-- One per service case. The NIK and name are personal data (UU PDP): shown
-- only to the agency's desk, never logged.
CREATE TABLE service_requests (
    case_id               {BIGINT} PRIMARY KEY REFERENCES cases(id){DEFERRABLE},
    nik                   TEXT NOT NULL,
    applicant_name        TEXT NOT NULL,
    consent_at            {BIGINT} NOT NULL,
    submitted_at          {BIGINT} NOT NULL,
    resubmissions         INTEGER NOT NULL DEFAULT 0,  -- times sent back as incomplete

    issued_at             {BIGINT},
    issued_by             {BIGINT} REFERENCES users(id){DEFERRABLE},
    issued_attachment_id  {BIGINT} REFERENCES attachments(id){DEFERRABLE},
    issued_outbox_id      {BIGINT} REFERENCES wa_outbox(id){DEFERRABLE},
    files_deleted_at      {BIGINT}                      -- retention ran
);

CREATE TABLE service_checks (
    case_id      {BIGINT} NOT NULL REFERENCES cases(id){DEFERRABLE},
    document_id  {BIGINT} NOT NULL REFERENCES service_documents(id){DEFERRABLE},
    verdict      TEXT NOT NULL CHECK (verdict IN ('pending', 'accepted', 'rejected', 'skipped')),
    reason       TEXT,
    actor_id     {BIGINT} REFERENCES users(id){DEFERRABLE},
    updated_at   {BIGINT} NOT NULL,
    PRIMARY KEY (case_id, document_id)
);

-- Which required document a citizen's file answers.
ALTER TABLE attachments ADD COLUMN document_id {BIGINT} REFERENCES service_documents(id){DEFERRABLE};

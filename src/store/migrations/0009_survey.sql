-- 0009: the satisfaction survey (SKM/IKM, PermenPANRB 14/2017) over WhatsApp.
-- Answers are anonymous towards officers: a response keeps the agency, the
-- category and the local day it was given, never the case or the reporter;
-- survey_cases only says whether a case's reporter was invited and answered
-- (one answer set per case).
CREATE TABLE survey_cases (
    case_id          {BIGINT} PRIMARY KEY REFERENCES cases(id){DEFERRABLE},
    invite_event_id  {BIGINT} NOT NULL DEFAULT 0,  -- the closing event whose update invited; 0: a standalone invitation
    invited_at       {BIGINT} NOT NULL,
    answered         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE survey_responses (
    id           {ID},
    agency_id    {BIGINT} NOT NULL REFERENCES agencies(id){DEFERRABLE},
    category_id  {BIGINT} REFERENCES categories(id){DEFERRABLE},
    answered_on  {BIGINT} NOT NULL,  -- local midnight of the day (Unix seconds)
    u1 INTEGER CHECK (u1 BETWEEN 1 AND 4),
    u2 INTEGER CHECK (u2 BETWEEN 1 AND 4),
    u3 INTEGER CHECK (u3 BETWEEN 1 AND 4),
    u4 INTEGER CHECK (u4 BETWEEN 1 AND 4),
    u5 INTEGER CHECK (u5 BETWEEN 1 AND 4),
    u6 INTEGER CHECK (u6 BETWEEN 1 AND 4),
    u7 INTEGER CHECK (u7 BETWEEN 1 AND 4),
    u8 INTEGER CHECK (u8 BETWEEN 1 AND 4),
    u9 INTEGER CHECK (u9 BETWEEN 1 AND 4),
    comment      TEXT
);
CREATE INDEX survey_responses_period ON survey_responses(agency_id, answered_on);

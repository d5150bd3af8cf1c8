-- 0040: the web form's private cancel links (issue 16). The confirmation
-- page shows the reporter a link with a random token, once; only its
-- SHA-256 is kept here. Opening it asks to confirm, and the confirmation
-- withdraws the case (closed, "Dibatalkan oleh pelapor") if nobody works
-- on it yet; used_at makes the link one-use. Not personal data; goes with
-- its case.
CREATE TABLE withdraw_links (
    token_hash  TEXT PRIMARY KEY,
    case_id     {BIGINT} NOT NULL REFERENCES cases(id){DEFERRABLE},
    created_at  {BIGINT} NOT NULL,
    used_at     {BIGINT}
);
CREATE INDEX withdraw_links_case ON withdraw_links(case_id);

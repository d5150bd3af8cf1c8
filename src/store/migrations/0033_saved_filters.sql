-- 0033: an operator's saved inbox filters (issue 18, "saved filters per
-- user"). query is a JSON object of the inbox's filter keys (status,
-- category, q, assignee, ...; the API checks the keys and at most 30 rows
-- per user). Names are unique per user. No personal data of reporters,
-- but q may hold what the operator searched for (a phone number), so the
-- rows go with their user.
CREATE TABLE saved_filters (
    id          {ID},
    user_id     {BIGINT} NOT NULL REFERENCES users(id){DEFERRABLE},
    name        TEXT NOT NULL,
    query       TEXT NOT NULL,
    created_at  {BIGINT} NOT NULL,
    UNIQUE (user_id, name)
);

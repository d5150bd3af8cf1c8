-- Issue 13: the inbox filter "sudah diteruskan ke LAPOR!" finds the few
-- cases with a LAPOR! tracking number without walking the agency's cases.
CREATE INDEX cases_lapor ON cases(agency_id, id) WHERE lapor_tracking_id IS NOT NULL;

-- 0016 (issue 13): the inbox filter "sudah diteruskan ke LAPOR!" finds the
-- few cases with a LAPOR! tracking number without walking the agency's.
CREATE INDEX cases_lapor ON cases(agency_id, id) WHERE lapor_tracking_id IS NOT NULL;
-- A field officer sees the open emergencies of their agency: only those
-- rows, not every open complaint of the agency (the predicate is the text
-- store/case_query.c writes, so both planners see that it applies).
CREATE INDEX cases_open_emergency ON cases(agency_id, status, id)
    WHERE kind = 'emergency'
      AND status IN ('received', 'verified', 'dispatched', 'in_progress', 'on_hold', 'reopened');

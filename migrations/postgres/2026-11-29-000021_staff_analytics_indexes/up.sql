-- The staff analytics count the cases opened and closed in a period, and judge the deadlines of
-- the open cases (closed_at NULL) grouped by their dates: ranges on these two indexes, the
-- open cases' deadlines from the index alone.
CREATE INDEX cases_opened ON cases (opened_at, institution_id);
CREATE INDEX cases_closed ON cases (closed_at, institution_id, status, acknowledge_by, triage_by, response_due_on);

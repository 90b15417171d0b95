-- The staff analytics count the cases opened and closed in a period and judge the deadlines of
-- the open cases (closed_at NULL): ranges on these two indexes, not the whole table.
CREATE INDEX cases_opened ON cases (opened_at, institution_id);
CREATE INDEX cases_closed ON cases (closed_at, institution_id);

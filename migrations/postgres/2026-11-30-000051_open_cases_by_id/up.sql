-- The case list (open cases, newest first, per institution or all): read in id order from an
-- index instead of sorting every open case. At 1M reports on SQLite the planner took
-- `cases_closed` (closed_at first, no id) for `closed_at IS NULL`, then sorted 288,000 open
-- cases for a page of 50: about 2 s, against 1 ms with these.
CREATE INDEX cases_open_by_id ON cases (closed_at, id);
CREATE INDEX cases_institution_open ON cases (institution_id, closed_at, id);

DROP TRIGGER reports_reported_on_gone;
DROP TRIGGER reports_reported_on_moved;
DROP TRIGGER reports_reported_on_new;
DROP TRIGGER cases_reported_on_moved;
DROP TRIGGER cases_reported_on_new;
DROP INDEX cases_opened;
CREATE INDEX cases_opened ON cases (opened_at, institution_id, event_id, closed_at);
ALTER TABLE cases DROP COLUMN reported_on;

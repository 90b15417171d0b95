DROP TRIGGER reports_reported_on ON reports;
DROP FUNCTION reports_reported_on_change();
DROP FUNCTION cases_reported_on_of(INTEGER);
DROP TRIGGER cases_reported_on ON cases;
DROP FUNCTION cases_set_reported_on();
DROP INDEX cases_opened;
CREATE INDEX cases_opened ON cases (opened_at, institution_id, event_id, closed_at);
ALTER TABLE cases DROP COLUMN reported_on;

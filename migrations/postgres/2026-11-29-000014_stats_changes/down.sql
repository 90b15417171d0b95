DROP TRIGGER stats_changes_reports ON reports;
DROP TRIGGER stats_changes_events ON events;
DROP TRIGGER stats_changes_cases ON cases;
DROP TRIGGER stats_changes_allegations ON allegations;
DROP FUNCTION stats_changed();
DROP TABLE stats_changes;

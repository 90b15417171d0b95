DROP TRIGGER stats_changes_reports;
DROP TRIGGER stats_changes_events;
DROP TRIGGER stats_changes_cases;
DROP TRIGGER stats_changes_allegations;
DROP TABLE stats_changes;

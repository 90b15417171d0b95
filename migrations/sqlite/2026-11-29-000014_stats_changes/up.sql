-- The public statistics (issue 13) are computed once per closed period and kept in memory,
-- keyed by a data version: the largest ids of allegations, cases, case steps and
-- recommendations (a new row), and of this table, which triggers append to when a row already
-- counted changes (a finding, an outcome, an allegation or event moved or reclassified, a
-- report linked to an event). Append-only, so no writer ever waits on another for it.
CREATE TABLE stats_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT
);

CREATE TRIGGER stats_changes_allegations
    AFTER UPDATE OF disposition_id, event_id, force_id, violation_type_id, occurred_month ON allegations
BEGIN
    INSERT INTO stats_changes (id) VALUES (NULL);
END;

CREATE TRIGGER stats_changes_cases
    AFTER UPDATE OF final_outcome, disciplined, recommended_outcome, closed_at, event_id, institution_id ON cases
BEGIN
    INSERT INTO stats_changes (id) VALUES (NULL);
END;

CREATE TRIGGER stats_changes_events AFTER UPDATE OF occurred_on, region_code ON events
BEGIN
    INSERT INTO stats_changes (id) VALUES (NULL);
END;

CREATE TRIGGER stats_changes_reports AFTER UPDATE OF event_id ON reports
BEGIN
    INSERT INTO stats_changes (id) VALUES (NULL);
END;

-- The reports an institution's case keeps when an override takes all its allegations away and
-- the case is not withdrawn (it was worked on): its people keep what they worked on, and
-- nothing linked to the event afterwards (cases::model::after_rerouting, events::model::find_report).
CREATE TABLE case_kept_reports (
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    PRIMARY KEY (case_id, report_id)
);
CREATE INDEX case_kept_reports_report ON case_kept_reports (report_id);

-- Cases emptied before this migration keep the reports their event has now.
INSERT INTO case_kept_reports (case_id, report_id)
SELECT c.id, r.id FROM cases c JOIN reports r ON r.event_id = c.event_id
WHERE NOT EXISTS (SELECT 1 FROM allegations a WHERE a.case_id = c.id);

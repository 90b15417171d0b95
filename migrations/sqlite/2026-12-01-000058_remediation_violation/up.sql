-- The violation an action proposed from a case is about, so that its issue is worded in each
-- reader's language (it was written once, in the case worker's).
ALTER TABLE remediation_actions ADD COLUMN violation_type_id INTEGER REFERENCES violation_types (id);

-- A remediation action opened from a case's recommendation (issue 12) keeps the case it came
-- from, so that the case is not proposed twice for one unit. Trainers never see it.
ALTER TABLE remediation_actions ADD COLUMN case_id INTEGER REFERENCES cases (id);
CREATE INDEX remediation_actions_case ON remediation_actions (case_id);

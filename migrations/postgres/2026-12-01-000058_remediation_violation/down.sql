ALTER TABLE remediation_actions DROP COLUMN violation_type_id;

DROP INDEX remediation_actions_case;
ALTER TABLE remediation_actions DROP COLUMN case_id;

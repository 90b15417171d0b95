ALTER TABLE remediation_actions ADD COLUMN session_id INTEGER REFERENCES training_sessions (id);
UPDATE remediation_actions SET session_id =
    (SELECT MIN(s.session_id) FROM remediation_sessions s WHERE s.action_id = remediation_actions.id);
DROP TABLE remediation_sessions;

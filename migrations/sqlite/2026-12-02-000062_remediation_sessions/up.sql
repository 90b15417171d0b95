-- A remediation action names the sessions that carry it out (several cohorts, a refresher),
-- not one: issue 12 asks for "session(s)". The one an action named is kept.
CREATE TABLE remediation_sessions (
    action_id INTEGER NOT NULL REFERENCES remediation_actions (id),
    session_id INTEGER NOT NULL REFERENCES training_sessions (id),
    PRIMARY KEY (action_id, session_id)
);
CREATE INDEX remediation_sessions_session ON remediation_sessions (session_id);
INSERT INTO remediation_sessions (action_id, session_id)
    SELECT id, session_id FROM remediation_actions WHERE session_id IS NOT NULL;
ALTER TABLE remediation_actions DROP COLUMN session_id;

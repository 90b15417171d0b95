DROP TABLE role_grants;
DROP TABLE pending_reporter_events;
ALTER TABLE messages DROP COLUMN institution_id;

DROP TABLE role_grants;
DROP TABLE pending_reporter_events;
-- SQLite cannot drop a column that references another table: rebuild the table.
CREATE TABLE messages_old (
    id INTEGER PRIMARY KEY NOT NULL,
    report_id INTEGER NOT NULL REFERENCES reports (id),
    author TEXT NOT NULL CHECK (author IN ('reporter', 'staff')),
    user_id INTEGER REFERENCES users (id),
    body TEXT NOT NULL,
    sent_on DATE NOT NULL
);
INSERT INTO messages_old (id, report_id, author, user_id, body, sent_on)
    SELECT id, report_id, author, user_id, body, sent_on FROM messages;
DROP TABLE messages;
ALTER TABLE messages_old RENAME TO messages;
CREATE INDEX messages_report ON messages (report_id, id);

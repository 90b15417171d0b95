-- Issue 10, item 9: who has read what. One row per person and report: the last message of that
-- report the person has seen (in the threads they may read). A reporter's message with a
-- higher id is unread for them: marked on the lists and the case page, and listed (links
-- only) in their daily digest.
CREATE TABLE read_marks (
    user_id INTEGER NOT NULL REFERENCES users (id),
    report_id INTEGER NOT NULL REFERENCES reports (id),
    last_message_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, report_id)
);
CREATE INDEX read_marks_report ON read_marks (report_id);

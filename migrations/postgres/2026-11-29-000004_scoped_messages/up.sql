-- Issue 9, items 3, 6 and 9.

-- Item 3: each message belongs to one institution's thread. A staff message is written by the
-- case worker of one institution; a reporter's message is addressed to one of them. NULL is
-- the shared thread before routing (intake's messages, a reporter's messages to nobody yet).
ALTER TABLE messages ADD COLUMN institution_id INTEGER REFERENCES institutions (id);
-- Existing staff messages: the institution of their author (case workers only).
UPDATE messages SET institution_id = (
    SELECT users.institution_id FROM users
    WHERE users.id = messages.user_id AND users.role IN ('investigator', 'ombudsman')
) WHERE author = 'staff';
-- Existing reporter messages: the thread of the latest staff message before them.
UPDATE messages SET institution_id = (
    SELECT m2.institution_id FROM messages m2
    WHERE m2.report_id = messages.report_id AND m2.id < messages.id
      AND m2.author = 'staff' AND m2.institution_id IS NOT NULL
    ORDER BY m2.id DESC LIMIT 1
) WHERE author = 'reporter';

-- Item 6: what a reporter's action writes to the audit log and to the outbox, held back and
-- written by the background worker at a random moment after a random delay, in random order,
-- so that neither the audit chain nor the outbox dates the action finer than its day.
CREATE TABLE pending_reporter_events (
    id SERIAL PRIMARY KEY,
    day DATE NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    details TEXT NOT NULL,
    mail_to TEXT,
    mail_subject TEXT,
    mail_body TEXT,
    mail_kind TEXT,
    due_at TIMESTAMP NOT NULL
);
CREATE INDEX pending_reporter_events_due ON pending_reporter_events (due_at);

-- Item 9: a case or auditor role (or admin) is granted only when a second admin approves.
CREATE TABLE role_grants (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'intake', 'investigator', 'ombudsman', 'trainer', 'monitor', 'auditor')),
    institution_id INTEGER REFERENCES institutions (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
    -- The grant came with the account: the account stays disabled until it is approved.
    with_account BOOLEAN NOT NULL DEFAULT FALSE,
    requested_by INTEGER NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at TIMESTAMP
);
CREATE INDEX role_grants_state ON role_grants (state, id);

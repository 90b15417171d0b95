CREATE TABLE reminders_sent (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    threshold TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, kind, threshold)
);
DROP TABLE digests_sent;
ALTER TABLE users DROP COLUMN digest_enabled;
ALTER TABLE users DROP COLUMN totp_failures;

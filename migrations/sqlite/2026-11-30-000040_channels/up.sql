-- Issue 16: reports by SMS and USSD.
-- Privacy: no phone number is stored in clear. A conversation is found by a keyed hash of the
-- number (HMAC-SHA-256 under a key derived from the installation's secret key, which is never
-- written, and the day's random salt below, deleted two days later); a number kept to send
-- replies is sealed with AES-256-GCM under a key derived from the secret key as well.

-- The salt of each day's number hashes: random, deleted after two days, so an old hash cannot
-- be recomputed even with the secret key.
CREATE TABLE channel_salts (
    day DATE PRIMARY KEY NOT NULL,
    salt TEXT NOT NULL
);

-- An SMS conversation in progress (USSD keeps none: its menu is a function of the session's
-- text). Erased by STOP, when the report is filed, and after 24 hours of silence.
CREATE TABLE channel_sessions (
    number_hash TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX channel_sessions_updated ON channel_sessions (updated_at);

-- The channel a report came by, when a phone channel (reports.channel says the door: api).
CREATE TABLE report_channels (
    report_id INTEGER PRIMARY KEY NOT NULL REFERENCES reports (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'ussd'))
);

-- The sealed number of a reporter who said yes to replies by SMS, erased when the report's
-- cases are all closed.
CREATE TABLE channel_contacts (
    report_id INTEGER PRIMARY KEY NOT NULL REFERENCES reports (id),
    number_sealed TEXT NOT NULL,
    lang TEXT NOT NULL
);

-- SMS waiting for the gateway: retried with backoff like mail; once sent, the number and the
-- text are erased.
CREATE TABLE sms_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    number_sealed TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX sms_outbox_due ON sms_outbox (sent_at, next_attempt_at);

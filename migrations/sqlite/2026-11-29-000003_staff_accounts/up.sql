-- Second-factor failures are counted apart from password failures: a correct password must
-- not reset them (TOTP brute force through repeated sign-ins).
ALTER TABLE users ADD COLUMN totp_failures INTEGER NOT NULL DEFAULT 0;
-- One digest a day per person instead of one mail per case, deadline and threshold.
ALTER TABLE users ADD COLUMN digest_enabled BOOLEAN NOT NULL DEFAULT 1;
CREATE TABLE digests_sent (
    user_id INTEGER NOT NULL REFERENCES users (id),
    sent_on DATE NOT NULL,
    items INTEGER NOT NULL,
    PRIMARY KEY (user_id, sent_on)
);
-- Reminders per case and threshold are replaced by the daily digest.
DROP TABLE reminders_sent;

-- Issue 10, item 4: a report form is sent once. Each form page carries a one-time token; the
-- SHA-256 of a token is written here in the same transaction as the report it filed, so a
-- reload of the receipt page or a second tap on Send finds it and files nothing.
-- Privacy: no client identifier (address, user agent, session), no report id, and only the
-- day, not the instant; rows are purged a few days after their day (tokens expire sooner).
CREATE TABLE form_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    used_on DATE NOT NULL
);
CREATE INDEX form_tokens_used_on ON form_tokens (used_on);

-- The signed callbacks of the phone channels seen within the window (issue 16): kept in the
-- database so that a replay is refused by every instance, not only the one that saw it.
-- The signature is an HMAC of the body (no number, no text in clear); forgotten after twice
-- the window.
CREATE TABLE channel_signatures (
    signature TEXT PRIMARY KEY NOT NULL,
    seen_at INTEGER NOT NULL
);
CREATE INDEX channel_signatures_seen ON channel_signatures (seen_at);

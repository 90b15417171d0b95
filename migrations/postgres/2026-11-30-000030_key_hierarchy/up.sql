-- Issue 15, phase 1: the key hierarchy (docs/SECURITY.md, "Encryption at rest").
-- Each staff account's key pair: the public key, and the private key sealed under a key
-- derived from the password by Argon2id with its own salt (`pwd1:` salt and sealed key).
-- NULL until the account's password is first set or used after this migration.
ALTER TABLE users ADD COLUMN public_key TEXT;
ALTER TABLE users ADD COLUMN sealed_private_key TEXT;
-- The private key opened at sign-in, sealed under a key derived from the session token (which
-- only the cookie holds); emptied when the session is revoked or times out.
ALTER TABLE sessions ADD COLUMN sealed_key TEXT;
-- The installation's recovery key: its public key only; the private key exists only as the
-- Shamir shares printed once by `vigie keys init`.
CREATE TABLE recovery_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    public_key TEXT NOT NULL,
    shares INTEGER NOT NULL,
    threshold INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- The group keys: the intake desk (`intake`) and each institution (its code), one row per
-- version (a new version when a member leaves); the private key sealed to the recovery key.
CREATE TABLE group_keys (
    id SERIAL PRIMARY KEY,
    group_code TEXT NOT NULL,
    version INTEGER NOT NULL,
    public_key TEXT NOT NULL,
    recovery_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (group_code, version)
);
-- A group key's private key sealed to one member's public key.
CREATE TABLE group_key_seals (
    group_key_id INTEGER NOT NULL REFERENCES group_keys (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_key_id, user_id)
);
CREATE INDEX group_key_seals_user ON group_key_seals (user_id);

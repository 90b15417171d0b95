-- Second-factor failures are counted apart from password failures: a correct password must
-- not reset them (issue: TOTP brute force through repeated sign-ins).
ALTER TABLE users ADD COLUMN totp_failures INTEGER NOT NULL DEFAULT 0;

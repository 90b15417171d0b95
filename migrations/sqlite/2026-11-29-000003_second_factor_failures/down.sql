ALTER TABLE users DROP COLUMN totp_failures;

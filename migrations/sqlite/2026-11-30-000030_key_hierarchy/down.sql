DROP TABLE group_key_seals;
DROP TABLE group_keys;
DROP TABLE recovery_keys;
ALTER TABLE sessions DROP COLUMN sealed_key;
ALTER TABLE users DROP COLUMN sealed_private_key;
ALTER TABLE users DROP COLUMN public_key;

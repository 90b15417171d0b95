DROP TABLE report_keys_wanted;
DROP TABLE report_keys;
ALTER TABLE attachments DROP COLUMN stored_sha256;
ALTER TABLE reports DROP COLUMN sealed;

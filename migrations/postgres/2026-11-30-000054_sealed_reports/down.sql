DROP TABLE report_keys_wanted;
DROP TABLE report_keys;
ALTER TABLE reports DROP COLUMN sealed;

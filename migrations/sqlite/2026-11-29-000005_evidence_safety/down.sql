ALTER TABLE attachments DROP COLUMN warning;
ALTER TABLE attachments DROP COLUMN safe_content_type;
ALTER TABLE attachments DROP COLUMN safe_data;

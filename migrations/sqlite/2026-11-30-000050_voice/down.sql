ALTER TABLE messages DROP COLUMN attachment_id;
ALTER TABLE attachments DROP COLUMN transcribed_at;
ALTER TABLE attachments DROP COLUMN transcribed_by;
ALTER TABLE attachments DROP COLUMN translation;
ALTER TABLE attachments DROP COLUMN transcription;
ALTER TABLE attachments DROP COLUMN purpose;

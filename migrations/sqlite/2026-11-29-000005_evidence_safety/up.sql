-- Issue 9, items 11 and 17: what staff are shown of an evidence file.
-- safe_data: for a photo, the copy re-encoded from its pixels (no EXIF/XMP, no hidden payload);
--   NULL when none could be made (the original is then readable by the auditor only).
-- warning: 'pdf-active' (JavaScript, automatic or launch actions) or 'pdf-unchecked'
--   (compressed object streams the scan cannot see into); NULL otherwise.
-- The original (data) and its SHA-256 stay unchanged: the chain of custody.
ALTER TABLE attachments ADD COLUMN safe_data BLOB;
ALTER TABLE attachments ADD COLUMN safe_content_type TEXT;
ALTER TABLE attachments ADD COLUMN warning TEXT;

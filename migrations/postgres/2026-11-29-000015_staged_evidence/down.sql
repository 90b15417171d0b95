DELETE FROM attachments WHERE report_id IS NULL;
ALTER TABLE attachments ALTER COLUMN report_id SET NOT NULL;

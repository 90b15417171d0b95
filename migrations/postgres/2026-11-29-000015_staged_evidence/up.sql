-- Evidence is stored before the report or upload that links it (issue 18, item 7): a file's
-- bytes are written in a short transaction of their own, with no report yet (report_id NULL),
-- and the short audited transaction that files the report links them. A staged file never
-- linked (the request failed between the two) is deleted by the sweep after a day.
ALTER TABLE attachments ALTER COLUMN report_id DROP NOT NULL;

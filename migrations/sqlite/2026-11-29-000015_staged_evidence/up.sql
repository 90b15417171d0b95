-- Evidence is stored before the report or upload that links it (issue 18, item 7): a file's
-- bytes are written in a short transaction of their own, with no report yet (report_id NULL),
-- and the short audited transaction that files the report links them. A staged file never
-- linked (the request failed between the two) is deleted by the sweep after a day.
-- SQLite cannot drop a NOT NULL constraint: the table is rebuilt, with the same columns.
CREATE TABLE attachments_new (
    id INTEGER PRIMARY KEY NOT NULL,
    report_id INTEGER REFERENCES reports (id),
    case_id INTEGER REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('image', 'audio', 'video', 'pdf')),
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_on DATE NOT NULL,
    uploaded_by INTEGER REFERENCES users (id),
    safe_data BLOB,
    safe_content_type TEXT,
    warning TEXT
);
INSERT INTO attachments_new
    SELECT id, report_id, case_id, kind, content_type, size_bytes, sha256, data, uploaded_on,
           uploaded_by, safe_data, safe_content_type, warning
    FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_new RENAME TO attachments;
CREATE INDEX attachments_report ON attachments (report_id);

DELETE FROM attachments WHERE report_id IS NULL;
CREATE TABLE attachments_old (
    id INTEGER PRIMARY KEY NOT NULL,
    report_id INTEGER NOT NULL REFERENCES reports (id),
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
INSERT INTO attachments_old SELECT * FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_old RENAME TO attachments;
CREATE INDEX attachments_report ON attachments (report_id);

-- Issue 17: a narrative told by voice, and its transcription and French translation.
-- `purpose`: `evidence` (a proof), `narrative` (the report told by voice instead of text),
-- `message` (a voice message of the thread, from the reporter or from staff).
ALTER TABLE attachments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'evidence'
    CHECK (purpose IN ('evidence', 'narrative', 'message'));
ALTER TABLE attachments ADD COLUMN transcription TEXT;
ALTER TABLE attachments ADD COLUMN translation TEXT;
ALTER TABLE attachments ADD COLUMN transcribed_by INTEGER REFERENCES users(id);
ALTER TABLE attachments ADD COLUMN transcribed_at TIMESTAMP;
-- A message told by voice: its recording.
ALTER TABLE messages ADD COLUMN attachment_id INTEGER REFERENCES attachments (id);

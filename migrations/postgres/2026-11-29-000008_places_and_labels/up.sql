-- Issue 10, item 7: admins add places to the gazetteer (villages the shipped file lacks, such as
-- Ogossagou). A row with `added_by` set was added by that admin (NULL: from the shipped file,
-- read-only); start-up loads these into the in-memory gazetteer and never deletes them. A
-- staff-added place is disabled rather than deleted (reports may point at it).
ALTER TABLE places ADD COLUMN added_by INTEGER REFERENCES users (id);
ALTER TABLE places ADD COLUMN added_at TIMESTAMP;
ALTER TABLE places ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX places_added_by ON places (added_by);

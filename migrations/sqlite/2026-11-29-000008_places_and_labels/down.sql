DROP INDEX places_added_by;
ALTER TABLE places DROP COLUMN active;
ALTER TABLE places DROP COLUMN added_at;
ALTER TABLE places DROP COLUMN added_by;

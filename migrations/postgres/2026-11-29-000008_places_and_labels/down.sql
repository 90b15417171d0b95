ALTER TABLE allegations ADD COLUMN routing_reason TEXT;
UPDATE allegations SET routing_reason = routing_fact;
ALTER TABLE allegations DROP COLUMN routing_fact;
DROP INDEX places_added_by;
ALTER TABLE places DROP COLUMN active;
ALTER TABLE places DROP COLUMN added_at;
ALTER TABLE places DROP COLUMN added_by;

-- Issue 10, item 7: admins add places to the gazetteer (villages the shipped file lacks, such as
-- Ogossagou). A row with `added_by` set was added by that admin (NULL: from the shipped file,
-- read-only); start-up loads these into the in-memory gazetteer and never deletes them. A
-- staff-added place is disabled rather than deleted (reports may point at it).
ALTER TABLE places ADD COLUMN added_by INTEGER REFERENCES users (id);
ALTER TABLE places ADD COLUMN added_at TIMESTAMP;
ALTER TABLE places ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX places_added_by ON places (added_by);

-- Issue 10: why an allegation was routed is stored as facts (JSON, see
-- `routing::RoutingFact`), put in words in the reader's language, instead of an English
-- sentence. Earlier decisions keep what is known: the rule (its position and name now), the
-- violation type, the force and the destination; overrides keep the officer's own reason in
-- `override_reason`.
ALTER TABLE allegations ADD COLUMN routing_fact TEXT;
UPDATE allegations SET routing_fact = '{"kind":"override"}' WHERE override_reason IS NOT NULL;
UPDATE allegations SET routing_fact = (
    SELECT json_build_object('kind', 'rule', 'rule', r.id, 'position', r.position, 'name', r.name,
                             'violation_type', vt.code, 'force', f.code, 'destination', i.code)::text
    FROM routing_rules r, violation_types vt, forces f, institutions i
    WHERE r.id = allegations.routing_rule_id AND vt.id = allegations.violation_type_id
      AND f.id = allegations.force_id AND i.id = allegations.destination_id)
WHERE override_reason IS NULL AND routing_rule_id IS NOT NULL;
ALTER TABLE allegations DROP COLUMN routing_reason;

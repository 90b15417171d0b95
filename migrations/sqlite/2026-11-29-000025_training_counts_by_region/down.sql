DROP TRIGGER training_counts_by_region_delete;
DROP TRIGGER training_counts_by_region_update;
DROP TRIGGER training_counts_by_region_insert;
DROP TABLE training_counts_by_region;
DROP TRIGGER events_region;
DROP TRIGGER allegations_month_move;
DROP TRIGGER allegations_month_insert;

CREATE TRIGGER allegations_month_insert AFTER INSERT ON allegations
BEGIN
    UPDATE allegations SET occurred_month =
        (SELECT date(events.occurred_on, 'start of month') FROM events WHERE events.id = NEW.event_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER allegations_month_move AFTER UPDATE OF event_id ON allegations
BEGIN
    UPDATE allegations SET occurred_month =
        (SELECT date(events.occurred_on, 'start of month') FROM events WHERE events.id = NEW.event_id)
    WHERE id = NEW.id;
END;

-- Recreated after the month triggers, as in migration 000018 (the newest trigger runs first).
DROP TRIGGER training_counts_update;
CREATE TRIGGER training_counts_update
    AFTER UPDATE OF unit_id, violation_type_id, occurred_month, disposition_id, case_id, confidence, event_id ON allegations
    WHEN OLD.unit_id IS NOT NULL OR NEW.unit_id IS NOT NULL
BEGIN
    UPDATE training_counts
    SET substantiated = substantiated - (CASE WHEN OLD.disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END),
        pending = pending - (CASE WHEN OLD.disposition_id IS NULL AND OLD.case_id IS NOT NULL AND OLD.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END)
    WHERE unit_id = OLD.unit_id AND violation_type_id = OLD.violation_type_id AND month = OLD.occurred_month;
    DELETE FROM training_counts
    WHERE unit_id = OLD.unit_id AND violation_type_id = OLD.violation_type_id AND month = OLD.occurred_month
      AND substantiated = 0 AND pending = 0;
    INSERT INTO training_counts (unit_id, violation_type_id, month, substantiated, pending)
    SELECT NEW.unit_id, NEW.violation_type_id, NEW.occurred_month, s, p
    FROM (SELECT CASE WHEN NEW.disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END AS s,
                 CASE WHEN NEW.disposition_id IS NULL AND NEW.case_id IS NOT NULL AND NEW.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END AS p)
    WHERE NEW.unit_id IS NOT NULL AND NEW.occurred_month IS NOT NULL AND s + p > 0
    ON CONFLICT (unit_id, violation_type_id, month) DO UPDATE
        SET substantiated = substantiated + excluded.substantiated, pending = pending + excluded.pending;
END;


ALTER TABLE allegations DROP COLUMN occurred_region;

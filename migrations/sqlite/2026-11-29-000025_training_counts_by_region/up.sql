-- The trainers' counts by the region where it happened (issue 12's region filter). A region
-- filter means "the unit is based in the region, or the event took place there"; it counted
-- from the allegations, 0.7 to 1.7 s at 1,000,000 reports. Now it reads two kept tables:
-- training_counts for the units based there, and this one, the same counts per region of the
-- event, for the other units (the sum is exact: each allegation is counted once).
--
-- The event's region is kept on each allegation as the month is (migration 000012): set when
-- the allegation is added or moved to another event, and when an event's region is corrected.
ALTER TABLE allegations ADD COLUMN occurred_region TEXT;

UPDATE allegations SET occurred_region =
    (SELECT events.region_code FROM events WHERE events.id = allegations.event_id);

DROP TRIGGER allegations_month_insert;
DROP TRIGGER allegations_month_move;

CREATE TRIGGER allegations_month_insert AFTER INSERT ON allegations
BEGIN
    UPDATE allegations SET
        occurred_month = (SELECT date(events.occurred_on, 'start of month') FROM events WHERE events.id = NEW.event_id),
        occurred_region = (SELECT events.region_code FROM events WHERE events.id = NEW.event_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER allegations_month_move AFTER UPDATE OF event_id ON allegations
BEGIN
    UPDATE allegations SET
        occurred_month = (SELECT date(events.occurred_on, 'start of month') FROM events WHERE events.id = NEW.event_id),
        occurred_region = (SELECT events.region_code FROM events WHERE events.id = NEW.event_id)
    WHERE id = NEW.id;
END;

-- The counting triggers no longer fire on event_id itself: when an allegation moves, the
-- trigger above sets its month and region in a second UPDATE, which they follow. Firing on
-- event_id too made them read the month before that UPDATE, and then the outcome depended on
-- the order SQLite runs triggers in (the newest first): recreating the trigger above made the
-- stale copy run last and put the old month back (caught by
-- training::the_month_counts_stay_right_through_every_change).
DROP TRIGGER training_counts_update;
CREATE TRIGGER training_counts_update
    AFTER UPDATE OF unit_id, violation_type_id, occurred_month, disposition_id, case_id, confidence ON allegations
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

CREATE TRIGGER events_region AFTER UPDATE OF region_code ON events
BEGIN
    UPDATE allegations SET occurred_region = NEW.region_code WHERE event_id = NEW.id;
END;

CREATE TABLE training_counts_by_region (
    region_code TEXT NOT NULL REFERENCES regions (code),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    violation_type_id INTEGER NOT NULL REFERENCES violation_types (id),
    month DATE NOT NULL,
    substantiated INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    PRIMARY KEY (region_code, unit_id, violation_type_id, month)
);

INSERT INTO training_counts_by_region (region_code, unit_id, violation_type_id, month, substantiated, pending)
SELECT occurred_region, unit_id, violation_type_id, occurred_month,
       SUM(CASE WHEN disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END),
       SUM(CASE WHEN disposition_id IS NULL AND case_id IS NOT NULL AND confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END)
FROM allegations
WHERE unit_id IS NOT NULL AND occurred_month IS NOT NULL AND occurred_region IS NOT NULL
  AND (disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated')
       OR (disposition_id IS NULL AND case_id IS NOT NULL AND confidence IN ('confirmed', 'probable')))
GROUP BY occurred_region, unit_id, violation_type_id, occurred_month;

CREATE TRIGGER training_counts_by_region_insert AFTER INSERT ON allegations
    WHEN NEW.unit_id IS NOT NULL AND NEW.occurred_month IS NOT NULL AND NEW.occurred_region IS NOT NULL
BEGIN
    INSERT INTO training_counts_by_region (region_code, unit_id, violation_type_id, month, substantiated, pending)
    SELECT NEW.occurred_region, NEW.unit_id, NEW.violation_type_id, NEW.occurred_month, s, p
    FROM (SELECT CASE WHEN NEW.disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END AS s,
                 CASE WHEN NEW.disposition_id IS NULL AND NEW.case_id IS NOT NULL AND NEW.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END AS p)
    WHERE s + p > 0
    ON CONFLICT (region_code, unit_id, violation_type_id, month) DO UPDATE
        SET substantiated = substantiated + excluded.substantiated, pending = pending + excluded.pending;
END;

CREATE TRIGGER training_counts_by_region_update
    AFTER UPDATE OF unit_id, violation_type_id, occurred_month, occurred_region, disposition_id, case_id, confidence ON allegations
    WHEN OLD.unit_id IS NOT NULL OR NEW.unit_id IS NOT NULL
BEGIN
    UPDATE training_counts_by_region
    SET substantiated = substantiated - (CASE WHEN OLD.disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END),
        pending = pending - (CASE WHEN OLD.disposition_id IS NULL AND OLD.case_id IS NOT NULL AND OLD.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END)
    WHERE region_code = OLD.occurred_region AND unit_id = OLD.unit_id
      AND violation_type_id = OLD.violation_type_id AND month = OLD.occurred_month;
    DELETE FROM training_counts_by_region
    WHERE region_code = OLD.occurred_region AND unit_id = OLD.unit_id
      AND violation_type_id = OLD.violation_type_id AND month = OLD.occurred_month
      AND substantiated = 0 AND pending = 0;
    INSERT INTO training_counts_by_region (region_code, unit_id, violation_type_id, month, substantiated, pending)
    SELECT NEW.occurred_region, NEW.unit_id, NEW.violation_type_id, NEW.occurred_month, s, p
    FROM (SELECT CASE WHEN NEW.disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END AS s,
                 CASE WHEN NEW.disposition_id IS NULL AND NEW.case_id IS NOT NULL AND NEW.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END AS p)
    WHERE NEW.unit_id IS NOT NULL AND NEW.occurred_month IS NOT NULL AND NEW.occurred_region IS NOT NULL AND s + p > 0
    ON CONFLICT (region_code, unit_id, violation_type_id, month) DO UPDATE
        SET substantiated = substantiated + excluded.substantiated, pending = pending + excluded.pending;
END;

CREATE TRIGGER training_counts_by_region_delete AFTER DELETE ON allegations
    WHEN OLD.unit_id IS NOT NULL AND OLD.occurred_month IS NOT NULL AND OLD.occurred_region IS NOT NULL
BEGIN
    UPDATE training_counts_by_region
    SET substantiated = substantiated - (CASE WHEN OLD.disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END),
        pending = pending - (CASE WHEN OLD.disposition_id IS NULL AND OLD.case_id IS NOT NULL AND OLD.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END)
    WHERE region_code = OLD.occurred_region AND unit_id = OLD.unit_id
      AND violation_type_id = OLD.violation_type_id AND month = OLD.occurred_month;
    DELETE FROM training_counts_by_region
    WHERE region_code = OLD.occurred_region AND unit_id = OLD.unit_id
      AND violation_type_id = OLD.violation_type_id AND month = OLD.occurred_month
      AND substantiated = 0 AND pending = 0;
END;

ANALYZE training_counts_by_region;

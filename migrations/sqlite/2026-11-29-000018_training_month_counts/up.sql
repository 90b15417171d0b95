-- The trainers' counts (issue 12), kept by triggers: allegations tied to a unit, per unit ×
-- violation type × month of the event, in two columns: substantiated findings, and those still
-- under investigation (routed to a case, no finding yet) with confidence confirmed or probable.
-- "Substantiated" evidence reads the first column, "credible" the sum. Counting the allegations
-- themselves (even over the covering index of migration 000012) took about 1 s on PostgreSQL at
-- 1,000,000 reports; this table holds one row per (unit, type, month) with something counted
-- (about 94,000 at 1,000,000 reports) and a row whose two counts fall to zero is deleted, so the
-- table always equals the GROUP BY it replaces (test:
-- training::the_month_counts_stay_right_through_every_change).
--
-- Each trigger takes the old row's share away and adds the new row's. The month comes from
-- allegations.occurred_month, which the triggers of migration 000012 set with an UPDATE (on
-- insert, on a move to another event, when an event's date changes): that UPDATE fires
-- training_counts_update below, so the counts follow the event's month too.
CREATE TABLE training_counts (
    unit_id INTEGER NOT NULL REFERENCES units (id),
    violation_type_id INTEGER NOT NULL REFERENCES violation_types (id),
    month DATE NOT NULL,
    substantiated INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    PRIMARY KEY (unit_id, violation_type_id, month)
);

INSERT INTO training_counts (unit_id, violation_type_id, month, substantiated, pending)
SELECT unit_id, violation_type_id, occurred_month,
       SUM(CASE WHEN disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END),
       SUM(CASE WHEN disposition_id IS NULL AND case_id IS NOT NULL AND confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END)
FROM allegations
WHERE unit_id IS NOT NULL AND occurred_month IS NOT NULL
  AND (disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated')
       OR (disposition_id IS NULL AND case_id IS NOT NULL AND confidence IN ('confirmed', 'probable')))
GROUP BY unit_id, violation_type_id, occurred_month;

CREATE TRIGGER training_counts_insert AFTER INSERT ON allegations
    WHEN NEW.unit_id IS NOT NULL AND NEW.occurred_month IS NOT NULL
BEGIN
    INSERT INTO training_counts (unit_id, violation_type_id, month, substantiated, pending)
    SELECT NEW.unit_id, NEW.violation_type_id, NEW.occurred_month, s, p
    FROM (SELECT CASE WHEN NEW.disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END AS s,
                 CASE WHEN NEW.disposition_id IS NULL AND NEW.case_id IS NOT NULL AND NEW.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END AS p)
    WHERE s + p > 0
    ON CONFLICT (unit_id, violation_type_id, month) DO UPDATE
        SET substantiated = substantiated + excluded.substantiated, pending = pending + excluded.pending;
END;

-- An allegation tied to no unit, before and after, counts nowhere: skipped (every allegation
-- added fires this trigger once, through the month trigger's UPDATE).
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

CREATE TRIGGER training_counts_delete AFTER DELETE ON allegations
    WHEN OLD.unit_id IS NOT NULL AND OLD.occurred_month IS NOT NULL
BEGIN
    UPDATE training_counts
    SET substantiated = substantiated - (CASE WHEN OLD.disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated') THEN 1 ELSE 0 END),
        pending = pending - (CASE WHEN OLD.disposition_id IS NULL AND OLD.case_id IS NOT NULL AND OLD.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END)
    WHERE unit_id = OLD.unit_id AND violation_type_id = OLD.violation_type_id AND month = OLD.occurred_month;
    DELETE FROM training_counts
    WHERE unit_id = OLD.unit_id AND violation_type_id = OLD.violation_type_id AND month = OLD.occurred_month
      AND substantiated = 0 AND pending = 0;
END;

ANALYZE training_counts;

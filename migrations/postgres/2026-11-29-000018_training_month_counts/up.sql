-- The trainers' counts (issue 12), kept by a trigger: allegations tied to a unit, per unit ×
-- violation type × month of the event, in two columns: substantiated findings, and those still
-- under investigation (routed to a case, no finding yet) with confidence confirmed or probable.
-- "Substantiated" evidence reads the first column, "credible" the sum. Counting the allegations
-- themselves (a sequential scan and a hash aggregate spilling to disk, even with the covering
-- index of migration 000012) took about 1 s at 1,000,000 reports; this table holds one row per
-- (unit, type, month) with something counted (about 94,000 at 1,000,000 reports) and a row
-- whose two counts fall to zero is deleted, so the table always equals the GROUP BY it replaces
-- (test: training::the_month_counts_stay_right_through_every_change).
--
-- The trigger takes the old row's share away and adds the new row's. The month comes from
-- allegations.occurred_month (migration 000012): set BEFORE insert or a move to another event
-- (hence event_id in the column list: a column set by a BEFORE trigger does not count as
-- updated), and by an UPDATE when an event's date changes, which fires this trigger too.
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
       COUNT(*) FILTER (WHERE disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated')),
       COUNT(*) FILTER (WHERE disposition_id IS NULL AND case_id IS NOT NULL AND confidence IN ('confirmed', 'probable'))
FROM allegations
WHERE unit_id IS NOT NULL AND occurred_month IS NOT NULL
  AND (disposition_id = (SELECT id FROM dispositions WHERE code = 'substantiated')
       OR (disposition_id IS NULL AND case_id IS NOT NULL AND confidence IN ('confirmed', 'probable')))
GROUP BY unit_id, violation_type_id, occurred_month;

CREATE FUNCTION training_counts_change() RETURNS trigger AS $$
DECLARE
    substantiated_id integer := (SELECT id FROM dispositions WHERE code = 'substantiated');
    s integer;
    p integer;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.unit_id IS NOT NULL AND OLD.occurred_month IS NOT NULL THEN
        s := CASE WHEN OLD.disposition_id = substantiated_id THEN 1 ELSE 0 END;
        p := CASE WHEN OLD.disposition_id IS NULL AND OLD.case_id IS NOT NULL
                       AND OLD.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END;
        IF s + p > 0 THEN
            UPDATE training_counts SET substantiated = substantiated - s, pending = pending - p
            WHERE unit_id = OLD.unit_id AND violation_type_id = OLD.violation_type_id
              AND month = OLD.occurred_month;
            DELETE FROM training_counts
            WHERE unit_id = OLD.unit_id AND violation_type_id = OLD.violation_type_id
              AND month = OLD.occurred_month AND substantiated = 0 AND pending = 0;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.unit_id IS NOT NULL AND NEW.occurred_month IS NOT NULL THEN
        s := CASE WHEN NEW.disposition_id = substantiated_id THEN 1 ELSE 0 END;
        p := CASE WHEN NEW.disposition_id IS NULL AND NEW.case_id IS NOT NULL
                       AND NEW.confidence IN ('confirmed', 'probable') THEN 1 ELSE 0 END;
        IF s + p > 0 THEN
            INSERT INTO training_counts (unit_id, violation_type_id, month, substantiated, pending)
            VALUES (NEW.unit_id, NEW.violation_type_id, NEW.occurred_month, s, p)
            ON CONFLICT (unit_id, violation_type_id, month) DO UPDATE
                SET substantiated = training_counts.substantiated + EXCLUDED.substantiated,
                    pending = training_counts.pending + EXCLUDED.pending;
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER training_counts AFTER INSERT OR DELETE
    OR UPDATE OF unit_id, violation_type_id, occurred_month, disposition_id, case_id, confidence, event_id
    ON allegations FOR EACH ROW EXECUTE FUNCTION training_counts_change();

ANALYZE training_counts;

DROP TRIGGER training_counts_by_region ON allegations;
DROP FUNCTION training_counts_by_region_change();
DROP TABLE training_counts_by_region;
DROP TRIGGER events_region ON events;
DROP FUNCTION events_set_region();

CREATE OR REPLACE FUNCTION allegations_set_month() RETURNS trigger AS $$
BEGIN
    NEW.occurred_month := (SELECT date_trunc('month', events.occurred_on)::date
                           FROM events WHERE events.id = NEW.event_id);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

ALTER TABLE allegations DROP COLUMN occurred_region;

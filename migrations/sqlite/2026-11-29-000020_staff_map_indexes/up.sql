-- The staff map reads every event of a period (about 24,000 in 90 days at 1,000,000 reports)
-- with its point and places: from the index alone. Its group and force filters read the
-- allegations of the period's months, not the whole table.
DROP INDEX events_occurred;
CREATE INDEX events_occurred ON events (occurred_on, lat, lon, region_code, cercle_code);
CREATE INDEX allegations_month ON allegations (occurred_month, violation_type_id, force_id, event_id);

-- The staff analytics count a period's allegations by month, force and unit from the index
-- alone, and find the first report of each case's event from the index alone.
DROP INDEX allegations_month;
CREATE INDEX allegations_month ON allegations (occurred_month, violation_type_id, force_id) INCLUDE (event_id, unit_id);
DROP INDEX reports_event;
CREATE INDEX reports_event ON reports (event_id) INCLUDE (id, force_id, submitted_on);

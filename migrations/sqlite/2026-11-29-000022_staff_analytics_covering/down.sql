DROP INDEX reports_event;
CREATE INDEX reports_event ON reports (event_id, force_id);
DROP INDEX allegations_month;
CREATE INDEX allegations_month ON allegations (occurred_month, violation_type_id, force_id, event_id);

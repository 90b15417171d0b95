DROP INDEX allegations_month_region;
CREATE INDEX allegations_month_region ON allegations (occurred_month, occurred_region, violation_type_id, force_id, event_id);
DROP INDEX allegations_month;
CREATE INDEX allegations_month ON allegations (occurred_month, violation_type_id, force_id) INCLUDE (event_id, unit_id);

-- A case worker's analytics and map count the allegations routed to their institution. The
-- institution an allegation is routed to is `destination_id` (set with its case, in the same
-- update: `triage::model::set_destination`), so the two month indexes carry it and a case
-- worker's counts are read from the index alone, as everyone else's.
DROP INDEX allegations_month;
CREATE INDEX allegations_month ON allegations (occurred_month, violation_type_id, force_id) INCLUDE (event_id, unit_id, destination_id);
DROP INDEX allegations_month_region;
CREATE INDEX allegations_month_region ON allegations (occurred_month, occurred_region, violation_type_id, force_id, event_id) INCLUDE (destination_id);

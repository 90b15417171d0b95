DROP INDEX events_region_date;
DROP INDEX reports_region_date;

-- Duplicate candidates of reports known only by their region (issue 11): the region's reports
-- and events in a date window.
CREATE INDEX reports_region_date ON reports (region_code, occurred_on);
CREATE INDEX events_region_date ON events (region_code, occurred_on);

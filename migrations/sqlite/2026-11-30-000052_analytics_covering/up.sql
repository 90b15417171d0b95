-- The staff analytics at 1M reports: the allegations by region counted from one index (no
-- event read), and the cases opened in a period read from one index (no case row read).
CREATE INDEX allegations_month_region ON allegations (occurred_month, occurred_region, violation_type_id, force_id, event_id);
DROP INDEX cases_opened;
CREATE INDEX cases_opened ON cases (opened_at, institution_id, event_id, closed_at);

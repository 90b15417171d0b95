DROP INDEX allegations_month;
DROP INDEX events_occurred;
CREATE INDEX events_occurred ON events (occurred_on);

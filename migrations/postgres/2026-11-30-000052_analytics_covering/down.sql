DROP INDEX cases_opened;
CREATE INDEX cases_opened ON cases (opened_at, institution_id);
DROP INDEX allegations_month_region;

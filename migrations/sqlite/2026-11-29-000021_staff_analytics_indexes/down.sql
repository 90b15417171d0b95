DROP INDEX cases_closed;
DROP INDEX cases_opened;

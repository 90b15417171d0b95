DROP INDEX cases_institution_open;
DROP INDEX cases_open_by_id;

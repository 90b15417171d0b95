DROP TABLE case_kept_reports;

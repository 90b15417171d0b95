DROP TABLE rate_counts;
DROP TABLE rate_salts;

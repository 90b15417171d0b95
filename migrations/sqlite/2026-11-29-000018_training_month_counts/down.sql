DROP TRIGGER training_counts_delete;
DROP TRIGGER training_counts_update;
DROP TRIGGER training_counts_insert;
DROP TABLE training_counts;

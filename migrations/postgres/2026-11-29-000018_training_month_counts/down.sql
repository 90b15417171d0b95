DROP TRIGGER training_counts ON allegations;
DROP FUNCTION training_counts_change();
DROP TABLE training_counts;

DROP INDEX allegations_training;
DROP TRIGGER events_month;
DROP TRIGGER allegations_month_move;
DROP TRIGGER allegations_month_insert;
ALTER TABLE allegations DROP COLUMN occurred_month;

DROP INDEX allegations_training;
DROP TRIGGER events_month ON events;
DROP FUNCTION events_set_month();
DROP TRIGGER allegations_month ON allegations;
DROP FUNCTION allegations_set_month();
ALTER TABLE allegations DROP COLUMN occurred_month;

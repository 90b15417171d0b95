DROP TABLE sms_outbox;
DROP TABLE channel_contacts;
DROP TABLE report_channels;
DROP TABLE channel_sessions;
DROP TABLE channel_salts;

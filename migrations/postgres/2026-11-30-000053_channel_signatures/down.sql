DROP TABLE channel_signatures;

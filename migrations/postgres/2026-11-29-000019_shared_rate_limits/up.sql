-- Issue 14: the public side's hourly limits (reports per client, receipt tries, evidence bytes)
-- counted across instances. Used on PostgreSQL, where several instances share one database;
-- SQLite keeps them in memory (one machine), so these tables stay empty there.
-- Privacy: a client is a salted SHA-256 of its network (never the address), under the
-- salt of the hour, which is random, replaced every hour and deleted with its counters.
CREATE TABLE rate_salts (
    window_start BIGINT PRIMARY KEY NOT NULL,
    salt TEXT NOT NULL
);
CREATE TABLE rate_counts (
    window_start BIGINT NOT NULL,
    client_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'receipt', 'upload')),
    n BIGINT NOT NULL,
    PRIMARY KEY (window_start, client_key, kind)
);

-- Issue 14: the staff doors' per-client throttles (sign-in tries per 15 minutes, forgot-password
-- requests per hour) and the unknown-email slowdown counted across instances, in the counters
-- of 000019. Used on PostgreSQL; SQLite keeps them in memory, and its table (empty) only
-- follows the same rule. SQLite cannot change a CHECK in place: the table is rebuilt.
CREATE TABLE rate_counts_new (
    window_start BIGINT NOT NULL,
    client_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'receipt', 'upload', 'sign_in', 'forgot', 'unknown_email')),
    n BIGINT NOT NULL,
    PRIMARY KEY (window_start, client_key, kind)
);
INSERT INTO rate_counts_new SELECT window_start, client_key, kind, n FROM rate_counts;
DROP TABLE rate_counts;
ALTER TABLE rate_counts_new RENAME TO rate_counts;

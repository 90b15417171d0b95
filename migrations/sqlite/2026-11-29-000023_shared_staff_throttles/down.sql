CREATE TABLE rate_counts_old (
    window_start BIGINT NOT NULL,
    client_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'receipt', 'upload')),
    n BIGINT NOT NULL,
    PRIMARY KEY (window_start, client_key, kind)
);
INSERT INTO rate_counts_old SELECT window_start, client_key, kind, n FROM rate_counts
    WHERE kind IN ('report', 'receipt', 'upload');
DROP TABLE rate_counts;
ALTER TABLE rate_counts_old RENAME TO rate_counts;

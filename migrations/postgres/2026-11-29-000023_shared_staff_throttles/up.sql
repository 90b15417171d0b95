-- Issue 14: the staff doors' per-client throttles (sign-in tries per 15 minutes, forgot-password
-- requests per hour) and the unknown-email slowdown counted across instances, in the counters
-- of 000019, under the same salt of the hour. PostgreSQL only; SQLite keeps them in memory.
ALTER TABLE rate_counts DROP CONSTRAINT rate_counts_kind_check;
ALTER TABLE rate_counts ADD CONSTRAINT rate_counts_kind_check
    CHECK (kind IN ('report', 'receipt', 'upload', 'sign_in', 'forgot', 'unknown_email'));

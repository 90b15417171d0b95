DELETE FROM rate_counts WHERE kind IN ('sign_in', 'forgot', 'unknown_email');
ALTER TABLE rate_counts DROP CONSTRAINT rate_counts_kind_check;
ALTER TABLE rate_counts ADD CONSTRAINT rate_counts_kind_check
    CHECK (kind IN ('report', 'receipt', 'upload'));

-- Issue 15: an evidence file's stored bytes (the original, sealed or in clear) are kept in
-- pieces of at most 1 MiB, written and read one at a time, so that a 25 MB file is sealed,
-- stored and checked in constant memory. `seq` orders the pieces (0, 1, 2, …); the stored bytes
-- are their concatenation. Files already stored become one piece each.
CREATE TABLE attachment_pieces (
    attachment_id INTEGER NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (attachment_id, seq)
);
INSERT INTO attachment_pieces (attachment_id, seq, data) SELECT id, 0, data FROM attachments;
ALTER TABLE attachments DROP COLUMN data;

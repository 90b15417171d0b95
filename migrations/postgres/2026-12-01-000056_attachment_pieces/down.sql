ALTER TABLE attachments ADD COLUMN data BYTEA NOT NULL DEFAULT '\x';
UPDATE attachments SET data = coalesce((
    SELECT string_agg(p.data, ''::bytea ORDER BY p.seq)
    FROM attachment_pieces p WHERE p.attachment_id = attachments.id), '\x');
DROP TABLE attachment_pieces;

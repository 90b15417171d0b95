ALTER TABLE attachments ADD COLUMN data BLOB NOT NULL DEFAULT X'';
UPDATE attachments SET data = coalesce((
    SELECT CAST(group_concat(CAST(p.data AS TEXT), '' ORDER BY p.seq) AS BLOB)
    FROM attachment_pieces p WHERE p.attachment_id = attachments.id), X'');
DROP TABLE attachment_pieces;

-- Issue 15: once the keys are set up (`vigie keys init` made the intake desk's group key), the
-- columns that held protected text in clear can no longer receive it. The columns stay (an
-- installation before `keys init` files in clear, and `keys seal` empties them), but the
-- database itself refuses, whatever the code above it does:
-- - a report filed unsealed after the keys exist, or a sealed report with a narrative, victim
--   details, a name, a contact or a person filed for in clear, or a point finer than its
--   0.01° cell; a sealed report made unsealed;
-- - a message of a sealed report, or a file's transcription or translation, in clear; a file
--   linked to a sealed report whose bytes are not sealed;
-- - a case note or a finding's reasoning in clear once the keys exist.
CREATE TRIGGER reports_sealed_only_insert BEFORE INSERT ON reports
WHEN (NEW.sealed IS NULL AND EXISTS (SELECT 1 FROM group_keys WHERE group_code = 'intake'))
  OR (NEW.sealed IS NOT NULL AND (NEW.narrative <> '' OR NEW.victim_details <> ''
      OR NEW.reporter_name IS NOT NULL OR NEW.reporter_contact IS NOT NULL
      OR (NEW.on_behalf_of IS NOT NULL AND substr(NEW.on_behalf_of, 1, 5) <> 'box1:')
      OR abs(NEW.lat * 100 - round(NEW.lat * 100)) > 0.000001
      OR abs(NEW.lon * 100 - round(NEW.lon * 100)) > 0.000001))
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;
CREATE TRIGGER reports_sealed_only_update BEFORE UPDATE ON reports
WHEN (OLD.sealed IS NOT NULL AND NEW.sealed IS NULL)
  OR (NEW.sealed IS NOT NULL AND (NEW.narrative <> '' OR NEW.victim_details <> ''
      OR NEW.reporter_name IS NOT NULL OR NEW.reporter_contact IS NOT NULL
      OR (NEW.on_behalf_of IS NOT NULL AND substr(NEW.on_behalf_of, 1, 5) <> 'box1:')
      OR abs(NEW.lat * 100 - round(NEW.lat * 100)) > 0.000001
      OR abs(NEW.lon * 100 - round(NEW.lon * 100)) > 0.000001))
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;
CREATE TRIGGER messages_sealed_only_insert BEFORE INSERT ON messages
WHEN NEW.body <> '' AND substr(NEW.body, 1, 3) <> 'm1:'
  AND EXISTS (SELECT 1 FROM reports WHERE id = NEW.report_id AND sealed IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;
CREATE TRIGGER messages_sealed_only_update BEFORE UPDATE OF body, report_id ON messages
WHEN NEW.body <> '' AND substr(NEW.body, 1, 3) <> 'm1:'
  AND EXISTS (SELECT 1 FROM reports WHERE id = NEW.report_id AND sealed IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;
CREATE TRIGGER attachments_sealed_only_insert BEFORE INSERT ON attachments
WHEN EXISTS (SELECT 1 FROM reports WHERE id = NEW.report_id AND sealed IS NOT NULL)
  AND (NEW.stored_sha256 IS NULL
       OR (coalesce(NEW.transcription, '') <> '' AND substr(NEW.transcription, 1, 3) <> 'm1:')
       OR (coalesce(NEW.translation, '') <> '' AND substr(NEW.translation, 1, 3) <> 'm1:'))
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;
CREATE TRIGGER attachments_sealed_only_update
BEFORE UPDATE OF report_id, stored_sha256, transcription, translation ON attachments
WHEN EXISTS (SELECT 1 FROM reports WHERE id = NEW.report_id AND sealed IS NOT NULL)
  AND (NEW.stored_sha256 IS NULL
       OR (coalesce(NEW.transcription, '') <> '' AND substr(NEW.transcription, 1, 3) <> 'm1:')
       OR (coalesce(NEW.translation, '') <> '' AND substr(NEW.translation, 1, 3) <> 'm1:'))
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;
CREATE TRIGGER case_notes_sealed_only_insert BEFORE INSERT ON case_notes
WHEN NEW.body <> '' AND substr(NEW.body, 1, 4) <> 'gs1:'
  AND EXISTS (SELECT 1 FROM group_keys WHERE group_code = 'intake')
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;
CREATE TRIGGER case_notes_sealed_only_update BEFORE UPDATE OF body ON case_notes
WHEN NEW.body <> '' AND substr(NEW.body, 1, 4) <> 'gs1:'
  AND EXISTS (SELECT 1 FROM group_keys WHERE group_code = 'intake')
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;
CREATE TRIGGER findings_sealed_only_insert BEFORE INSERT ON allegations
WHEN coalesce(NEW.finding_reasoning, '') <> '' AND substr(NEW.finding_reasoning, 1, 4) <> 'gs1:'
  AND EXISTS (SELECT 1 FROM group_keys WHERE group_code = 'intake')
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;
CREATE TRIGGER findings_sealed_only_update BEFORE UPDATE OF finding_reasoning ON allegations
WHEN coalesce(NEW.finding_reasoning, '') <> '' AND substr(NEW.finding_reasoning, 1, 4) <> 'gs1:'
  AND EXISTS (SELECT 1 FROM group_keys WHERE group_code = 'intake')
BEGIN
    SELECT RAISE(ABORT, 'vigie: protected fields must be sealed once the keys are set up');
END;

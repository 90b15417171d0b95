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
CREATE FUNCTION vigie_keys_set_up() RETURNS boolean AS $$
    SELECT EXISTS (SELECT 1 FROM group_keys WHERE group_code = 'intake');
$$ LANGUAGE sql STABLE;

CREATE FUNCTION vigie_report_sealed(id integer) RETURNS boolean AS $$
    SELECT EXISTS (SELECT 1 FROM reports r WHERE r.id = $1 AND r.sealed IS NOT NULL);
$$ LANGUAGE sql STABLE;

CREATE FUNCTION vigie_in_clear(v text, prefix text) RETURNS boolean AS $$
    SELECT coalesce(v, '') <> '' AND substr(v, 1, length(prefix)) <> prefix;
$$ LANGUAGE sql IMMUTABLE;

CREATE FUNCTION vigie_sealed_only_reports() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.sealed IS NULL AND vigie_keys_set_up() THEN
            RAISE EXCEPTION 'vigie: protected fields must be sealed once the keys are set up';
        END IF;
    ELSIF OLD.sealed IS NOT NULL AND NEW.sealed IS NULL THEN
        RAISE EXCEPTION 'vigie: protected fields must be sealed once the keys are set up';
    END IF;
    IF NEW.sealed IS NOT NULL AND (NEW.narrative <> '' OR NEW.victim_details <> ''
        OR NEW.reporter_name IS NOT NULL OR NEW.reporter_contact IS NOT NULL
        OR vigie_in_clear(NEW.on_behalf_of, 'box1:')
        OR coalesce(abs(NEW.lat * 100 - round(NEW.lat * 100)) > 0.000001, false)
        OR coalesce(abs(NEW.lon * 100 - round(NEW.lon * 100)) > 0.000001, false)) THEN
        RAISE EXCEPTION 'vigie: protected fields must be sealed once the keys are set up';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_sealed_only BEFORE INSERT OR UPDATE ON reports
    FOR EACH ROW EXECUTE FUNCTION vigie_sealed_only_reports();

CREATE FUNCTION vigie_sealed_only_messages() RETURNS trigger AS $$
BEGIN
    IF vigie_in_clear(NEW.body, 'm1:') AND vigie_report_sealed(NEW.report_id) THEN
        RAISE EXCEPTION 'vigie: protected fields must be sealed once the keys are set up';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER messages_sealed_only BEFORE INSERT OR UPDATE OF body, report_id ON messages
    FOR EACH ROW EXECUTE FUNCTION vigie_sealed_only_messages();

CREATE FUNCTION vigie_sealed_only_attachments() RETURNS trigger AS $$
BEGIN
    IF NEW.report_id IS NOT NULL AND vigie_report_sealed(NEW.report_id)
        AND (NEW.stored_sha256 IS NULL OR vigie_in_clear(NEW.transcription, 'm1:')
             OR vigie_in_clear(NEW.translation, 'm1:')) THEN
        RAISE EXCEPTION 'vigie: protected fields must be sealed once the keys are set up';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER attachments_sealed_only
    BEFORE INSERT OR UPDATE OF report_id, stored_sha256, transcription, translation ON attachments
    FOR EACH ROW EXECUTE FUNCTION vigie_sealed_only_attachments();

CREATE FUNCTION vigie_sealed_only_case_notes() RETURNS trigger AS $$
BEGIN
    IF vigie_in_clear(NEW.body, 'gs1:') AND vigie_keys_set_up() THEN
        RAISE EXCEPTION 'vigie: protected fields must be sealed once the keys are set up';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_notes_sealed_only BEFORE INSERT OR UPDATE OF body ON case_notes
    FOR EACH ROW EXECUTE FUNCTION vigie_sealed_only_case_notes();

CREATE FUNCTION vigie_sealed_only_findings() RETURNS trigger AS $$
BEGIN
    IF vigie_in_clear(NEW.finding_reasoning, 'gs1:') AND vigie_keys_set_up() THEN
        RAISE EXCEPTION 'vigie: protected fields must be sealed once the keys are set up';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER findings_sealed_only BEFORE INSERT OR UPDATE OF finding_reasoning ON allegations
    FOR EACH ROW EXECUTE FUNCTION vigie_sealed_only_findings();

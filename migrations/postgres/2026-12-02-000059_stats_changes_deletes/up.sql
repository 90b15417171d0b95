-- A counted row deleted changes the public statistics too: a case withdrawn when an override
-- leaves it without allegations (cases::model::after_rerouting), an allegation removed. The
-- data version read from the largest ids did not move on a delete, so a withdrawn case stayed
-- in the published figures until the process restarted.
CREATE TRIGGER stats_changes_cases_deleted AFTER DELETE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed();

CREATE TRIGGER stats_changes_allegations_deleted AFTER DELETE ON allegations
    FOR EACH STATEMENT EXECUTE FUNCTION stats_changed();

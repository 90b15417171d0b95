-- Removes the seed data of up.sql, children first. Same file for SQLite and PostgreSQL.
-- Mappings and routing rules that point at seeded rows go too (they could not outlive them).

DELETE FROM violation_modules
WHERE violation_type_id IN (
        SELECT vt.id FROM violation_types vt JOIN violation_groups g ON g.id = vt.group_id
        WHERE g.code IN ('life', 'integrity', 'sexual', 'liberty', 'due_process', 'property', 'movement', 'expression', 'children', 'obstruction', 'discrimination', 'maladministration'))
   OR module_id IN (
        SELECT id FROM training_modules
        WHERE code IN ('crowd_control_force', 'distinction_proportionality', 'checkpoint_conduct', 'captured_persons', 'investigative_interviewing', 'arrest_procedure', 'detention_registers', 'custody_management', 'sexual_violence_prevention', 'protection_of_civilians', 'children_armed_groups', 'non_discrimination', 'complaint_handling', 'command_responsibility'));

DELETE FROM violation_norms
WHERE violation_type_id IN (
        SELECT vt.id FROM violation_types vt JOIN violation_groups g ON g.id = vt.group_id
        WHERE g.code IN ('life', 'integrity', 'sexual', 'liberty', 'due_process', 'property', 'movement', 'expression', 'children', 'obstruction', 'discrimination', 'maladministration'))
   OR norm_id IN (
        SELECT id FROM training_norms
        WHERE code IN ('un_bpuff', 'ccleo', 'cat_1', 'cat_2', 'cat_10_16', 'ced_17', 'ced_23', 'iccpr_6', 'iccpr_7', 'iccpr_9', 'iccpr_10', 'iccpr_14', 'iccpr_26', 'achpr_4', 'achpr_5', 'achpr_6', 'achpr_7', 'luanda', 'robben_island', 'ihl_1', 'ihl_7', 'ihl_11', 'ihl_14', 'ihl_15', 'ihl_47', 'ihl_50', 'ihl_52', 'ihl_87', 'ihl_88', 'ihl_89', 'ihl_90', 'ihl_93', 'ihl_98', 'ihl_99', 'ihl_103', 'ihl_117', 'ihl_118', 'ihl_129', 'ihl_135', 'ihl_136', 'ihl_137', 'ihl_152', 'ihl_153', 'ihl_154', 'ihl_155'));

DELETE FROM routing_rules
WHERE destination_id IN (
    SELECT id FROM institutions WHERE code IN ('cndh', 'mediateur', 'prosecutor', 'military_justice'));

DELETE FROM violation_types
WHERE group_id IN (
    SELECT id FROM violation_groups
    WHERE code IN ('life', 'integrity', 'sexual', 'liberty', 'due_process', 'property', 'movement', 'expression', 'children', 'obstruction', 'discrimination', 'maladministration'));

DELETE FROM violation_groups
WHERE code IN ('life', 'integrity', 'sexual', 'liberty', 'due_process', 'property', 'movement', 'expression', 'children', 'obstruction', 'discrimination', 'maladministration');

DELETE FROM training_modules
WHERE code IN ('crowd_control_force', 'distinction_proportionality', 'checkpoint_conduct', 'captured_persons', 'investigative_interviewing', 'arrest_procedure', 'detention_registers', 'custody_management', 'sexual_violence_prevention', 'protection_of_civilians', 'children_armed_groups', 'non_discrimination', 'complaint_handling', 'command_responsibility');

DELETE FROM training_norms
WHERE code IN ('un_bpuff', 'ccleo', 'cat_1', 'cat_2', 'cat_10_16', 'ced_17', 'ced_23', 'iccpr_6', 'iccpr_7', 'iccpr_9', 'iccpr_10', 'iccpr_14', 'iccpr_26', 'achpr_4', 'achpr_5', 'achpr_6', 'achpr_7', 'luanda', 'robben_island', 'ihl_1', 'ihl_7', 'ihl_11', 'ihl_14', 'ihl_15', 'ihl_47', 'ihl_50', 'ihl_52', 'ihl_87', 'ihl_88', 'ihl_89', 'ihl_90', 'ihl_93', 'ihl_98', 'ihl_99', 'ihl_103', 'ihl_117', 'ihl_118', 'ihl_129', 'ihl_135', 'ihl_136', 'ihl_137', 'ihl_152', 'ihl_153', 'ihl_154', 'ihl_155');

DELETE FROM case_statuses
WHERE code IN ('received', 'acknowledged', 'triage', 'inadmissible', 'duplicate', 'out_of_scope', 'assigned', 'investigation', 'findings', 'recommendation_sent', 'awaiting_response', 'response_received', 'follow_up', 'closed', 'suspended', 'reopened');

DELETE FROM dispositions
WHERE code IN ('substantiated', 'not_substantiated', 'unfounded', 'exonerated', 'perpetrator_unidentified', 'closed_withdrawn', 'closed_courts', 'mediation');

DELETE FROM forces
WHERE code IN ('fama_army', 'fama_air', 'gendarmerie', 'national_guard', 'police', 'civil_protection', 'intelligence', 'other_state', 'auxiliaries', 'foreign_military', 'unidentified_uniform', 'unknown');

DELETE FROM institutions
WHERE code IN ('cndh', 'mediateur', 'prosecutor', 'military_justice');

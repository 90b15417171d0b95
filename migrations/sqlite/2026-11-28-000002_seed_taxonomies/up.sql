-- Vigie seed data: institutions, taxonomies, workflow statuses, training norms and modules,
-- their mappings to violation types, and the routing rules of docs/DOMAIN.md.
-- The same file runs on SQLite and PostgreSQL: no explicit ids (PostgreSQL uses SERIAL),
-- foreign keys resolved by code, booleans as TRUE/FALSE.
-- Codes are fixed (the application relies on them); labels may be edited by admins.

-- Institutions ----------------------------------------------------------------------------

INSERT INTO institutions (code, name_fr, name_en, kind) VALUES
    ('cndh', 'Commission nationale des droits de l''homme (CNDH)', 'National Human Rights Commission (CNDH)', 'oversight'),
    ('mediateur', 'Médiateur de la République', 'Ombudsman of the Republic (Médiateur de la République)', 'ombudsman'),
    ('prosecutor', 'Procureur de la République', 'Public Prosecutor', 'justice'),
    ('military_justice', 'Tribunal militaire / justice militaire', 'Military court / military justice', 'justice');

-- Violation groups (icon = SVG symbol "i-<icon>" in static/icons.svg) ----------------------

INSERT INTO violation_groups (code, position, icon, label_fr, label_en) VALUES
    ('life', 1, 'life', 'Meurtres et morts', 'Killings and deaths'),
    ('integrity', 2, 'integrity', 'Torture, coups et menaces', 'Torture, beatings and threats'),
    ('sexual', 3, 'sexual', 'Violences sexuelles', 'Sexual violence'),
    ('liberty', 4, 'liberty', 'Arrestations et disparitions', 'Arrests and disappearances'),
    ('due_process', 5, 'due_process', 'Droits en détention', 'Rights in detention'),
    ('property', 6, 'property', 'Biens : vol, destruction, racket', 'Property: theft, destruction, extortion'),
    ('movement', 7, 'movement', 'Déplacement forcé et blocus', 'Forced displacement and blockades'),
    ('expression', 8, 'expression', 'Manifestations, presse et opinions', 'Protests, press and opinions'),
    ('children', 9, 'children', 'Enfants', 'Children'),
    ('obstruction', 10, 'obstruction', 'Plainte empêchée, représailles', 'Complaint blocked, reprisals'),
    ('discrimination', 11, 'discrimination', 'Discrimination', 'Discrimination'),
    ('maladministration', 12, 'maladministration', 'Mauvais service de l''administration', 'Poor public service');

-- Violation types ---------------------------------------------------------------------------
-- Plain, short labels: about a third of adults read. huridocs_code is left NULL until the
-- HURIDOCS "Types of Acts" codes are checked against the thesaurus itself.

WITH t (group_code, code, pos, label_fr, label_en) AS (VALUES
    ('life', 'life.extrajudicial_execution', 1, 'Tué sans jugement (exécution)', 'Killed without trial (execution)'),
    ('life', 'life.death_in_custody', 2, 'Mort en détention', 'Died in detention'),
    ('life', 'life.crowd_control_killing', 3, 'Tué pendant une manifestation', 'Killed during a protest or gathering'),
    ('life', 'life.indiscriminate_fire', 4, 'Civils tués par des tirs ou des frappes', 'Civilians killed by shooting or strikes'),
    ('life', 'life.death_after_torture', 5, 'Mort après torture', 'Died after torture'),
    ('life', 'life.attempted_killing', 6, 'Tentative de meurtre', 'Attempt to kill'),
    ('integrity', 'integrity.torture', 1, 'Torture', 'Torture'),
    ('integrity', 'integrity.cruel_treatment', 2, 'Traitement cruel ou humiliant', 'Cruel or humiliating treatment'),
    ('integrity', 'integrity.beating', 3, 'Coups ou force excessive', 'Beating or too much force'),
    ('integrity', 'integrity.threats', 4, 'Menaces de mort, intimidation', 'Death threats, intimidation'),
    ('integrity', 'integrity.collective_punishment', 5, 'Punition de tout un village ou d''une famille', 'Punishment of a whole village or family'),
    ('sexual', 'sexual.rape', 1, 'Viol', 'Rape'),
    ('sexual', 'sexual.assault', 2, 'Agression sexuelle', 'Sexual assault'),
    ('sexual', 'sexual.harassment', 3, 'Harcèlement sexuel', 'Sexual harassment'),
    ('sexual', 'sexual.other', 4, 'Autre violence sexuelle (mise à nu forcée…)', 'Other sexual violence (forced nudity…)'),
    ('liberty', 'liberty.arbitrary_arrest', 1, 'Arrestation sans raison légale', 'Arrest without legal reason'),
    ('liberty', 'liberty.arbitrary_detention', 2, 'Détenu illégalement ou en secret', 'Held unlawfully or in secret'),
    ('liberty', 'liberty.enforced_disappearance', 3, 'Arrêté puis disparu (disparition forcée)', 'Arrested, then missing (enforced disappearance)'),
    ('liberty', 'liberty.abduction', 4, 'Enlèvement', 'Abduction, kidnapping'),
    ('liberty', 'liberty.mass_roundup', 5, 'Rafle (arrestations en masse)', 'Round-up (mass arrests)'),
    ('due_process', 'due_process.denied_lawyer', 1, 'Pas d''avocat', 'No lawyer allowed'),
    ('due_process', 'due_process.forced_confession', 2, 'Aveux forcés', 'Forced to confess'),
    ('due_process', 'due_process.detention_conditions', 3, 'Mauvaises conditions de détention', 'Bad conditions in detention'),
    ('due_process', 'due_process.denied_medical_care', 4, 'Privé de soins', 'No medical care'),
    ('due_process', 'due_process.family_not_notified', 5, 'Famille non prévenue', 'Family not told'),
    ('due_process', 'due_process.custody_limit_exceeded', 6, 'Gardé trop longtemps sans juge', 'Held too long without a judge'),
    ('property', 'property.looting', 1, 'Pillage ou vol', 'Looting or theft'),
    ('property', 'property.destruction', 2, 'Biens détruits ou brûlés', 'Property destroyed or burned'),
    ('property', 'property.extortion', 3, 'Racket, argent exigé (postes de contrôle)', 'Extortion, money demanded (checkpoints)'),
    ('property', 'property.confiscation', 4, 'Biens saisis sans raison', 'Property seized without reason'),
    ('movement', 'movement.forced_displacement', 1, 'Chassés de chez eux', 'Forced to leave home'),
    ('movement', 'movement.blockade', 2, 'Blocus, passage interdit', 'Blockade, passage blocked'),
    ('expression', 'expression.violent_dispersal', 1, 'Rassemblement dispersé avec violence', 'Gathering broken up with violence'),
    ('expression', 'expression.journalist_arrest', 2, 'Journaliste ou militant arrêté', 'Journalist or activist arrested'),
    ('children', 'children.killing_maiming', 1, 'Enfant tué ou blessé', 'Child killed or injured'),
    ('children', 'children.recruitment', 2, 'Enfant recruté ou utilisé (soldat, porteur…)', 'Child recruited or used (soldier, carrier…)'),
    ('children', 'children.sexual_violence', 3, 'Violence sexuelle sur un enfant', 'Sexual violence against a child'),
    ('children', 'children.abduction', 4, 'Enfant enlevé', 'Child abducted'),
    ('children', 'children.attack_school_hospital', 5, 'Attaque d''une école ou d''un hôpital', 'Attack on a school or hospital'),
    ('obstruction', 'obstruction.complaint_refused', 1, 'Plainte refusée', 'Complaint refused'),
    ('obstruction', 'obstruction.reprisals', 2, 'Représailles contre un plaignant ou un témoin', 'Reprisals against a complainant or witness'),
    ('obstruction', 'obstruction.cndh_access_denied', 3, 'CNDH empêchée de visiter un lieu de détention', 'CNDH kept out of a place of detention'),
    ('discrimination', 'discrimination.profiling', 1, 'Visé à cause de son ethnie ou de sa communauté', 'Targeted for ethnic group or community'),
    ('maladministration', 'maladministration.refusal_of_service', 1, 'Service refusé', 'Service refused'),
    ('maladministration', 'maladministration.undue_delay', 2, 'Attente trop longue, dossier bloqué', 'Waiting too long, file stuck'),
    ('maladministration', 'maladministration.confiscated_documents', 3, 'Papiers confisqués (carte, permis…)', 'Papers taken away (ID card, licence…)'),
    ('maladministration', 'maladministration.court_decision_not_executed', 4, 'Décision de justice non appliquée', 'Court decision not carried out')
)
INSERT INTO violation_types (code, group_id, position, label_fr, label_en, huridocs_code, active)
SELECT t.code, g.id, t.pos, t.label_fr, t.label_en, NULL, TRUE
FROM t JOIN violation_groups g ON g.code = t.group_code
ORDER BY g.position, t.pos;

-- Forces ------------------------------------------------------------------------------------

INSERT INTO forces (code, position, label_fr, label_en, active) VALUES
    ('fama_army', 1, 'Armée de terre (FAMa)', 'Army (FAMa)', TRUE),
    ('fama_air', 2, 'Armée de l''air (FAMa)', 'Air Force (FAMa)', TRUE),
    ('gendarmerie', 3, 'Gendarmerie nationale', 'National Gendarmerie', TRUE),
    ('national_guard', 4, 'Garde nationale', 'National Guard', TRUE),
    ('police', 5, 'Police nationale', 'National Police', TRUE),
    ('civil_protection', 6, 'Protection civile', 'Civil Protection', TRUE),
    ('intelligence', 7, 'Services de renseignement', 'Intelligence services', TRUE),
    ('other_state', 8, 'Autres agents armés de l''État (douane, eaux et forêts)', 'Other armed state agents (customs, forestry)', TRUE),
    ('auxiliaries', 9, 'Milices ou supplétifs avec les FDS', 'Militias or auxiliaries with the FDS', TRUE),
    ('foreign_military', 10, 'Militaires étrangers', 'Foreign soldiers', TRUE),
    ('unidentified_uniform', 11, 'Hommes armés en uniforme, non identifiés', 'Unidentified armed men in uniform', TRUE),
    ('unknown', 12, 'Je ne sais pas', 'I don''t know', TRUE);

-- Dispositions (per allegation, after investigation) ----------------------------------------

INSERT INTO dispositions (code, position, label_fr, label_en) VALUES
    ('substantiated', 1, 'Fondée (faits établis)', 'Substantiated'),
    ('not_substantiated', 2, 'Non établie (preuves insuffisantes)', 'Not substantiated (insufficient evidence)'),
    ('unfounded', 3, 'Sans fondement (les faits n''ont pas eu lieu)', 'Unfounded (did not happen)'),
    ('exonerated', 4, 'Mise hors de cause (faits réels mais légaux)', 'Exonerated (happened, but lawful)'),
    ('perpetrator_unidentified', 5, 'Auteur non identifié', 'Perpetrator unidentified'),
    ('closed_withdrawn', 6, 'Classée : plaignant injoignable ou désistement', 'Closed: complainant unavailable or withdrew'),
    ('closed_courts', 7, 'Classée : affaire devant la justice', 'Closed: before the courts'),
    ('mediation', 8, 'Réglée par médiation', 'Resolved by mediation');

-- Case statuses; public_code is the status a reporter sees (reports.status) -----------------

INSERT INTO case_statuses (code, position, label_fr, label_en, public_code) VALUES
    ('received', 1, 'Reçu', 'Received', 'received'),
    ('acknowledged', 2, 'Accusé de réception envoyé', 'Acknowledged', 'received'),
    ('triage', 3, 'En cours de tri', 'In triage', 'under_review'),
    ('inadmissible', 4, 'Irrecevable', 'Inadmissible', 'closed'),
    ('duplicate', 5, 'Doublon (fusionné)', 'Duplicate (merged)', 'closed'),
    ('out_of_scope', 6, 'Hors compétence (orienté ailleurs)', 'Out of scope (referred elsewhere)', 'closed'),
    ('assigned', 7, 'Attribué', 'Assigned', 'forwarded'),
    ('investigation', 8, 'Enquête en cours', 'Under investigation', 'investigation'),
    ('findings', 9, 'Constatations établies', 'Findings recorded', 'investigation'),
    ('recommendation_sent', 10, 'Recommandation envoyée', 'Recommendation sent', 'investigation'),
    ('awaiting_response', 11, 'En attente de réponse', 'Awaiting response', 'investigation'),
    ('response_received', 12, 'Réponse reçue', 'Response received', 'investigation'),
    ('follow_up', 13, 'Suivi de la mise en œuvre', 'Implementation follow-up', 'investigation'),
    ('closed', 14, 'Clos', 'Closed', 'closed'),
    ('suspended', 15, 'Suspendu', 'Suspended', 'investigation'),
    ('reopened', 16, 'Rouvert', 'Reopened', 'investigation');

-- Training norms ----------------------------------------------------------------------------
-- instrument is a language-neutral code grouping the norms of one instrument.

INSERT INTO training_norms (code, instrument, label_fr, label_en) VALUES
    ('un_bpuff', 'un_bpuff', 'Principes de base des Nations Unies sur le recours à la force et l''utilisation des armes à feu par les responsables de l''application des lois (1990)', 'UN Basic Principles on the Use of Force and Firearms by Law Enforcement Officials (1990)'),
    ('ccleo', 'ccleo', 'Code de conduite des Nations Unies pour les responsables de l''application des lois (1979)', 'UN Code of Conduct for Law Enforcement Officials (1979)'),
    ('cat_1', 'cat', 'Convention contre la torture, art. 1 : définition de la torture', 'Convention against Torture, art. 1: definition of torture'),
    ('cat_2', 'cat', 'Convention contre la torture, art. 2 : interdiction absolue ; ni circonstance exceptionnelle ni ordre d''un supérieur ne la justifient', 'Convention against Torture, art. 2: absolute prohibition; no exceptional circumstance or superior order justifies torture'),
    ('cat_10_16', 'cat', 'Convention contre la torture, art. 10 à 16 : formation, règles d''interrogatoire, enquête, plainte et protection des plaignants, réparation, aveux obtenus par la torture exclus, mauvais traitements', 'Convention against Torture, arts 10–16: training, interrogation rules, investigation, complaints and protection of complainants, redress, exclusion of statements made under torture, ill-treatment'),
    ('ced_17', 'ced', 'Convention sur les disparitions forcées, art. 17 : pas de détention secrète, registres officiels des personnes privées de liberté', 'Convention on Enforced Disappearance, art. 17: no secret detention, official registers of persons deprived of liberty'),
    ('ced_23', 'ced', 'Convention sur les disparitions forcées, art. 23 : formation des agents, interdiction des ordres de disparition, signalement', 'Convention on Enforced Disappearance, art. 23: training of officials, orders prescribing disappearance prohibited, reporting'),
    ('iccpr_6', 'iccpr', 'Pacte international relatif aux droits civils et politiques, art. 6 : droit à la vie', 'International Covenant on Civil and Political Rights, art. 6: right to life'),
    ('iccpr_7', 'iccpr', 'Pacte international relatif aux droits civils et politiques, art. 7 : interdiction de la torture et des traitements cruels, inhumains ou dégradants', 'International Covenant on Civil and Political Rights, art. 7: prohibition of torture and cruel, inhuman or degrading treatment'),
    ('iccpr_9', 'iccpr', 'Pacte international relatif aux droits civils et politiques, art. 9 : liberté et sécurité, ni arrestation ni détention arbitraire', 'International Covenant on Civil and Political Rights, art. 9: liberty and security, no arbitrary arrest or detention'),
    ('iccpr_10', 'iccpr', 'Pacte international relatif aux droits civils et politiques, art. 10 : traitement humain des personnes privées de liberté', 'International Covenant on Civil and Political Rights, art. 10: humane treatment of persons deprived of liberty'),
    ('iccpr_14', 'iccpr', 'Pacte international relatif aux droits civils et politiques, art. 14 : procès équitable', 'International Covenant on Civil and Political Rights, art. 14: fair trial'),
    ('iccpr_26', 'iccpr', 'Pacte international relatif aux droits civils et politiques, art. 26 : égalité devant la loi, non-discrimination', 'International Covenant on Civil and Political Rights, art. 26: equality before the law, non-discrimination'),
    ('achpr_4', 'achpr', 'Charte africaine des droits de l''homme et des peuples, art. 4 : droit à la vie et à l''intégrité de la personne', 'African Charter on Human and Peoples'' Rights, art. 4: right to life and integrity of the person'),
    ('achpr_5', 'achpr', 'Charte africaine des droits de l''homme et des peuples, art. 5 : dignité, interdiction de la torture et des traitements cruels, inhumains ou dégradants', 'African Charter on Human and Peoples'' Rights, art. 5: dignity, prohibition of torture and cruel, inhuman or degrading treatment'),
    ('achpr_6', 'achpr', 'Charte africaine des droits de l''homme et des peuples, art. 6 : liberté et sécurité, ni arrestation ni détention arbitraire', 'African Charter on Human and Peoples'' Rights, art. 6: liberty and security, no arbitrary arrest or detention'),
    ('achpr_7', 'achpr', 'Charte africaine des droits de l''homme et des peuples, art. 7 : droit d''être jugé équitablement', 'African Charter on Human and Peoples'' Rights, art. 7: right to a fair hearing'),
    ('luanda', 'luanda', 'Lignes directrices de Luanda sur les conditions d''arrestation, de garde à vue et de détention provisoire en Afrique (CADHP, 2014)', 'Luanda Guidelines on the Conditions of Arrest, Police Custody and Pre-Trial Detention in Africa (ACHPR, 2014)'),
    ('robben_island', 'robben_island', 'Lignes directrices de Robben Island pour l''interdiction et la prévention de la torture en Afrique (CADHP, 2002)', 'Robben Island Guidelines for the Prohibition and Prevention of Torture in Africa (ACHPR, 2002)'),
    ('ihl_1', 'icrc_ihl', 'DIH coutumier (CICR), règle 1 : distinction entre civils et combattants', 'Customary IHL (ICRC), Rule 1: distinction between civilians and combatants'),
    ('ihl_7', 'icrc_ihl', 'DIH coutumier (CICR), règle 7 : distinction entre biens civils et objectifs militaires', 'Customary IHL (ICRC), Rule 7: distinction between civilian objects and military objectives'),
    ('ihl_11', 'icrc_ihl', 'DIH coutumier (CICR), règle 11 : interdiction des attaques sans discrimination', 'Customary IHL (ICRC), Rule 11: indiscriminate attacks prohibited'),
    ('ihl_14', 'icrc_ihl', 'DIH coutumier (CICR), règle 14 : proportionnalité dans l''attaque', 'Customary IHL (ICRC), Rule 14: proportionality in attack'),
    ('ihl_15', 'icrc_ihl', 'DIH coutumier (CICR), règle 15 : précautions dans l''attaque', 'Customary IHL (ICRC), Rule 15: precautions in attack'),
    ('ihl_47', 'icrc_ihl', 'DIH coutumier (CICR), règle 47 : interdiction d''attaquer les personnes hors de combat', 'Customary IHL (ICRC), Rule 47: attacks against persons hors de combat prohibited'),
    ('ihl_50', 'icrc_ihl', 'DIH coutumier (CICR), règle 50 : destruction et saisie des biens de l''adversaire', 'Customary IHL (ICRC), Rule 50: destruction and seizure of property of an adversary'),
    ('ihl_52', 'icrc_ihl', 'DIH coutumier (CICR), règle 52 : interdiction du pillage', 'Customary IHL (ICRC), Rule 52: pillage prohibited'),
    ('ihl_87', 'icrc_ihl', 'DIH coutumier (CICR), règle 87 : traitement humain des civils et des personnes hors de combat', 'Customary IHL (ICRC), Rule 87: humane treatment of civilians and persons hors de combat'),
    ('ihl_88', 'icrc_ihl', 'DIH coutumier (CICR), règle 88 : interdiction de la discrimination', 'Customary IHL (ICRC), Rule 88: adverse distinction (discrimination) prohibited'),
    ('ihl_89', 'icrc_ihl', 'DIH coutumier (CICR), règle 89 : interdiction du meurtre', 'Customary IHL (ICRC), Rule 89: murder prohibited'),
    ('ihl_90', 'icrc_ihl', 'DIH coutumier (CICR), règle 90 : interdiction de la torture, des traitements cruels et des atteintes à la dignité', 'Customary IHL (ICRC), Rule 90: torture, cruel treatment and outrages upon personal dignity prohibited'),
    ('ihl_93', 'icrc_ihl', 'DIH coutumier (CICR), règle 93 : interdiction du viol et des autres violences sexuelles', 'Customary IHL (ICRC), Rule 93: rape and other forms of sexual violence prohibited'),
    ('ihl_98', 'icrc_ihl', 'DIH coutumier (CICR), règle 98 : interdiction des disparitions forcées', 'Customary IHL (ICRC), Rule 98: enforced disappearance prohibited'),
    ('ihl_99', 'icrc_ihl', 'DIH coutumier (CICR), règle 99 : interdiction de la privation arbitraire de liberté', 'Customary IHL (ICRC), Rule 99: arbitrary deprivation of liberty prohibited'),
    ('ihl_103', 'icrc_ihl', 'DIH coutumier (CICR), règle 103 : interdiction des peines collectives', 'Customary IHL (ICRC), Rule 103: collective punishments prohibited'),
    ('ihl_117', 'icrc_ihl', 'DIH coutumier (CICR), règle 117 : élucider le sort des personnes portées disparues', 'Customary IHL (ICRC), Rule 117: accounting for missing persons'),
    ('ihl_118', 'icrc_ihl', 'DIH coutumier (CICR), règle 118 : nourriture, eau, abri et soins pour les personnes privées de liberté', 'Customary IHL (ICRC), Rule 118: food, water, shelter and medical care for persons deprived of liberty'),
    ('ihl_129', 'icrc_ihl', 'DIH coutumier (CICR), règle 129 : interdiction des déplacements forcés de civils', 'Customary IHL (ICRC), Rule 129: forced displacement of civilians prohibited'),
    ('ihl_135', 'icrc_ihl', 'DIH coutumier (CICR), règle 135 : respect et protection particuliers des enfants', 'Customary IHL (ICRC), Rule 135: special respect and protection of children'),
    ('ihl_136', 'icrc_ihl', 'DIH coutumier (CICR), règle 136 : interdiction de recruter des enfants', 'Customary IHL (ICRC), Rule 136: recruitment of children prohibited'),
    ('ihl_137', 'icrc_ihl', 'DIH coutumier (CICR), règle 137 : interdiction de faire participer des enfants aux hostilités', 'Customary IHL (ICRC), Rule 137: participation of children in hostilities prohibited'),
    ('ihl_152', 'icrc_ihl', 'DIH coutumier (CICR), règle 152 : responsabilité des chefs pour les ordres de commettre des crimes de guerre', 'Customary IHL (ICRC), Rule 152: command responsibility for orders to commit war crimes'),
    ('ihl_153', 'icrc_ihl', 'DIH coutumier (CICR), règle 153 : responsabilité des chefs qui n''empêchent ni ne punissent les crimes de guerre', 'Customary IHL (ICRC), Rule 153: command responsibility for failure to prevent or punish war crimes'),
    ('ihl_154', 'icrc_ihl', 'DIH coutumier (CICR), règle 154 : devoir de désobéir à un ordre manifestement illicite', 'Customary IHL (ICRC), Rule 154: duty to disobey a manifestly unlawful order'),
    ('ihl_155', 'icrc_ihl', 'DIH coutumier (CICR), règle 155 : l''ordre d''un supérieur n''exonère pas de la responsabilité pénale', 'Customary IHL (ICRC), Rule 155: superior orders are no defence');

-- Training modules --------------------------------------------------------------------------

INSERT INTO training_modules (code, label_fr, label_en) VALUES
    ('crowd_control_force', 'Usage gradué de la force dans le maintien de l''ordre', 'Graduated use of force in crowd control'),
    ('distinction_proportionality', 'Distinction, proportionnalité et précautions', 'Distinction, proportionality and precautions'),
    ('checkpoint_conduct', 'Conduite et intégrité aux postes de contrôle', 'Checkpoint conduct and integrity'),
    ('captured_persons', 'Traitement des personnes capturées et devoir de refuser un ordre illégal', 'Treatment of captured persons and duty to refuse unlawful orders'),
    ('investigative_interviewing', 'Conduite légale des auditions et interrogatoires', 'Lawful investigative interviewing'),
    ('arrest_procedure', 'Procédure d''arrestation et enregistrement', 'Arrest procedure and registration'),
    ('detention_registers', 'Registres de détention et délais de garde à vue', 'Detention registers and custody time limits'),
    ('custody_management', 'Gestion des personnes gardées à vue et détenues', 'Custody management'),
    ('sexual_violence_prevention', 'Prévention des violences sexuelles', 'Prevention of sexual violence'),
    ('protection_of_civilians', 'Protection des civils et de leurs biens', 'Protection of civilians and property'),
    ('children_armed_groups', 'Enfants associés aux forces et groupes armés', 'Children associated with armed forces and groups'),
    ('non_discrimination', 'Non-discrimination', 'Non-discrimination'),
    ('complaint_handling', 'Traitement des plaintes et non-représailles', 'Complaint handling and non-retaliation'),
    ('command_responsibility', 'Responsabilité du commandement', 'Command responsibility');

-- Violation type → norms ----------------------------------------------------------------------

WITH m (type_code, norm_code) AS (VALUES
    ('life.extrajudicial_execution', 'iccpr_6'),
    ('life.extrajudicial_execution', 'ihl_47'),
    ('life.extrajudicial_execution', 'ihl_89'),
    ('life.extrajudicial_execution', 'ihl_154'),
    ('life.death_in_custody', 'iccpr_6'),
    ('life.death_in_custody', 'iccpr_10'),
    ('life.death_in_custody', 'luanda'),
    ('life.death_in_custody', 'ihl_118'),
    ('life.crowd_control_killing', 'un_bpuff'),
    ('life.crowd_control_killing', 'ccleo'),
    ('life.crowd_control_killing', 'iccpr_6'),
    ('life.crowd_control_killing', 'achpr_4'),
    ('life.indiscriminate_fire', 'ihl_1'),
    ('life.indiscriminate_fire', 'ihl_11'),
    ('life.indiscriminate_fire', 'ihl_14'),
    ('life.indiscriminate_fire', 'ihl_15'),
    ('life.death_after_torture', 'cat_1'),
    ('life.death_after_torture', 'iccpr_6'),
    ('life.death_after_torture', 'iccpr_7'),
    ('life.death_after_torture', 'robben_island'),
    ('life.attempted_killing', 'iccpr_6'),
    ('life.attempted_killing', 'achpr_4'),
    ('life.attempted_killing', 'un_bpuff'),
    ('life.attempted_killing', 'ihl_89'),
    ('integrity.torture', 'cat_1'),
    ('integrity.torture', 'cat_2'),
    ('integrity.torture', 'iccpr_7'),
    ('integrity.torture', 'robben_island'),
    ('integrity.cruel_treatment', 'cat_10_16'),
    ('integrity.cruel_treatment', 'iccpr_7'),
    ('integrity.cruel_treatment', 'achpr_5'),
    ('integrity.cruel_treatment', 'ihl_90'),
    ('integrity.beating', 'un_bpuff'),
    ('integrity.beating', 'ccleo'),
    ('integrity.beating', 'iccpr_7'),
    ('integrity.beating', 'achpr_5'),
    ('integrity.threats', 'ccleo'),
    ('integrity.threats', 'iccpr_7'),
    ('integrity.threats', 'achpr_5'),
    ('integrity.collective_punishment', 'ihl_103'),
    ('integrity.collective_punishment', 'ihl_87'),
    ('integrity.collective_punishment', 'iccpr_7'),
    ('integrity.collective_punishment', 'ihl_152'),
    ('sexual.rape', 'ihl_93'),
    ('sexual.rape', 'cat_1'),
    ('sexual.rape', 'iccpr_7'),
    ('sexual.rape', 'ihl_153'),
    ('sexual.assault', 'ihl_93'),
    ('sexual.assault', 'ccleo'),
    ('sexual.assault', 'iccpr_7'),
    ('sexual.assault', 'achpr_5'),
    ('sexual.harassment', 'ccleo'),
    ('sexual.harassment', 'achpr_5'),
    ('sexual.other', 'ihl_93'),
    ('sexual.other', 'ihl_90'),
    ('sexual.other', 'iccpr_7'),
    ('sexual.other', 'robben_island'),
    ('liberty.arbitrary_arrest', 'iccpr_9'),
    ('liberty.arbitrary_arrest', 'achpr_6'),
    ('liberty.arbitrary_arrest', 'luanda'),
    ('liberty.arbitrary_arrest', 'ccleo'),
    ('liberty.arbitrary_detention', 'iccpr_9'),
    ('liberty.arbitrary_detention', 'achpr_6'),
    ('liberty.arbitrary_detention', 'ced_17'),
    ('liberty.arbitrary_detention', 'ihl_99'),
    ('liberty.enforced_disappearance', 'ced_17'),
    ('liberty.enforced_disappearance', 'ced_23'),
    ('liberty.enforced_disappearance', 'ihl_98'),
    ('liberty.enforced_disappearance', 'ihl_117'),
    ('liberty.abduction', 'iccpr_9'),
    ('liberty.abduction', 'achpr_6'),
    ('liberty.abduction', 'ihl_99'),
    ('liberty.mass_roundup', 'iccpr_9'),
    ('liberty.mass_roundup', 'iccpr_26'),
    ('liberty.mass_roundup', 'luanda'),
    ('liberty.mass_roundup', 'ihl_99'),
    ('due_process.denied_lawyer', 'iccpr_14'),
    ('due_process.denied_lawyer', 'achpr_7'),
    ('due_process.denied_lawyer', 'luanda'),
    ('due_process.forced_confession', 'cat_10_16'),
    ('due_process.forced_confession', 'iccpr_7'),
    ('due_process.forced_confession', 'iccpr_14'),
    ('due_process.forced_confession', 'robben_island'),
    ('due_process.detention_conditions', 'iccpr_10'),
    ('due_process.detention_conditions', 'luanda'),
    ('due_process.detention_conditions', 'robben_island'),
    ('due_process.detention_conditions', 'ihl_118'),
    ('due_process.denied_medical_care', 'iccpr_10'),
    ('due_process.denied_medical_care', 'luanda'),
    ('due_process.denied_medical_care', 'ihl_118'),
    ('due_process.family_not_notified', 'luanda'),
    ('due_process.family_not_notified', 'ced_17'),
    ('due_process.custody_limit_exceeded', 'iccpr_9'),
    ('due_process.custody_limit_exceeded', 'achpr_6'),
    ('due_process.custody_limit_exceeded', 'luanda'),
    ('property.looting', 'ihl_52'),
    ('property.looting', 'ccleo'),
    ('property.destruction', 'ihl_50'),
    ('property.destruction', 'ihl_7'),
    ('property.destruction', 'ihl_103'),
    ('property.destruction', 'ihl_155'),
    ('property.extortion', 'ccleo'),
    ('property.confiscation', 'ihl_50'),
    ('property.confiscation', 'ccleo'),
    ('movement.forced_displacement', 'ihl_129'),
    ('movement.forced_displacement', 'ihl_87'),
    ('movement.blockade', 'ihl_87'),
    ('movement.blockade', 'ihl_103'),
    ('expression.violent_dispersal', 'un_bpuff'),
    ('expression.violent_dispersal', 'ccleo'),
    ('expression.journalist_arrest', 'iccpr_9'),
    ('expression.journalist_arrest', 'achpr_6'),
    ('expression.journalist_arrest', 'luanda'),
    ('children.killing_maiming', 'ihl_135'),
    ('children.killing_maiming', 'ihl_1'),
    ('children.killing_maiming', 'iccpr_6'),
    ('children.killing_maiming', 'achpr_4'),
    ('children.recruitment', 'ihl_136'),
    ('children.recruitment', 'ihl_137'),
    ('children.recruitment', 'ihl_135'),
    ('children.recruitment', 'ihl_153'),
    ('children.sexual_violence', 'ihl_93'),
    ('children.sexual_violence', 'ihl_135'),
    ('children.sexual_violence', 'iccpr_7'),
    ('children.abduction', 'ihl_135'),
    ('children.abduction', 'ihl_99'),
    ('children.abduction', 'iccpr_9'),
    ('children.attack_school_hospital', 'ihl_7'),
    ('children.attack_school_hospital', 'ihl_11'),
    ('children.attack_school_hospital', 'ihl_15'),
    ('children.attack_school_hospital', 'ihl_135'),
    ('obstruction.complaint_refused', 'cat_10_16'),
    ('obstruction.complaint_refused', 'ccleo'),
    ('obstruction.reprisals', 'cat_10_16'),
    ('obstruction.reprisals', 'ccleo'),
    ('obstruction.cndh_access_denied', 'robben_island'),
    ('obstruction.cndh_access_denied', 'luanda'),
    ('obstruction.cndh_access_denied', 'cat_2'),
    ('discrimination.profiling', 'iccpr_26'),
    ('discrimination.profiling', 'ihl_88'),
    ('discrimination.profiling', 'ccleo'),
    ('maladministration.refusal_of_service', 'ccleo'),
    ('maladministration.undue_delay', 'ccleo'),
    ('maladministration.confiscated_documents', 'ccleo'),
    ('maladministration.court_decision_not_executed', 'ccleo')
)
INSERT INTO violation_norms (violation_type_id, norm_id)
SELECT vt.id, n.id
FROM m
JOIN violation_types vt ON vt.code = m.type_code
JOIN training_norms n ON n.code = m.norm_code;

-- Violation type → training modules ---------------------------------------------------------

WITH m (type_code, module_code) AS (VALUES
    ('life.extrajudicial_execution', 'captured_persons'),
    ('life.extrajudicial_execution', 'protection_of_civilians'),
    ('life.extrajudicial_execution', 'command_responsibility'),
    ('life.death_in_custody', 'custody_management'),
    ('life.death_in_custody', 'detention_registers'),
    ('life.death_in_custody', 'command_responsibility'),
    ('life.crowd_control_killing', 'crowd_control_force'),
    ('life.crowd_control_killing', 'command_responsibility'),
    ('life.indiscriminate_fire', 'distinction_proportionality'),
    ('life.indiscriminate_fire', 'protection_of_civilians'),
    ('life.indiscriminate_fire', 'command_responsibility'),
    ('life.death_after_torture', 'investigative_interviewing'),
    ('life.death_after_torture', 'captured_persons'),
    ('life.death_after_torture', 'command_responsibility'),
    ('life.attempted_killing', 'protection_of_civilians'),
    ('life.attempted_killing', 'command_responsibility'),
    ('integrity.torture', 'investigative_interviewing'),
    ('integrity.torture', 'captured_persons'),
    ('integrity.torture', 'command_responsibility'),
    ('integrity.cruel_treatment', 'captured_persons'),
    ('integrity.cruel_treatment', 'custody_management'),
    ('integrity.beating', 'crowd_control_force'),
    ('integrity.beating', 'arrest_procedure'),
    ('integrity.threats', 'investigative_interviewing'),
    ('integrity.threats', 'protection_of_civilians'),
    ('integrity.collective_punishment', 'protection_of_civilians'),
    ('integrity.collective_punishment', 'command_responsibility'),
    ('sexual.rape', 'sexual_violence_prevention'),
    ('sexual.rape', 'command_responsibility'),
    ('sexual.assault', 'sexual_violence_prevention'),
    ('sexual.assault', 'command_responsibility'),
    ('sexual.harassment', 'sexual_violence_prevention'),
    ('sexual.harassment', 'checkpoint_conduct'),
    ('sexual.other', 'sexual_violence_prevention'),
    ('sexual.other', 'custody_management'),
    ('liberty.arbitrary_arrest', 'arrest_procedure'),
    ('liberty.arbitrary_arrest', 'detention_registers'),
    ('liberty.arbitrary_detention', 'detention_registers'),
    ('liberty.arbitrary_detention', 'custody_management'),
    ('liberty.arbitrary_detention', 'arrest_procedure'),
    ('liberty.enforced_disappearance', 'detention_registers'),
    ('liberty.enforced_disappearance', 'captured_persons'),
    ('liberty.enforced_disappearance', 'command_responsibility'),
    ('liberty.abduction', 'arrest_procedure'),
    ('liberty.abduction', 'command_responsibility'),
    ('liberty.mass_roundup', 'arrest_procedure'),
    ('liberty.mass_roundup', 'non_discrimination'),
    ('liberty.mass_roundup', 'command_responsibility'),
    ('due_process.denied_lawyer', 'arrest_procedure'),
    ('due_process.denied_lawyer', 'custody_management'),
    ('due_process.forced_confession', 'investigative_interviewing'),
    ('due_process.detention_conditions', 'custody_management'),
    ('due_process.denied_medical_care', 'custody_management'),
    ('due_process.family_not_notified', 'detention_registers'),
    ('due_process.family_not_notified', 'arrest_procedure'),
    ('due_process.custody_limit_exceeded', 'detention_registers'),
    ('due_process.custody_limit_exceeded', 'custody_management'),
    ('property.looting', 'protection_of_civilians'),
    ('property.looting', 'command_responsibility'),
    ('property.destruction', 'protection_of_civilians'),
    ('property.destruction', 'distinction_proportionality'),
    ('property.destruction', 'command_responsibility'),
    ('property.extortion', 'checkpoint_conduct'),
    ('property.confiscation', 'checkpoint_conduct'),
    ('property.confiscation', 'protection_of_civilians'),
    ('movement.forced_displacement', 'protection_of_civilians'),
    ('movement.forced_displacement', 'command_responsibility'),
    ('movement.blockade', 'protection_of_civilians'),
    ('movement.blockade', 'checkpoint_conduct'),
    ('expression.violent_dispersal', 'crowd_control_force'),
    ('expression.violent_dispersal', 'command_responsibility'),
    ('expression.journalist_arrest', 'arrest_procedure'),
    ('expression.journalist_arrest', 'detention_registers'),
    ('children.killing_maiming', 'protection_of_civilians'),
    ('children.killing_maiming', 'distinction_proportionality'),
    ('children.recruitment', 'children_armed_groups'),
    ('children.recruitment', 'command_responsibility'),
    ('children.sexual_violence', 'sexual_violence_prevention'),
    ('children.sexual_violence', 'protection_of_civilians'),
    ('children.abduction', 'children_armed_groups'),
    ('children.abduction', 'protection_of_civilians'),
    ('children.attack_school_hospital', 'distinction_proportionality'),
    ('children.attack_school_hospital', 'protection_of_civilians'),
    ('obstruction.complaint_refused', 'complaint_handling'),
    ('obstruction.reprisals', 'complaint_handling'),
    ('obstruction.reprisals', 'command_responsibility'),
    ('obstruction.cndh_access_denied', 'custody_management'),
    ('obstruction.cndh_access_denied', 'complaint_handling'),
    ('obstruction.cndh_access_denied', 'command_responsibility'),
    ('discrimination.profiling', 'non_discrimination'),
    ('discrimination.profiling', 'checkpoint_conduct'),
    ('discrimination.profiling', 'arrest_procedure'),
    ('maladministration.refusal_of_service', 'complaint_handling'),
    ('maladministration.undue_delay', 'complaint_handling'),
    ('maladministration.confiscated_documents', 'complaint_handling'),
    ('maladministration.confiscated_documents', 'checkpoint_conduct'),
    ('maladministration.court_decision_not_executed', 'complaint_handling')
)
INSERT INTO violation_modules (violation_type_id, module_id)
SELECT vt.id, tm.id
FROM m
JOIN violation_types vt ON vt.code = m.type_code
JOIN training_modules tm ON tm.code = m.module_code;

-- Routing rules -------------------------------------------------------------------------------
-- Evaluated by ascending position; the first active rule whose non-NULL conditions all match
-- fires (NULL = any). Criminal referral to the prosecutor or military justice is tracked as
-- follow-up on the case, not by a rule. The Médiateur also takes no dispute between an
-- administration and its own staff: there is no condition for that, the intake officer
-- overrides the routing with a reason.

INSERT INTO routing_rules (position, name, violation_group_code, violation_type_code, force_code, prior_approach, court_pending, children_involved, destination_id, legal_basis_fr, legal_basis_en, active)
SELECT 10, 'Mauvais fonctionnement déjà devant un tribunal → Procureur', 'maladministration', NULL, NULL, NULL, TRUE, NULL, id,
    'Le Médiateur de la République ne peut pas intervenir dans une affaire pendante devant une juridiction (Loi n°97-022 du 14 mars 1997 instituant le Médiateur de la République, modifiée) : l''allégation est transmise au Procureur de la République, qui suit la procédure en cours.',
    'The Ombudsman (Médiateur de la République) cannot take up a matter pending before a court (Law No. 97-022 of 14 March 1997 establishing the Médiateur de la République, as amended): the allegation is sent to the Public Prosecutor, who follows the pending proceedings.',
    TRUE
FROM institutions WHERE code = 'prosecutor';

INSERT INTO routing_rules (position, name, violation_group_code, violation_type_code, force_code, prior_approach, court_pending, children_involved, destination_id, legal_basis_fr, legal_basis_en, active)
SELECT 20, 'Mauvais fonctionnement, administration déjà saisie → Médiateur', 'maladministration', NULL, NULL, TRUE, NULL, NULL, id,
    'Dysfonctionnement d''un service public des FDS, le plaignant ayant d''abord saisi l''administration concernée : compétence du Médiateur de la République (Loi n°97-022 du 14 mars 1997 instituant le Médiateur de la République, modifiée).',
    'Dysfunction of a public service of the Defence and Security Forces, the complainant having first approached the administration concerned: within the remit of the Ombudsman (Law No. 97-022 of 14 March 1997 establishing the Médiateur de la République, as amended).',
    TRUE
FROM institutions WHERE code = 'mediateur';

INSERT INTO routing_rules (position, name, violation_group_code, violation_type_code, force_code, prior_approach, court_pending, children_involved, destination_id, legal_basis_fr, legal_basis_en, active)
SELECT 30, 'Mauvais fonctionnement, administration pas encore saisie → CNDH', 'maladministration', NULL, NULL, FALSE, NULL, NULL, id,
    'La CNDH reçoit toute plainte, écrite ou verbale, de toute personne (Loi n°2016-036 du 7 juillet 2016 portant création de la Commission nationale des droits de l''homme). Le Médiateur ne peut être saisi qu''après une démarche préalable auprès de l''administration concernée : le plaignant doit d''abord s''adresser à cette administration.',
    'The CNDH receives any complaint, written or verbal, from anyone (Law No. 2016-036 of 7 July 2016 establishing the National Human Rights Commission). The Ombudsman can only be seized after a prior approach to the administration concerned: the complainant must first approach that administration.',
    TRUE
FROM institutions WHERE code = 'cndh';

INSERT INTO routing_rules (position, name, violation_group_code, violation_type_code, force_code, prior_approach, court_pending, children_involved, destination_id, legal_basis_fr, legal_basis_en, active)
SELECT 40, 'Violations contre des enfants → CNDH', 'children', NULL, NULL, NULL, NULL, NULL, id,
    'Violation des droits de l''enfant par un membre des FDS : compétence de la CNDH (Loi n°2016-036 du 7 juillet 2016 portant création de la Commission nationale des droits de l''homme), au regard de la Convention relative aux droits de l''enfant et de son Protocole facultatif concernant l''implication d''enfants dans les conflits armés, de la Charte africaine des droits et du bien-être de l''enfant et du Code de protection de l''enfant (Ordonnance n°02-062/P-RM du 5 juin 2002). Traitement prioritaire.',
    'Violation of children''s rights by a member of the Defence and Security Forces: within the remit of the CNDH (Law No. 2016-036 of 7 July 2016 establishing the National Human Rights Commission), having regard to the Convention on the Rights of the Child and its Optional Protocol on the involvement of children in armed conflict, the African Charter on the Rights and Welfare of the Child and the Child Protection Code (Ordinance No. 02-062/P-RM of 5 June 2002). Priority handling.',
    TRUE
FROM institutions WHERE code = 'cndh';

INSERT INTO routing_rules (position, name, violation_group_code, violation_type_code, force_code, prior_approach, court_pending, children_involved, destination_id, legal_basis_fr, legal_basis_en, active)
SELECT 50, 'Enfants parmi les victimes → CNDH', NULL, NULL, NULL, NULL, NULL, TRUE, id,
    'Des enfants figurent parmi les victimes : compétence de la CNDH (Loi n°2016-036 du 7 juillet 2016 portant création de la Commission nationale des droits de l''homme), au regard de la Convention relative aux droits de l''enfant, de la Charte africaine des droits et du bien-être de l''enfant et du Code de protection de l''enfant (Ordonnance n°02-062/P-RM du 5 juin 2002). Traitement prioritaire.',
    'Children are among the victims: within the remit of the CNDH (Law No. 2016-036 of 7 July 2016 establishing the National Human Rights Commission), having regard to the Convention on the Rights of the Child, the African Charter on the Rights and Welfare of the Child and the Child Protection Code (Ordinance No. 02-062/P-RM of 5 June 2002). Priority handling.',
    TRUE
FROM institutions WHERE code = 'cndh';

WITH r (pos, name, group_code, basis_fr, basis_en) AS (VALUES
    (60, 'Atteintes à la vie → CNDH', 'life', 'Atteinte au droit à la vie par un membre des FDS', 'Violation of the right to life by a member of the Defence and Security Forces'),
    (70, 'Torture et mauvais traitements → CNDH', 'integrity', 'Torture ou mauvais traitements par un membre des FDS ; la CNDH est aussi le mécanisme national de prévention de la torture', 'Torture or ill-treatment by a member of the Defence and Security Forces; the CNDH is also the national torture-prevention mechanism'),
    (80, 'Violences sexuelles → CNDH', 'sexual', 'Violence sexuelle commise par un membre des FDS', 'Sexual violence by a member of the Defence and Security Forces'),
    (90, 'Atteintes à la liberté → CNDH', 'liberty', 'Atteinte à la liberté (arrestation, détention, disparition) par un membre des FDS', 'Violation of liberty (arrest, detention, disappearance) by a member of the Defence and Security Forces'),
    (100, 'Droits en détention → CNDH', 'due_process', 'Atteinte aux garanties de la garde à vue et de la détention ; la CNDH visite les lieux de privation de liberté en tant que mécanisme national de prévention de la torture', 'Violation of custody and detention safeguards; the CNDH visits places of deprivation of liberty as the national torture-prevention mechanism'),
    (110, 'Atteintes aux biens → CNDH', 'property', 'Atteinte aux biens (pillage, destruction, racket, saisie) par un membre des FDS', 'Violation of property (looting, destruction, extortion, seizure) by a member of the Defence and Security Forces'),
    (120, 'Déplacement forcé et blocus → CNDH', 'movement', 'Atteinte à la liberté de circulation (déplacement forcé, blocus) par des membres des FDS', 'Violation of freedom of movement (forced displacement, blockade) by members of the Defence and Security Forces'),
    (130, 'Expression et réunion → CNDH', 'expression', 'Atteinte aux libertés d''expression et de réunion par des membres des FDS', 'Violation of freedom of expression and assembly by members of the Defence and Security Forces'),
    (140, 'Entrave et représailles → CNDH', 'obstruction', 'Refus d''enregistrer une plainte, représailles contre un plaignant ou un témoin, ou refus d''accès de la CNDH aux lieux de détention', 'Refusal to register a complaint, reprisals against a complainant or witness, or denial of CNDH access to places of detention'),
    (150, 'Discrimination → CNDH', 'discrimination', 'Discrimination ou ciblage ethnique ou communautaire par des membres des FDS', 'Discrimination or ethnic or community profiling by members of the Defence and Security Forces')
)
INSERT INTO routing_rules (position, name, violation_group_code, violation_type_code, force_code, prior_approach, court_pending, children_involved, destination_id, legal_basis_fr, legal_basis_en, active)
SELECT r.pos, r.name, r.group_code, NULL, NULL, NULL, NULL, NULL, i.id,
    r.basis_fr || ' : compétence de la CNDH, qui reçoit les plaintes écrites ou verbales de toute personne et peut se saisir d''office (Loi n°2016-036 du 7 juillet 2016 portant création de la Commission nationale des droits de l''homme).',
    r.basis_en || ': within the remit of the CNDH, which receives written or verbal complaints from anyone and may act on its own initiative (Law No. 2016-036 of 7 July 2016 establishing the National Human Rights Commission).',
    TRUE
FROM r JOIN institutions i ON i.code = 'cndh'
ORDER BY r.pos;

INSERT INTO routing_rules (position, name, violation_group_code, violation_type_code, force_code, prior_approach, court_pending, children_involved, destination_id, legal_basis_fr, legal_basis_en, active)
SELECT 160, 'Par défaut → CNDH', NULL, NULL, NULL, NULL, NULL, NULL, id,
    'Aucune autre règle ne s''applique : la CNDH reçoit toute plainte, écrite ou verbale, de toute personne et peut se saisir d''office (Loi n°2016-036 du 7 juillet 2016 portant création de la Commission nationale des droits de l''homme).',
    'No other rule applies: the CNDH receives any complaint, written or verbal, from anyone and may act on its own initiative (Law No. 2016-036 of 7 July 2016 establishing the National Human Rights Commission).',
    TRUE
FROM institutions WHERE code = 'cndh';

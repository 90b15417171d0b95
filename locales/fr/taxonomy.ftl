# Labels of the lists Vigie classifies with, one key per code: `<list>-<code>` (a violation
# type's dot becomes a dash). Generated from the seeded labels (migration
# 2026-11-28-000002); a code without a key here is shown as its code.
# A new language is a copy of this file with the labels translated.

## Institutions
institution-cndh = Commission nationale des droits de l'homme (CNDH)
institution-mediateur = Médiateur de la République
institution-prosecutor = Procureur de la République
institution-military_justice = Tribunal militaire / justice militaire

## Violation groups
vg-life = Meurtres et morts
vg-integrity = Torture, coups et menaces
vg-sexual = Violences sexuelles
vg-liberty = Arrestations et disparitions
vg-due_process = Droits en détention
vg-property = Biens : vol, destruction, racket
vg-movement = Déplacement forcé et blocus
vg-expression = Manifestations, presse et opinions
vg-children = Enfants
vg-obstruction = Plainte empêchée, représailles
vg-discrimination = Discrimination
vg-maladministration = Mauvais service de l'administration

## Violation types (the code with its dot as a dash)
vt-life-extrajudicial_execution = Tué sans jugement (exécution)
vt-life-death_in_custody = Mort en détention
vt-life-crowd_control_killing = Tué pendant une manifestation
vt-life-indiscriminate_fire = Civils tués par des tirs ou des frappes
vt-life-death_after_torture = Mort après torture
vt-life-attempted_killing = Tentative de meurtre
vt-integrity-torture = Torture
vt-integrity-cruel_treatment = Traitement cruel ou humiliant
vt-integrity-beating = Coups ou force excessive
vt-integrity-threats = Menaces de mort, intimidation
vt-integrity-collective_punishment = Punition de tout un village ou d'une famille
vt-sexual-rape = Viol
vt-sexual-assault = Agression sexuelle
vt-sexual-harassment = Harcèlement sexuel
vt-sexual-other = Autre violence sexuelle (mise à nu forcée…)
vt-liberty-arbitrary_arrest = Arrestation sans raison légale
vt-liberty-arbitrary_detention = Détenu illégalement ou en secret
vt-liberty-enforced_disappearance = Arrêté puis disparu (disparition forcée)
vt-liberty-abduction = Enlèvement
vt-liberty-mass_roundup = Rafle (arrestations en masse)
vt-due_process-denied_lawyer = Pas d'avocat
vt-due_process-forced_confession = Aveux forcés
vt-due_process-detention_conditions = Mauvaises conditions de détention
vt-due_process-denied_medical_care = Privé de soins
vt-due_process-family_not_notified = Famille non prévenue
vt-due_process-custody_limit_exceeded = Gardé trop longtemps sans juge
vt-property-looting = Pillage ou vol
vt-property-destruction = Biens détruits ou brûlés
vt-property-extortion = Racket, argent exigé (postes de contrôle)
vt-property-confiscation = Biens saisis sans raison
vt-movement-forced_displacement = Chassés de chez eux
vt-movement-blockade = Blocus, passage interdit
vt-expression-violent_dispersal = Rassemblement dispersé avec violence
vt-expression-journalist_arrest = Journaliste ou militant arrêté
vt-children-killing_maiming = Enfant tué ou blessé
vt-children-recruitment = Enfant recruté ou utilisé (soldat, porteur…)
vt-children-sexual_violence = Violence sexuelle sur un enfant
vt-children-abduction = Enfant enlevé
vt-children-attack_school_hospital = Attaque d'une école ou d'un hôpital
vt-obstruction-complaint_refused = Plainte refusée
vt-obstruction-reprisals = Représailles contre un plaignant ou un témoin
vt-obstruction-cndh_access_denied = CNDH empêchée de visiter un lieu de détention
vt-discrimination-profiling = Visé à cause de son ethnie ou de sa communauté
vt-maladministration-refusal_of_service = Service refusé
vt-maladministration-undue_delay = Attente trop longue, dossier bloqué
vt-maladministration-confiscated_documents = Papiers confisqués (carte, permis…)
vt-maladministration-court_decision_not_executed = Décision de justice non appliquée

## Forces
force-fama_army = Armée de terre (FAMa)
force-fama_air = Armée de l'air (FAMa)
force-gendarmerie = Gendarmerie nationale
force-national_guard = Garde nationale
force-police = Police nationale
force-civil_protection = Protection civile
force-intelligence = Services de renseignement
force-other_state = Autres agents armés de l'État (douane, eaux et forêts)
force-auxiliaries = Milices ou supplétifs avec les FDS
force-foreign_military = Militaires étrangers
force-unidentified_uniform = Hommes armés en uniforme, non identifiés
force-unknown = Je ne sais pas

## Findings (dispositions)
disposition-substantiated = Fondée (faits établis)
disposition-not_substantiated = Non établie (preuves insuffisantes)
disposition-unfounded = Sans fondement (les faits n'ont pas eu lieu)
disposition-exonerated = Mise hors de cause (faits réels mais légaux)
disposition-perpetrator_unidentified = Auteur non identifié
disposition-closed_withdrawn = Classée : plaignant injoignable ou désistement
disposition-closed_courts = Classée : affaire devant la justice
disposition-mediation = Réglée par médiation

## Training norms
norm-un_bpuff = Principes de base des Nations Unies sur le recours à la force et l'utilisation des armes à feu par les responsables de l'application des lois (1990)
norm-ccleo = Code de conduite des Nations Unies pour les responsables de l'application des lois (1979)
norm-cat_1 = Convention contre la torture, art. 1 : définition de la torture
norm-cat_2 = Convention contre la torture, art. 2 : interdiction absolue ; ni circonstance exceptionnelle ni ordre d'un supérieur ne la justifient
norm-cat_10_16 = Convention contre la torture, art. 10 à 16 : formation, règles d'interrogatoire, enquête, plainte et protection des plaignants, réparation, aveux obtenus par la torture exclus, mauvais traitements
norm-ced_17 = Convention sur les disparitions forcées, art. 17 : pas de détention secrète, registres officiels des personnes privées de liberté
norm-ced_23 = Convention sur les disparitions forcées, art. 23 : formation des agents, interdiction des ordres de disparition, signalement
norm-iccpr_6 = Pacte international relatif aux droits civils et politiques, art. 6 : droit à la vie
norm-iccpr_7 = Pacte international relatif aux droits civils et politiques, art. 7 : interdiction de la torture et des traitements cruels, inhumains ou dégradants
norm-iccpr_9 = Pacte international relatif aux droits civils et politiques, art. 9 : liberté et sécurité, ni arrestation ni détention arbitraire
norm-iccpr_10 = Pacte international relatif aux droits civils et politiques, art. 10 : traitement humain des personnes privées de liberté
norm-iccpr_14 = Pacte international relatif aux droits civils et politiques, art. 14 : procès équitable
norm-iccpr_26 = Pacte international relatif aux droits civils et politiques, art. 26 : égalité devant la loi, non-discrimination
norm-achpr_4 = Charte africaine des droits de l'homme et des peuples, art. 4 : droit à la vie et à l'intégrité de la personne
norm-achpr_5 = Charte africaine des droits de l'homme et des peuples, art. 5 : dignité, interdiction de la torture et des traitements cruels, inhumains ou dégradants
norm-achpr_6 = Charte africaine des droits de l'homme et des peuples, art. 6 : liberté et sécurité, ni arrestation ni détention arbitraire
norm-achpr_7 = Charte africaine des droits de l'homme et des peuples, art. 7 : droit d'être jugé équitablement
norm-luanda = Lignes directrices de Luanda sur les conditions d'arrestation, de garde à vue et de détention provisoire en Afrique (CADHP, 2014)
norm-robben_island = Lignes directrices de Robben Island pour l'interdiction et la prévention de la torture en Afrique (CADHP, 2002)
norm-ihl_1 = DIH coutumier (CICR), règle 1 : distinction entre civils et combattants
norm-ihl_7 = DIH coutumier (CICR), règle 7 : distinction entre biens civils et objectifs militaires
norm-ihl_11 = DIH coutumier (CICR), règle 11 : interdiction des attaques sans discrimination
norm-ihl_14 = DIH coutumier (CICR), règle 14 : proportionnalité dans l'attaque
norm-ihl_15 = DIH coutumier (CICR), règle 15 : précautions dans l'attaque
norm-ihl_47 = DIH coutumier (CICR), règle 47 : interdiction d'attaquer les personnes hors de combat
norm-ihl_50 = DIH coutumier (CICR), règle 50 : destruction et saisie des biens de l'adversaire
norm-ihl_52 = DIH coutumier (CICR), règle 52 : interdiction du pillage
norm-ihl_87 = DIH coutumier (CICR), règle 87 : traitement humain des civils et des personnes hors de combat
norm-ihl_88 = DIH coutumier (CICR), règle 88 : interdiction de la discrimination
norm-ihl_89 = DIH coutumier (CICR), règle 89 : interdiction du meurtre
norm-ihl_90 = DIH coutumier (CICR), règle 90 : interdiction de la torture, des traitements cruels et des atteintes à la dignité
norm-ihl_93 = DIH coutumier (CICR), règle 93 : interdiction du viol et des autres violences sexuelles
norm-ihl_98 = DIH coutumier (CICR), règle 98 : interdiction des disparitions forcées
norm-ihl_99 = DIH coutumier (CICR), règle 99 : interdiction de la privation arbitraire de liberté
norm-ihl_103 = DIH coutumier (CICR), règle 103 : interdiction des peines collectives
norm-ihl_117 = DIH coutumier (CICR), règle 117 : élucider le sort des personnes portées disparues
norm-ihl_118 = DIH coutumier (CICR), règle 118 : nourriture, eau, abri et soins pour les personnes privées de liberté
norm-ihl_129 = DIH coutumier (CICR), règle 129 : interdiction des déplacements forcés de civils
norm-ihl_135 = DIH coutumier (CICR), règle 135 : respect et protection particuliers des enfants
norm-ihl_136 = DIH coutumier (CICR), règle 136 : interdiction de recruter des enfants
norm-ihl_137 = DIH coutumier (CICR), règle 137 : interdiction de faire participer des enfants aux hostilités
norm-ihl_152 = DIH coutumier (CICR), règle 152 : responsabilité des chefs pour les ordres de commettre des crimes de guerre
norm-ihl_153 = DIH coutumier (CICR), règle 153 : responsabilité des chefs qui n'empêchent ni ne punissent les crimes de guerre
norm-ihl_154 = DIH coutumier (CICR), règle 154 : devoir de désobéir à un ordre manifestement illicite
norm-ihl_155 = DIH coutumier (CICR), règle 155 : l'ordre d'un supérieur n'exonère pas de la responsabilité pénale

## Training modules
module-crowd_control_force = Usage gradué de la force dans le maintien de l'ordre
module-distinction_proportionality = Distinction, proportionnalité et précautions
module-checkpoint_conduct = Conduite et intégrité aux postes de contrôle
module-captured_persons = Traitement des personnes capturées et devoir de refuser un ordre illégal
module-investigative_interviewing = Conduite légale des auditions et interrogatoires
module-arrest_procedure = Procédure d'arrestation et enregistrement
module-detention_registers = Registres de détention et délais de garde à vue
module-custody_management = Gestion des personnes gardées à vue et détenues
module-sexual_violence_prevention = Prévention des violences sexuelles
module-protection_of_civilians = Protection des civils et de leurs biens
module-children_armed_groups = Enfants associés aux forces et groupes armés
module-non_discrimination = Non-discrimination
module-complaint_handling = Traitement des plaintes et non-représailles
module-command_responsibility = Responsabilité du commandement

## Regions (codes of resources/mali/regions.geojson)
region-ML-1 = Kayes
region-ML-2 = Koulikoro
region-ML-3 = Sikasso
region-ML-4 = Ségou
region-ML-5 = Mopti
region-ML-6 = Tombouctou
region-ML-7 = Gao
region-ML-8 = Kidal
region-ML-BKO = Bamako

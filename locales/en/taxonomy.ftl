# Labels of the lists Vigie classifies with, one key per code: `<list>-<code>` (a violation
# type's dot becomes a dash). Generated from the seeded labels (migration
# 2026-11-28-000002); a code without a key here is shown as its code.
# A new language is a copy of this file with the labels translated.

## Institutions
institution-cndh = National Human Rights Commission (CNDH)
institution-mediateur = Ombudsman of the Republic (Médiateur de la République)
institution-prosecutor = Public Prosecutor
institution-military_justice = Military court / military justice

## Violation groups
vg-life = Killings and deaths
vg-integrity = Torture, beatings and threats
vg-sexual = Sexual violence
vg-liberty = Arrests and disappearances
vg-due_process = Rights in detention
vg-property = Property: theft, destruction, extortion
vg-movement = Forced displacement and blockades
vg-expression = Protests, press and opinions
vg-children = Children
vg-obstruction = Complaint blocked, reprisals
vg-discrimination = Discrimination
vg-maladministration = Poor public service

## Violation types (the code with its dot as a dash)
vt-life-extrajudicial_execution = Killed without trial (execution)
vt-life-death_in_custody = Died in detention
vt-life-crowd_control_killing = Killed during a protest or gathering
vt-life-indiscriminate_fire = Civilians killed by shooting or strikes
vt-life-death_after_torture = Died after torture
vt-life-attempted_killing = Attempt to kill
vt-integrity-torture = Torture
vt-integrity-cruel_treatment = Cruel or humiliating treatment
vt-integrity-beating = Beating or too much force
vt-integrity-threats = Death threats, intimidation
vt-integrity-collective_punishment = Punishment of a whole village or family
vt-sexual-rape = Rape
vt-sexual-assault = Sexual assault
vt-sexual-harassment = Sexual harassment
vt-sexual-other = Other sexual violence (forced nudity…)
vt-liberty-arbitrary_arrest = Arrest without legal reason
vt-liberty-arbitrary_detention = Held unlawfully or in secret
vt-liberty-enforced_disappearance = Arrested, then missing (enforced disappearance)
vt-liberty-abduction = Abduction, kidnapping
vt-liberty-mass_roundup = Round-up (mass arrests)
vt-due_process-denied_lawyer = No lawyer allowed
vt-due_process-forced_confession = Forced to confess
vt-due_process-detention_conditions = Bad conditions in detention
vt-due_process-denied_medical_care = No medical care
vt-due_process-family_not_notified = Family not told
vt-due_process-custody_limit_exceeded = Held too long without a judge
vt-property-looting = Looting or theft
vt-property-destruction = Property destroyed or burned
vt-property-extortion = Extortion, money demanded (checkpoints)
vt-property-confiscation = Property seized without reason
vt-movement-forced_displacement = Forced to leave home
vt-movement-blockade = Blockade, passage blocked
vt-expression-violent_dispersal = Gathering broken up with violence
vt-expression-journalist_arrest = Journalist or activist arrested
vt-children-killing_maiming = Child killed or injured
vt-children-recruitment = Child recruited or used (soldier, carrier…)
vt-children-sexual_violence = Sexual violence against a child
vt-children-abduction = Child abducted
vt-children-attack_school_hospital = Attack on a school or hospital
vt-obstruction-complaint_refused = Complaint refused
vt-obstruction-reprisals = Reprisals against a complainant or witness
vt-obstruction-cndh_access_denied = CNDH kept out of a place of detention
vt-discrimination-profiling = Targeted for ethnic group or community
vt-maladministration-refusal_of_service = Service refused
vt-maladministration-undue_delay = Waiting too long, file stuck
vt-maladministration-confiscated_documents = Papers taken away (ID card, licence…)
vt-maladministration-court_decision_not_executed = Court decision not carried out

## Forces
force-fama_army = Army (FAMa)
force-fama_air = Air Force (FAMa)
force-gendarmerie = National Gendarmerie
force-national_guard = National Guard
force-police = National Police
force-civil_protection = Civil Protection
force-intelligence = Intelligence services
force-other_state = Other armed state agents (customs, forestry)
force-auxiliaries = Militias or auxiliaries with the FDS
force-foreign_military = Foreign soldiers
force-unidentified_uniform = Unidentified armed men in uniform
force-unknown = I don't know

## Findings (dispositions)
disposition-substantiated = Substantiated
disposition-not_substantiated = Not substantiated (insufficient evidence)
disposition-unfounded = Unfounded (did not happen)
disposition-exonerated = Exonerated (happened, but lawful)
disposition-perpetrator_unidentified = Perpetrator unidentified
disposition-closed_withdrawn = Closed: complainant unavailable or withdrew
disposition-closed_courts = Closed: before the courts
disposition-mediation = Resolved by mediation

## Training norms
norm-un_bpuff = UN Basic Principles on the Use of Force and Firearms by Law Enforcement Officials (1990)
norm-ccleo = UN Code of Conduct for Law Enforcement Officials (1979)
norm-cat_1 = Convention against Torture, art. 1: definition of torture
norm-cat_2 = Convention against Torture, art. 2: absolute prohibition; no exceptional circumstance or superior order justifies torture
norm-cat_10_16 = Convention against Torture, arts 10–16: training, interrogation rules, investigation, complaints and protection of complainants, redress, exclusion of statements made under torture, ill-treatment
norm-ced_17 = Convention on Enforced Disappearance, art. 17: no secret detention, official registers of persons deprived of liberty
norm-ced_23 = Convention on Enforced Disappearance, art. 23: training of officials, orders prescribing disappearance prohibited, reporting
norm-iccpr_6 = International Covenant on Civil and Political Rights, art. 6: right to life
norm-iccpr_7 = International Covenant on Civil and Political Rights, art. 7: prohibition of torture and cruel, inhuman or degrading treatment
norm-iccpr_9 = International Covenant on Civil and Political Rights, art. 9: liberty and security, no arbitrary arrest or detention
norm-iccpr_10 = International Covenant on Civil and Political Rights, art. 10: humane treatment of persons deprived of liberty
norm-iccpr_14 = International Covenant on Civil and Political Rights, art. 14: fair trial
norm-iccpr_26 = International Covenant on Civil and Political Rights, art. 26: equality before the law, non-discrimination
norm-achpr_4 = African Charter on Human and Peoples' Rights, art. 4: right to life and integrity of the person
norm-achpr_5 = African Charter on Human and Peoples' Rights, art. 5: dignity, prohibition of torture and cruel, inhuman or degrading treatment
norm-achpr_6 = African Charter on Human and Peoples' Rights, art. 6: liberty and security, no arbitrary arrest or detention
norm-achpr_7 = African Charter on Human and Peoples' Rights, art. 7: right to a fair hearing
norm-luanda = Luanda Guidelines on the Conditions of Arrest, Police Custody and Pre-Trial Detention in Africa (ACHPR, 2014)
norm-robben_island = Robben Island Guidelines for the Prohibition and Prevention of Torture in Africa (ACHPR, 2002)
norm-ihl_1 = Customary IHL (ICRC), Rule 1: distinction between civilians and combatants
norm-ihl_7 = Customary IHL (ICRC), Rule 7: distinction between civilian objects and military objectives
norm-ihl_11 = Customary IHL (ICRC), Rule 11: indiscriminate attacks prohibited
norm-ihl_14 = Customary IHL (ICRC), Rule 14: proportionality in attack
norm-ihl_15 = Customary IHL (ICRC), Rule 15: precautions in attack
norm-ihl_47 = Customary IHL (ICRC), Rule 47: attacks against persons hors de combat prohibited
norm-ihl_50 = Customary IHL (ICRC), Rule 50: destruction and seizure of property of an adversary
norm-ihl_52 = Customary IHL (ICRC), Rule 52: pillage prohibited
norm-ihl_87 = Customary IHL (ICRC), Rule 87: humane treatment of civilians and persons hors de combat
norm-ihl_88 = Customary IHL (ICRC), Rule 88: adverse distinction (discrimination) prohibited
norm-ihl_89 = Customary IHL (ICRC), Rule 89: murder prohibited
norm-ihl_90 = Customary IHL (ICRC), Rule 90: torture, cruel treatment and outrages upon personal dignity prohibited
norm-ihl_93 = Customary IHL (ICRC), Rule 93: rape and other forms of sexual violence prohibited
norm-ihl_98 = Customary IHL (ICRC), Rule 98: enforced disappearance prohibited
norm-ihl_99 = Customary IHL (ICRC), Rule 99: arbitrary deprivation of liberty prohibited
norm-ihl_103 = Customary IHL (ICRC), Rule 103: collective punishments prohibited
norm-ihl_117 = Customary IHL (ICRC), Rule 117: accounting for missing persons
norm-ihl_118 = Customary IHL (ICRC), Rule 118: food, water, shelter and medical care for persons deprived of liberty
norm-ihl_129 = Customary IHL (ICRC), Rule 129: forced displacement of civilians prohibited
norm-ihl_135 = Customary IHL (ICRC), Rule 135: special respect and protection of children
norm-ihl_136 = Customary IHL (ICRC), Rule 136: recruitment of children prohibited
norm-ihl_137 = Customary IHL (ICRC), Rule 137: participation of children in hostilities prohibited
norm-ihl_152 = Customary IHL (ICRC), Rule 152: command responsibility for orders to commit war crimes
norm-ihl_153 = Customary IHL (ICRC), Rule 153: command responsibility for failure to prevent or punish war crimes
norm-ihl_154 = Customary IHL (ICRC), Rule 154: duty to disobey a manifestly unlawful order
norm-ihl_155 = Customary IHL (ICRC), Rule 155: superior orders are no defence

## Training modules
module-crowd_control_force = Graduated use of force in crowd control
module-distinction_proportionality = Distinction, proportionality and precautions
module-checkpoint_conduct = Checkpoint conduct and integrity
module-captured_persons = Treatment of captured persons and duty to refuse unlawful orders
module-investigative_interviewing = Lawful investigative interviewing
module-arrest_procedure = Arrest procedure and registration
module-detention_registers = Detention registers and custody time limits
module-custody_management = Custody management
module-sexual_violence_prevention = Prevention of sexual violence
module-protection_of_civilians = Protection of civilians and property
module-children_armed_groups = Children associated with armed forces and groups
module-non_discrimination = Non-discrimination
module-complaint_handling = Complaint handling and non-retaliation
module-command_responsibility = Command responsibility

## Regions (codes of resources/mali/regions.geojson)
region-ML-1 = Kayes
region-ML-2 = Koulikoro
region-ML-3 = Sikasso
region-ML-4 = Ségou
region-ML-5 = Mopti
region-ML-6 = Timbuktu
region-ML-7 = Gao
region-ML-8 = Kidal
region-ML-BKO = Bamako

# Bamanankan — first version, to be reviewed by a native speaker. Terms: see GLOSSARY.md.
# Vigie ka lisiw tɔgɔw, kodu kelen-kelen bɛɛ ye kile kelen: `<list>-<code>`.
# Institution and force names keep their French official name beside a Bambara gloss;
# international instruments (norm-*) keep their French official title, their content is in Bambara.

## Institutions
institution-cndh = Hadamaden josiraw jamana komisɔn (CNDH)
institution-mediateur = Médiateur de la République (Faso bɛnnibaga)
institution-prosecutor = Procureur de la République (kiritigɛso jalakibaga)
institution-military_justice = Sɔrɔdasiw ka kiritigɛso (Tribunal militaire / justice militaire)

## Violation groups
vg-life = Mɔgɔ fagali ni saya
vg-integrity = Tɔɔrɔli jugu, gosili, lasiranni
vg-sexual = Binkanni cɛ ni muso ko la (violences sexuelles)
vg-liberty = Mɔgɔ minɛli ni mɔgɔ tununni
vg-due_process = Mɔgɔ minɛnenw ka josiraw
vg-property = Nafolo: sonyali, tiɲɛni, wari ɲinini fanga la
vg-movement = Mɔgɔw gɛnni u ka yɔrɔ la, sira datuguli
vg-expression = Jama lajɛw, kunnafonidilaw ani miiriya fɔli
vg-children = Denmisɛnw
vg-obstruction = Kɔrɔfɔ balili, kɔrɔfɔbagaw tɔɔrɔli
vg-discrimination = Mɔgɔw danfarali (discrimination)
vg-maladministration = Fanga cakɛdaw ka baarakɛcogo jugu

## Violation types (the code with its dot as a dash)
vt-life-extrajudicial_execution = Mɔgɔ fagara kiri kɔ (exécution)
vt-life-death_in_custody = Mɔgɔ sara minɛli la walima kaso la
vt-life-crowd_control_killing = Mɔgɔ fagara jama lajɛ dɔ la (manifestation)
vt-life-indiscriminate_fire = Sivilw fagara marifa walima bɔn fɛ
vt-life-death_after_torture = Mɔgɔ sara tɔɔrɔli jugu kɔfɛ
vt-life-attempted_killing = U tun b'a fɛ ka mɔgɔ faga
vt-integrity-torture = Tɔɔrɔli jugu (torture)
vt-integrity-cruel_treatment = Mɔgɔ tɔɔrɔli walima a maloyali
vt-integrity-beating = Gosili walima fanga kɛli ka tɛmɛ dan kan
vt-integrity-threats = Ka fɔ ko mɔgɔ bɛna faga, ka mɔgɔw lasiran
vt-integrity-collective_punishment = Dugu bɛɛ walima denbaya bɛɛ ɲangili
vt-sexual-rape = Mɔgɔ minɛ fanga la a sago kɔ (viol)
vt-sexual-assault = Binkanni cɛ ni muso ko la (agression sexuelle)
vt-sexual-harassment = Mɔgɔ tɔɔrɔli cɛ ni muso ko la (harcèlement sexuel)
vt-sexual-other = Binkanni wɛrɛ cɛ ni muso ko la (mɔgɔ lafari fanga la…)
vt-liberty-arbitrary_arrest = Mɔgɔ minɛna sariya kun kɔ
vt-liberty-arbitrary_detention = Mɔgɔ marala sariya kɔ walima gundo la
vt-liberty-enforced_disappearance = Mɔgɔ minɛna ka tunun (disparition forcée)
vt-liberty-abduction = Mɔgɔ minɛna ka taa n'a ye fanga la (enlèvement)
vt-liberty-mass_roundup = Mɔgɔ caman minɛna ɲɔgɔn fɛ (rafle)
vt-due_process-denied_lawyer = Awoka ma di
vt-due_process-forced_confession = Mɔgɔ diyagoyara ka jalaki sɔn (aveux forcés)
vt-due_process-detention_conditions = Kaso la sigicogo jugu
vt-due_process-denied_medical_care = Furakɛli ma di
vt-due_process-family_not_notified = Denbaya ma kibaru sɔrɔ
vt-due_process-custody_limit_exceeded = Mɔgɔ marala waati jan kiritigɛla kɔ
vt-property-looting = Sonyali walima nafolo tali fanga la
vt-property-destruction = Nafolo tiɲɛna walima a jenina
vt-property-extortion = Wari ɲinini fanga la (sira kan lajɛyɔrɔw la)
vt-property-confiscation = Nafolo minɛna kun kɔ
vt-movement-forced_displacement = Mɔgɔw gɛnna u ka so
vt-movement-blockade = Sira datugura, tɛmɛni balila
vt-expression-violent_dispersal = Jama lajɛ dɔ jɛnsɛnna fanga la
vt-expression-journalist_arrest = Kunnafonidila walima kɛlɛkɛla minɛna (journaliste, militant)
vt-children-killing_maiming = Denmisɛn fagara walima a joginna
vt-children-recruitment = Denmisɛn donna kɛlɛbolo la walima a baarakɛra (sɔrɔdasi, doni tabaga…)
vt-children-sexual_violence = Binkanni cɛ ni muso ko la denmisɛn kan
vt-children-abduction = Denmisɛn minɛna ka taa n'a ye
vt-children-attack_school_hospital = Kalanso walima dɔgɔtɔrɔso binkanni
vt-obstruction-complaint_refused = Kɔrɔfɔ ma minɛ
vt-obstruction-reprisals = Kɔrɔfɔbaga walima seere tɔɔrɔli (représailles)
vt-obstruction-cndh_access_denied = CNDH balila ka kaso walima minɛyɔrɔ dɔ lajɛ
vt-discrimination-profiling = Mɔgɔ ɲɛnatɔmɔra a siya walima a sigida kosɔn
vt-maladministration-refusal_of_service = Cakɛda banna ka mɔgɔ dɛmɛ
vt-maladministration-undue_delay = Makɔnɔni jan kojugu, ko jɔra
vt-maladministration-confiscated_documents = Sɛbɛnw minɛna (karti, pɛrimi…)
vt-maladministration-court_decision_not_executed = Kiritigɛso ka latigɛ ma waleya

## Forces
force-fama_army = Dugukolo kan sɔrɔdasiw (FAMa — Armée de terre)
force-fama_air = Pankurun sɔrɔdasiw (FAMa — Armée de l'air)
force-gendarmerie = Zandaramuw (Gendarmerie nationale)
force-national_guard = Garidiw (Garde nationale)
force-police = Pulisiw (Police nationale)
force-civil_protection = Pɔnpiyew (Protection civile)
force-intelligence = Kunnafoni gundomanw ɲinibagaw (Services de renseignement)
force-other_state = Jamana ka marifatigi wɛrɛw (dwaniw, ji ni kungo lakanabagaw)
force-auxiliaries = Milisiw walima dɛmɛbaga marifatigiw, minnu bɛ FDS fɛ
force-foreign_military = Jamana wɛrɛw ka sɔrɔdasiw
force-unidentified_uniform = Marifatigiw, sɔrɔdasi fini tun bɛ u kan, u ma dɔn
force-unknown = N t'a dɔn

## Findings (dispositions)
disposition-substantiated = Tiɲɛ don (ko sɛmɛntiyara)
disposition-not_substantiated = A ma sɛmɛntiya (daliluw ma caya)
disposition-unfounded = Jusigi t'a la (ko ma kɛ)
disposition-exonerated = Jalaki bɔra u kan (ko kɛra, nka sariya tun b'a yamaruya)
disposition-perpetrator_unidentified = Kɛbaga ma dɔn
disposition-closed_withdrawn = Datugura: kɔrɔfɔbaga ma sɔrɔ, walima a ye kɔrɔfɔ bila
disposition-closed_courts = Datugura: ko bɛ kiritigɛso bolo
disposition-mediation = A ɲɛnabɔra bɛnni sira fɛ (médiation)

## Training norms
norm-un_bpuff = Principes de base des Nations Unies (1990): sariya waleyabagaw ka fanga ni marifa kɛcogo
norm-ccleo = Code de conduite des Nations Unies (1979): sariya waleyabagaw ka sira
norm-cat_1 = Convention contre la torture, sariyasen 1: tɔɔrɔli jugu kɔrɔ
norm-cat_2 = Convention contre la torture, sariyasen 2: tɔɔrɔli jugu balilen don pewu; ko gɛlɛn si, kuntigi ka ci si t'a sira di
norm-cat_10_16 = Convention contre la torture, sariyasen 10 ka se 16 ma: kalan, ɲininkali sariyaw, sɛgɛsɛgɛli, kɔrɔfɔ ni kɔrɔfɔbagaw lakanani, tiɲɛni sara, jalaki sɔnni min sɔrɔla tɔɔrɔli la o tɛ minɛ, tɔɔrɔliw
norm-ced_17 = Convention sur les disparitions forcées, sariyasen 17: mɔgɔ marali gundo la tɛ, mɔgɔ minɛnenw tɔgɔ ka kan ka sɛbɛn gafe ofisiyɛliw kɔnɔ
norm-ced_23 = Convention sur les disparitions forcées, sariyasen 23: baarakɛlaw kalanni, mɔgɔ tununni ci balilen don, a kɔrɔfɔli
norm-iccpr_6 = Pacte international relatif aux droits civils et politiques, sariyasen 6: ɲɛnamaya josira
norm-iccpr_7 = Pacte international relatif aux droits civils et politiques, sariyasen 7: tɔɔrɔli jugu ni mɔgɔ tɔɔrɔli walima a maloyali balilen don
norm-iccpr_9 = Pacte international relatif aux droits civils et politiques, sariyasen 9: hɔrɔnya ni lakanani, mɔgɔ minɛli walima marali sariya kɔ tɛ
norm-iccpr_10 = Pacte international relatif aux droits civils et politiques, sariyasen 10: mɔgɔ minɛnenw ka kan ka minɛ hadamadenya la
norm-iccpr_14 = Pacte international relatif aux droits civils et politiques, sariyasen 14: kiri tilennen
norm-iccpr_26 = Pacte international relatif aux droits civils et politiques, sariyasen 26: bɛɛ ye kelen ye sariya ɲɛ kɔrɔ, danfara tɛ
norm-achpr_4 = Charte africaine des droits de l'homme et des peuples, sariyasen 4: ɲɛnamaya josira ani farikolo lakanani
norm-achpr_5 = Charte africaine des droits de l'homme et des peuples, sariyasen 5: bonya, tɔɔrɔli jugu ni mɔgɔ tɔɔrɔli walima a maloyali balilen don
norm-achpr_6 = Charte africaine des droits de l'homme et des peuples, sariyasen 6: hɔrɔnya ni lakanani, mɔgɔ minɛli walima marali sariya kɔ tɛ
norm-achpr_7 = Charte africaine des droits de l'homme et des peuples, sariyasen 7: kiri tilennen josira
norm-luanda = Lignes directrices de Luanda (CADHP, 2014): mɔgɔ minɛcogo, garde à vue ani kaso la marali Afiriki kɔnɔ
norm-robben_island = Lignes directrices de Robben Island (CADHP, 2002): tɔɔrɔli jugu balili ani a kunbɛnni Afiriki kɔnɔ
norm-ihl_1 = DIH coutumier (CICR), sariya 1: sivilw ni kɛlɛkɛlaw danfara
norm-ihl_7 = DIH coutumier (CICR), sariya 7: sivilw ka nafolo ni sɔrɔdasi kuntilenaw danfara
norm-ihl_11 = DIH coutumier (CICR), sariya 11: binkanni min tɛ mɔgɔw danfara, o balilen don
norm-ihl_14 = DIH coutumier (CICR), sariya 14: binkanni ka kan ka bɛn a kun ma (proportionnalité)
norm-ihl_15 = DIH coutumier (CICR), sariya 15: janto binkanni na
norm-ihl_47 = DIH coutumier (CICR), sariya 47: binkanni balilen don mɔgɔ kan min tɛ kɛlɛ la tugun
norm-ihl_50 = DIH coutumier (CICR), sariya 50: jugu ka nafolo tiɲɛni ni a minɛni
norm-ihl_52 = DIH coutumier (CICR), sariya 52: sonyali fanga la balilen don
norm-ihl_87 = DIH coutumier (CICR), sariya 87: sivilw ni mɔgɔ minnu tɛ kɛlɛ la tugun, olu ka kan ka minɛ hadamadenya la
norm-ihl_88 = DIH coutumier (CICR), sariya 88: danfara balilen don
norm-ihl_89 = DIH coutumier (CICR), sariya 89: mɔgɔ fagali balilen don
norm-ihl_90 = DIH coutumier (CICR), sariya 90: tɔɔrɔli jugu, mɔgɔ tɔɔrɔli ani mɔgɔ maloyali balilen don
norm-ihl_93 = DIH coutumier (CICR), sariya 93: mɔgɔ minɛ fanga la ni binkanni wɛrɛw cɛ ni muso ko la balilen don
norm-ihl_98 = DIH coutumier (CICR), sariya 98: mɔgɔ minɛ ka tunun balilen don
norm-ihl_99 = DIH coutumier (CICR), sariya 99: mɔgɔ ka hɔrɔnya bɔsili sariya kɔ balilen don
norm-ihl_103 = DIH coutumier (CICR), sariya 103: mɔgɔ caman ɲangili ɲɔgɔn fɛ balilen don
norm-ihl_117 = DIH coutumier (CICR), sariya 117: ka mɔgɔ tununnenw ka ko jira
norm-ihl_118 = DIH coutumier (CICR), sariya 118: dumuni, ji, dogoyɔrɔ ani furakɛli mɔgɔ minɛnenw ye
norm-ihl_129 = DIH coutumier (CICR), sariya 129: sivilw gɛnni u ka yɔrɔ la balilen don
norm-ihl_135 = DIH coutumier (CICR), sariya 135: denmisɛnw ka kan ka bonya ka lakana kɛrɛnkɛrɛnnenya la
norm-ihl_136 = DIH coutumier (CICR), sariya 136: denmisɛnw donni kɛlɛbolo la balilen don
norm-ihl_137 = DIH coutumier (CICR), sariya 137: denmisɛnw donni kɛlɛ la balilen don
norm-ihl_152 = DIH coutumier (CICR), sariya 152: kuntigiw bɛ jalaki ni u ye ci di ka kɛlɛ jugukow kɛ
norm-ihl_153 = DIH coutumier (CICR), sariya 153: kuntigiw bɛ jalaki ni u ma kɛlɛ jugukow bali walima ka u ɲangi
norm-ihl_154 = DIH coutumier (CICR), sariya 154: ci min bɛ sariya kɔ jɛya la, mɔgɔ ka kan ka ban o ma
norm-ihl_155 = DIH coutumier (CICR), sariya 155: kuntigi ka ci tɛ mɔgɔ bɔ jalaki la

## Training modules
module-crowd_control_force = Fanga kɛli dɔɔni dɔɔni, jama lajɛw kɔlɔsili la
module-distinction_proportionality = Danfara, fanga hakɛ ani janto
module-checkpoint_conduct = Sira kan lajɛyɔrɔw la: sira ni tilennenya
module-captured_persons = Mɔgɔ minɛnenw minɛcogo, ani ka ban ci ma min bɛ sariya kɔ
module-investigative_interviewing = Ɲininkaliw kɛcogo sariya la
module-arrest_procedure = Mɔgɔ minɛcogo sariya la, ani a sɛbɛnni
module-detention_registers = Mɔgɔ minɛnenw ka gafew ani garde à vue waati dan
module-custody_management = Mɔgɔ minɛnenw ni kasola mɔgɔw minɛcogo
module-sexual_violence_prevention = Binkanni cɛ ni muso ko la kunbɛnni
module-protection_of_civilians = Sivilw ni u ka nafolo lakanani
module-children_armed_groups = Denmisɛnw minnu bɛ kɛlɛbolow ni marifatigi kuluw la
module-non_discrimination = Danfara kɛbaliya
module-complaint_handling = Kɔrɔfɔw ɲɛnabɔcogo, kɔrɔfɔbagaw tɛ tɔɔrɔ
module-command_responsibility = Kuntigiw ka jɔyɔrɔ ni u ka jalaki

## Regions (official names kept; Bambara forms in GLOSSARY.md)
region-ML-1 = Kayes
region-ML-2 = Koulikoro
region-ML-3 = Sikasso
region-ML-4 = Ségou
region-ML-5 = Mopti
region-ML-6 = Tombouctou
region-ML-7 = Gao
region-ML-8 = Kidal
region-ML-BKO = Bamako

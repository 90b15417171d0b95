# Issue 12: the trainers' side.
staff-training = Formation
training-gaps = Lacunes de formation
training-sessions = Sessions
training-session = Session
remediation-sessions = Sessions de l'action (une ou plusieurs : des cohortes, un rappel)
remediation-no-session = Aucune session de votre partenaire pour cette unité et ce module. Planifiez-en une dans « Sessions ».
training-remediation = Actions de remédiation
training-units = Unités
training-unit = Unité
training-partners = Partenaires
training-partner = Partenaire
training-from = Du mois
training-to = Au mois
training-region = Région
training-evidence = Faits retenus
training-evidence-substantiated = Fondés seulement
training-evidence-credible = Aussi en cours d'enquête (confirmé ou probable)
training-min = Seuil (nombre d'allégations)
training-apply = Afficher
training-gap-list = Unités et modules
training-gap-hint = Une lacune : au moins { $min } allégations pour une unité dont le module n'a jamais été dispensé, ou qui continuent après.
training-none = Rien pour ces critères.
training-module = Module
training-modules = Modules
training-standing = Situation
training-standing-never_trained = Jamais formée
training-standing-trained_continuing = Formée, les faits continuent
training-standing-trained = Formée
training-standing-no_pattern = Pas de tendance
training-count = Allégations
training-since = { $n } depuis
training-last-delivery = Dernière formation
training-open-remediation = Ouvrir une action
training-csv = Télécharger (CSV)
training-flags = Alertes
training-trend = Par trimestre : { $unit }
training-matrix = Allégations par violation et par unité
training-norms = Normes enfreintes
training-delivered = Sessions dispensées
training-dates = Dates
training-effect = Effet
training-parent = Unité de rattachement
training-strength = Effectif (environ)
training-edit = Modifier
training-unit-new = Nouvelle unité
training-unit-name = Nom de l'unité
training-save = Enregistrer
training-partner-kind = Type
training-kind-national_school = École nationale
training-kind-international = Partenaire international
training-members = Formateurs
training-partner-new = Nouveau partenaire
training-mine = Sessions de mon partenaire
training-others = Ce que prévoient les autres partenaires
training-plan = Prévoir une session
training-plan-button = Prévoir
training-status = État
training-status-planned = Prévue
training-status-confirmed = Confirmée
training-status-delivered = Dispensée
training-status-cancelled = Annulée
training-move-confirmed = Confirmer
training-move-delivered = Dispensée
training-move-cancelled = Annuler
training-held-from = Tenue du
training-held-to = au
training-attendance = Participants
training-pre = Test avant (%)
training-post = Test après (%)
training-go-ahead = Maintenue malgré un doublon
training-go-ahead-label = Pourquoi maintenir cette session malgré l'offre d'un autre partenaire ?
training-duplicate-warning = Un autre partenaire a déjà une offre du même module pour la même unité à moins de { $days } jours. Vous pouvez la maintenir en écrivant pourquoi ; les deux partenaires en seront informés.
training-duplicate-flag = Doublon possible avec :
training-session-delivered = Session dispensée
training-quarter = { $year }-T{ $q }
training-attach = Rattacher l'allégation à une unité
training-suggested = Unités reconnues dans le récit
training-err-unit-name = Écrivez le nom de l'unité (120 caractères au plus).
training-err-unit-taken = Cette force a déjà une unité de ce nom.
training-err-force = Choisissez une force.
training-err-region = Choisissez une région de la liste.
training-err-strength = L'effectif est un nombre entier positif.
training-err-parent = Choisissez une autre unité de la liste.
training-err-partner-name = Écrivez le nom du partenaire.
training-err-partner-taken = Ce partenaire existe déjà.
training-err-partner-kind = Choisissez un type.
training-err-no-partner = Votre compte n'est rattaché à aucun partenaire : demandez-le à un administrateur.
training-err-modules = Choisissez au moins un module.
training-err-units = Choisissez au moins une unité.
training-err-date = Date attendue sous la forme AAAA-MM-JJ.
training-err-dates-order = La fin vient après le début.
training-err-duplicate = Écrivez pourquoi maintenir cette session, ou changez-la.
training-err-held-dates = Indiquez les dates où la session a eu lieu.
training-err-held-future = Une session ne peut pas être livrée à une date à venir.
training-err-attendance = Le nombre de participants est un nombre entier.
training-err-score = Un score est un pourcentage entre 0 et 100.
training-err-session-move = Cette session ne peut pas passer à cet état.
training-err-date-range = Saisissez une date entre l'an 2000 et dans dix ans au plus.
training-err-span = Une session dure au plus un an.
training-err-attendance-max = Plus de participants que l'effectif des unités ({ $max } en tout).
training-err-text-long = 2 000 caractères au plus.
training-err-strength-max = L'effectif est au plus de 100 000.
training-err-parent-loop = Cette unité est déjà au-dessus de celle que vous modifiez : choisissez une autre unité parente.
training-err-parent-force = L'unité parente appartient à une autre force.
training-err-partner-choice = Choisissez un partenaire de la liste.
training-done-planned-already = Cette session était déjà prévue (session { $arg }) : rien n'a été ajouté.
remediation-err-final = Cette action est close ou portée plus haut : elle ne change plus.
remediation-err-keep-module = À cette étape, l'action a besoin de son module : gardez-en un.
remediation-err-keep-session = À cette étape, l'action a besoin de sa session : gardez-en une.
remediation-err-keep-delivered = À cette étape, la session de l'action doit être une session livrée.
remediation-done-open = Action ouverte.
remediation-done-already = Cette action existe déjà (action { $arg }) : rien n'a été ajouté.
remediation-done-key-already = Cette action clé était déjà faite.
training-done-unit = Unité enregistrée.
training-done-partner = Partenaire enregistré.
training-done-member = Formateur rattaché.
training-done-planned = Session { $arg } prévue.
training-done-session = Session mise à jour.
training-done-attached = Allégation rattachée.
remediation-issue = Problème constaté
remediation-new = Nouvelle action
remediation-next = Étape suivante
remediation-reason = Motif
remediation-reason-needed = motif requis
remediation-key-actions = Actions clés
remediation-key-action = Action clé
remediation-due = Échéance
remediation-done = Faite
remediation-lessons = Module, session et enseignements
remediation-lessons-unit = Pour l'unité
remediation-lessons-institution = Pour l'institution
remediation-review-on = Revue le
remediation-step-gap_identified = Lacune constatée
remediation-step-module_assigned = Module choisi
remediation-step-planned = Prévue
remediation-step-delivered = Dispensée
remediation-step-evaluated = Évaluée
remediation-step-reviewed = Revue
remediation-step-closed = Close
remediation-step-escalated = Portée plus haut
remediation-err-move = Ce passage n'est pas possible depuis l'étape actuelle.
remediation-err-reason = Cette étape demande un motif écrit.
remediation-err-issue = Décrivez le problème.
remediation-err-description = Décrivez l'action.
remediation-carried-by = porté par
remediation-not-mine = Cette action est portée par un autre partenaire : vous pouvez la lire, pas la modifier.
remediation-err-module = Choisissez d'abord le module de l'action (formulaire « Module, session et enseignements » plus bas).
remediation-err-session = Choisissez d'abord la session de l'action (formulaire « Module, session et enseignements » plus bas).
remediation-err-delivery = La session de l'action n'est pas encore livrée.
remediation-err-review-due = Une action est revue à sa date de revue ou après, et au moins { $months } mois entiers après le mois où l'une de ses sessions a été dispensée : l'effet se mesure sur ces mois. Fixez une date de revue, et attendez-la.
remediation-err-session-choice = Choisissez une session de votre partenaire pour l'unité de l'action, qui enseigne son module, non annulée.
remediation-err-session-module = Cette session n'enseigne pas le module de l'action : choisissez une session de ce module, ou changez le module.
remediation-err-module-choice = Choisissez un module de la liste.
remediation-err-unit-choice = Choisissez une unité de la liste.
training-err-unit-force = Cette unité n'est pas de la force de l'allégation : choisissez une unité de cette force (créez-la dans « Unités » si elle manque), ou corrigez la force de l'allégation depuis son événement si c'est elle qui est fausse.
training-err-unit-force-tied = Des allégations sont rattachées à cette unité : sa force ne change plus. Si elle relève d'une autre force, créez-la dans celle-ci.
remediation-done-step = Étape : { $arg }.
remediation-done-key = Action clé enregistrée.
remediation-done-lessons = Enseignements enregistrés.
mail-training-duplicate-subject = Vigie : deux offres de formation se recoupent
mail-training-duplicate-body =
    Bonjour,

    Une session vient d'être prévue :
    { $plan }

    Elle recoupe :
    { $others }

    Voir les sessions : { $link }
mail-remediation-review-subject = Vigie : une action de remédiation est à revoir
mail-remediation-review-body =
    Bonjour,

    La date de revue d'une action de remédiation est arrivée : { $link }
mail-remediation-overdue-subject = Vigie : une action clé est en retard
mail-remediation-overdue-body =
    Bonjour,

    Une action clé a dépassé son échéance : { $link }

# Early-warning page and measured effect
flags-statistical = Méthode statistique (entonnoir)
flags-statistical-hint = Chaque unité comparée à ce que donneraient les unités de sa force à effectif égal (taux par tête), et chacun de ses groupes de violations comparé à ses autres allégations (la part qu'a le groupe dans les autres unités de la force), les deux pesés ensemble avec la taille de l'unité et l'écart entre unités : la probabilité que le taux de certaines violations de l'unité dépasse celui de ses pairs. Les unités les plus probables sont listées, autant qu'il en faut pour que la part attendue d'unités sans problème parmi elles reste d'au plus { $fdr } %. Un total en gras dépasse sa limite à 99 %.
flags-threshold = Méthode du seuil
flags-threshold-hint = Une unité est signalée dès que { $n } allégations tombent dans { $days } jours, quelle que soit sa taille.
flags-observed = Observé
flags-expected = Attendu
flags-ratio = Rapport
flags-limit = Limite
flags-posterior = Probabilité
flags-in-window = Maximum en { $days } jours
flags-groups = Violations hors norme
flags-group-counts = { $group } : { $observed } pour { $expected } attendues
flags-strength = effectif { $n }
effect-verdict-improved = Amélioration
effect-verdict-no_change = Pas de changement mesurable
effect-verdict-worse = Dégradation
effect-verdict-too_few_data = Trop peu de données pour conclure
effect-window = Fenêtres
effect-window-value = { $months } mois entiers avant et après le mois de la livraison ({ $month }), qui n’est dans aucune des deux
effect-unit = Unité formée, avant → après
effect-rate-ratio = rapport de taux
effect-ci = IC 95 %
effect-comparison = Unités comparables non formées ({ $n })
effect-ratio-of-ratios = Rapport des rapports
effect-hint = Le verdict lit l'intervalle du rapport des rapports (celui de l'unité seule quand les unités comparables ont trop peu de données) : entièrement sous 1, amélioration ; entièrement au-dessus, dégradation ; sinon pas de changement mesurable.

# A case's recommendation proposed as training remediation (by the case worker)
training-from-case-hint = Une constatation fondée met en cause une unité : proposez aux formateurs une action de remédiation (unité, module, sans rien du dossier).
training-from-case-button = Planifier une remédiation par la formation
training-from-case-issue = Recommandation d'une institution : { $violation }
training-from-case-done = { $arg ->
    [one] Une action de remédiation proposée aux formateurs.
   *[other] { $arg } actions de remédiation proposées aux formateurs.
}
training-from-case-no-recommendation = Enregistrez d'abord une recommandation.
training-from-case-no-finding = Aucune constatation fondée de ce dossier n'est rattachée à une unité.
training-from-case-already = Une action de remédiation a déjà été proposée pour chaque unité de ce dossier.
remediation-from-case = recommandation d'une institution

# Grouping the analysis by unit, force or region
training-by = Regrouper par
training-by-unit = Unité
training-by-force = Force
training-by-region = Région
training-grouped = Lacunes regroupées
training-rows-shown = Les { $shown } premières lignes sur { $total } ; toutes sont dans le fichier CSV. Les filtres ci-dessus réduisent la liste.
training-legend = Normes enfreintes et modules, par violation
remediation-list-open = En cours
remediation-list-all = Toutes
remediation-list-mine = Celles de mon partenaire et celles que personne ne porte encore
remediation-list-count = { $n ->
    [0] Aucune action
    [one] Une action
   *[other] { $n } actions
} · page { $page } sur { $pages }
remediation-list-previous = Page précédente
remediation-list-next = Page suivante
flags-rows-shown = Les { $shown } premières sur { $total } ; toutes sont dans le JSON ci-dessous.

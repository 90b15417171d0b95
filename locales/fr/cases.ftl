# Tri, orientation et dossiers.
staff-triage = Tri des signalements
staff-cases = Dossiers
staff-routing = Règles d'orientation

triage-status = Recevabilité
admissibility-pending = À trier
admissibility-admissible = Recevable
admissibility-inadmissible = Irrecevable
admissibility-out_of_scope = Hors compétence (réorienté)
admissibility-all = Tous
triage-cercle = Cercle
triage-group = Catégorie
triage-overdue-only = En retard seulement
triage-empty = Rien à trier.
triage-children = enfants touchés
triage-next = Page suivante
triage-report = Signalement n° { $id }
triage-event = Événement n° { $id }
triage-duplicates = Doublons possibles
triage-no-duplicates = Aucun signalement ni événement proche dans l'espace et le temps.
triage-score = Score
triage-why = Pourquoi
triage-link = Rattacher à l'événement { $id }
triage-decide = Décision
triage-event-title = Titre de l'événement
triage-event-summary = Résumé (facultatif)
triage-prior-approach = Le plaignant a d'abord saisi l'administration concernée
triage-court-pending = L'affaire est pendante devant un tribunal
triage-open-event = Ouvrir un nouvel événement
triage-link-to = Ou rattacher à l'événement n°
triage-link-button = Rattacher
triage-admissibility = Recevabilité
triage-reason = Motif (obligatoire si irrecevable ou hors compétence)
triage-record = Enregistrer
triage-reports = Signalements
triage-allegations = Allégations
triage-destination = Destination
triage-override-reason = Motif de la réorientation
triage-override = Réorienter
triage-add-allegation = Ajouter une allégation
triage-identifiers = Signes d'identification (uniforme, insigne, véhicule, arme)
triage-involvement = Implication
triage-confidence = Attribution
triage-choose = — choisir —
triage-from-reports = Signalé dans les rapports
triage-all-types = Toutes les violations
triage-route = Orienter les allégations selon les règles

cases-case = Dossier n° { $id }
cases-scope-mine = Mes dossiers
cases-scope-institution = Dossiers de l'institution
cases-scope-all = Tous, y compris clos
cases-empty = Aucun dossier.
cases-narrowed = Dossiers des événements de : { $what }
cases-narrowed-clear = tous les dossiers
cases-deadlines = Échéances
cases-unassigned = non attribué
cases-back = Retour au dossier
cases-opened = ouvert le
cases-workflow = Étape du dossier
cases-next-step = Étape suivante
cases-move = Passer à cette étape
cases-assignee = Chargé du dossier
cases-assign = Attribuer
cases-disposition = Conclusion
cases-standard = Niveau de preuve
cases-reasoning = Motivation
cases-record-finding = Enregistrer la conclusion
cases-message-reporter = Écrire à la personne qui a signalé (elle le lira avec son code)
cases-recommendations = Recommandations
cases-response = Réponse de l'autorité
cases-addressee = Destinataire (autorité)
cases-recommendation = Recommandation
cases-by = Échéance
cases-add-recommendation = Envoyer la recommandation
cases-outcome = Suites
cases-recommended = Suite recommandée
cases-final = Suite donnée
cases-disciplined = Sanction prononcée
yes = Oui
no = Non
cases-actions = Actions de suivi
cases-done = Fait
cases-action = Action
cases-add-action = Ajouter l'action
cases-notes = Notes internes
cases-add-note = Ajouter une note
cases-unread = { $count ->
    [one] { $count } message non lu
   *[other] { $count } messages non lus
}
cases-new = nouveau
thread-reporter = La personne qui a signalé
thread-intake = Service du tri
cases-history = Historique

routing-hint = Les règles sont appliquées dans l'ordre de leur position : la première qui correspond décide. Une condition vide vaut « toutes ». Chaque décision garde la règle appliquée ; un agent d'accueil peut réorienter avec un motif écrit.
routing-new = Nouvelle règle
routing-position = Position
routing-type = Type de violation (code)
routing-prior_approach = Administration déjà saisie
routing-court_pending = Affaire devant un tribunal
routing-children = Enfants touchés
routing-any = indifférent
routing-basis-fr = Base légale (français)
routing-basis-en = Base légale (anglais)
routing-active = Active
routing-save = Enregistrer la règle
routing-err-fields = Le nom et la base légale dans les deux langues sont obligatoires.
routing-err-destination = Destination inconnue.
routing-err-code = Code inconnu : { $code }. Choisissez un groupe, un type de violation ou une force dans les listes.

case-status-received = Reçu
case-status-acknowledged = Accusé de réception
case-status-triage = Examen préliminaire
case-status-inadmissible = Irrecevable
case-status-duplicate = Doublon (fusionné)
case-status-out_of_scope = Hors compétence (réorienté)
case-status-assigned = Attribué
case-status-investigation = Enquête
case-status-findings = Conclusions
case-status-recommendation_sent = Recommandation envoyée
case-status-awaiting_response = En attente de réponse
case-status-response_received = Réponse reçue
case-status-follow_up = Suivi de la mise en œuvre
case-status-closed = Clos
case-status-suspended = Suspendu
case-status-reopened = Rouvert
deadline-kind-acknowledge = accusé de réception
deadline-kind-triage = examen préliminaire
deadline-kind-response = réponse de l'autorité
deadline-near = échéance proche
deadline-overdue = en retard
involvement-carried_out = auteur direct
involvement-ordered = a donné l'ordre
involvement-present = présent
involvement-failed_to_prevent = n'a pas empêché ni puni (commandement)
involvement-unknown = inconnu
confidence-confirmed = attribution confirmée
confidence-probable = probable
confidence-possible = possible
confidence-unknown = inconnue
case-err-transition = Cette étape n'est pas possible depuis l'étape actuelle du dossier.
case-err-moved = Le dossier a changé entre-temps (une autre personne vient d'agir) : voici son état actuel. Vérifiez-le, puis recommencez si c'est toujours nécessaire.
case-err-unassign = À l'étape « Attribué », quelqu'un tient le dossier : confiez-le à une autre personne plutôt qu'à personne.
case-err-step = Ce n'est pas possible à cette étape du dossier.
case-err-already = Cette recommandation est déjà enregistrée.
case-err-reason = Cette étape demande un motif écrit.
case-err-assignee = Attribuez d'abord le dossier à une personne.
case-err-text = Ce champ est obligatoire : écrivez quelque chose.
case-err-date = Cette date n'est pas valide (AAAA-MM-JJ, entre 2000 et 2100).
case-err-disposition = Choisissez une décision sur l'allégation.

dup-distance = à { $km } km
dup-same-cercle = même cercle
dup-adjacent-cercle = cercle voisin
dup-same-region = même région (cercle inconnu)
dup-same-group = violations de même nature
dup-days = { $days ->
    [0] le même jour
    [one] à 1 jour d'écart
   *[other] à { $days } jours d'écart
}
dup-shared = { $count ->
    [one] { $count } violation en commun
   *[other] { $count } violations en commun
}
dup-same-force = même force

reporter-msg-inadmissible = Votre signalement a été examiné et jugé irrecevable. Motif : { $reason }
reporter-msg-out_of_scope = Votre signalement ne relève pas de la compétence des institutions de Vigie. Il faut vous adresser à : { $reason }
digest-line-near = - Dossier n° { $case } : { $kind }, échéance le { $on } : { $link }
digest-line-overdue = - Dossier n° { $case } : { $kind }, échéance dépassée depuis le { $on } : { $link }
digest-line-unread = - Dossier n° { $case } : { $count ->
    [one] { $count } message non lu
   *[other] { $count } messages non lus
} de la personne qui a signalé : { $link }
digest-more = - Et { $more ->
    [one] { $more } autre dossier
   *[other] { $more } autres dossiers
} : voyez votre liste de dossiers, { $link }

evidence-safe-copy = copie sans métadonnées
evidence-no-copy = aucune copie sûre n'a pu être faite : seul l'auditeur ouvre l'original
evidence-as-uploaded = tel que reçu (peut contenir des métadonnées)
evidence-original = original
evidence-sha-original = SHA-256 de l'original
evidence-pdf-active = PDF actif (JavaScript ou action automatique) : ne l'ouvrez pas dans un lecteur qui exécute les scripts
evidence-pdf-unchecked = PDF vérifié en partie seulement (objets compressés) : ouvrez-le avec prudence

# Issue 10: the case page as a workspace, confirmations, words instead of codes.
colon = {" "}:{" "}
deadline-line = { $kind } : { $on }
deadline-ahead = à venir
cases-summary = Résumé du dossier
cases-institution = Institution
cases-nobody = Personne
cases-me = moi
cases-findings = Constatations par allégation
cases-record-response = Enregistrer la réponse
cases-narrative = Récit
cases-thread = Échanges avec la personne qui a signalé
cases-step-column = Étape du dossier
cases-step-needs-reason = { $step } (motif requis)
cases-reason-needed = Motif (requis pour : { $steps })
cases-reason-optional = Motif (facultatif)
cases-history-opened = Dossier ouvert par l'orientation
cases-history-assigned = Attribué à { $name }
cases-history-unassigned = Attribution retirée
cases-done-step = Le dossier est passé à l'étape « { $arg } ».
cases-done-assigned = Dossier attribué à { $arg }.
cases-done-unassigned = Le dossier n'est plus attribué à personne.
cases-done-note = Note ajoutée.
cases-done-action = Action de suivi ajoutée.
cases-done-action-done = Action de suivi marquée comme faite.
cases-done-action-already = Cette action de suivi était déjà marquée comme faite.
cases-done-finding = Constatation enregistrée.
cases-done-outcome = Issue enregistrée.
cases-done-message = Message envoyé à la personne qui a signalé.
cases-done-recommendation = Recommandation enregistrée.
cases-done-response = Réponse enregistrée.
evidence-kind-image = Photo
evidence-kind-audio = Enregistrement sonore
evidence-kind-video = Vidéo
evidence-kind-pdf = Document PDF
size-kb = { $n } Ko
size-mb = { $n } Mo
channel-web = formulaire en ligne
channel-api = application
channel-monitor = déposé par un observateur
method-gps = position du téléphone
method-map = point choisi sur la carte
method-place = lieu recherché
method-admin = cercle seulement
triage-basis-rule = Règle « { $name } » — fondement : { $basis }
triage-basis-override = Orientation décidée par l'agent du tri : { $reason }
triage-basis-rule-facts = Règle { $position } « { $name } » ({ $conditions }) — fondement : { $basis }
routing-cond-any = toute allégation
routing-cond-group = groupe : { $value }
routing-cond-type = type : { $value }
routing-cond-force = force : { $value }
routing-cond-prior_approach = démarche préalable auprès de l'administration : { $value }
routing-cond-court_pending = affaire pendante devant un tribunal : { $value }
routing-cond-children = enfants concernés : { $value }
routing-yes-no-yes = oui
routing-yes-no-no = non
routing-cond-separator = {" ; "}
triage-err-decision = Choisissez une décision.
triage-err-reason = Un motif est requis pour déclarer irrecevable ou hors champ.
triage-err-title = Donnez un titre à l'événement.
triage-err-already-linked = Ce signalement vient d'être rattaché à un événement par une autre personne : rien n'a été créé. Son événement :
triage-err-violation = Choisissez la violation.
triage-err-force = Choisissez la force.
triage-err-victims = Le nombre de victimes est un nombre entier entre 0 et 100 000, ou rien s'il n'est pas connu.
triage-err-override = Écrivez pourquoi vous orientez ailleurs.
triage-done-admissibility = Décision enregistrée : { $arg }.
triage-done-admissibility-already = Cette décision était déjà enregistrée : { $arg }. Rien n'a été envoyé de plus.
triage-err-routed = Ce signalement est dans un événement déjà orienté vers une institution : sa recevabilité se décide désormais dans les dossiers.
triage-done-event = Événement n° { $arg } ouvert.
triage-done-linked = Signalement n° { $arg } rattaché à cet événement.
triage-done-allegation = Allégation n° { $arg } ajoutée.
triage-done-routed = { $arg ->
    [0] Aucune allégation n'a pu être orientée par les règles : choisissez la destination.
    [one] { $arg } allégation orientée.
   *[other] { $arg } allégations orientées.
}
triage-done-override = Allégation n° { $arg } réorientée.
triage-done-routed-none = Rien à orienter : toutes les allégations de cet événement ont déjà une destination (une autre personne vient peut-être de les orienter).
triage-correct = Corriger
triage-correct-title = Corriger l'allégation n° { $id }
triage-correct-recorded = Enregistrée :
triage-correct-unit = Rattachée à l'unité { $unit } : si la force change pour une autre, l'allégation en est détachée (une unité n'appartient qu'à une force).
triage-correct-reason = Motif de la correction
triage-correct-save = Enregistrer la correction
triage-correct-finding = Une conclusion a été enregistrée sur cette allégation : elle ne se corrige plus. L'institution qui l'a conclue peut la réexaminer dans son dossier.
triage-correct-back = Retour à l'événement
triage-err-correct-reason = Écrivez pourquoi vous corrigez cette allégation.
triage-err-correct-moved = Cette allégation a changé depuis l'affichage du formulaire (une autre personne l'a corrigée, ou une conclusion a été enregistrée) : rien n'a été enregistré. Elle est affichée telle qu'elle est maintenant ; vos valeurs sont restées dans le formulaire : vérifiez et enregistrez à nouveau.
triage-done-corrected = Allégation n° { $arg } corrigée.
triage-done-corrected-untied = Allégation n° { $arg } corrigée. Elle a été détachée de son unité, qui appartient à une autre force : rattachez-la à une unité de sa force.
triage-done-unchanged = Rien n'a changé dans l'allégation n° { $arg } : rien n'a été enregistré.
triage-rules-now = Les règles l'orienteraient aujourd'hui vers : { $to }. Réorientez-la ci-dessous si elle doit changer de destination.
triage-count = { $count ->
    [one] { $count } signalement
   *[other] { $count } signalements
}
triage-count-more = Plus de { $count } signalements
triage-sort = Ordre
triage-sort-oldest = les plus anciens d'abord
triage-sort-newest = les plus récents d'abord
triage-evidence = { $count ->
    [one] { $count } pièce
   *[other] { $count } pièces
}
triage-excerpt = Extrait
triage-files = Pièces jointes
triage-merge-title = Titre du nouvel événement
triage-merge = Nouvel événement avec ce signalement et le n° { $id }
evidence-thumb-alt = Aperçu de la photo (copie sans métadonnées)
report-sealed-nokey = Ce signalement est chiffré et votre compte n'en détient pas encore la clé : un collègue qui la détient vous la donne à sa prochaine connexion (voir « Mon compte »).
report-sealed-refused = Le texte chiffré de ce signalement a été modifié dans la base de données : il est refusé et n'est pas affiché. Prévenez l'administrateur.
report-identity-withheld = Le signalant a donné son identité ou un contact : seule l'institution saisie du dossier les voit.

# Issue 17: le récit par la voix, côté personnel.
staff-voice-narrative = Récit enregistré (voix)
staff-transcribe = Transcrire et traduire
staff-transcription = Transcription (ce que dit l'enregistrement, dans sa langue)
staff-translation = Traduction en français
staff-transcription-save = Enregistrer la transcription
staff-transcribed-by = Transcrit par { $who }
transcription-saved = La transcription est enregistrée.
cases-voice-answer = Répondre par un message vocal
cases-voice-answer-hint = Pour une personne qui ne lit pas : un enregistrement (Ogg, WebM, MP3, AMR…) qu'elle écoute depuis son suivi.
cases-voice-send = Envoyer le message vocal
staff-voice-message = Message vocal du fil (à transcrire)

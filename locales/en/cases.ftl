# Triage, routing and cases.
staff-triage = Report triage
staff-cases = Cases
staff-routing = Routing rules

triage-status = Admissibility
admissibility-pending = To triage
admissibility-admissible = Admissible
admissibility-inadmissible = Inadmissible
admissibility-out_of_scope = Out of scope (referred)
admissibility-all = All
triage-cercle = Cercle
triage-group = Category
triage-overdue-only = Overdue only
triage-empty = Nothing to triage.
triage-children = children harmed
triage-next = Next page
triage-report = Report no. { $id }
triage-event = Event no. { $id }
triage-duplicates = Possible duplicates
triage-no-duplicates = No report or event near in space and time.
triage-score = Score
triage-why = Why
triage-link = Link to event { $id }
triage-decide = Decision
triage-event-title = Event title
triage-event-summary = Summary (optional)
triage-prior-approach = The complainant first approached the administration concerned
triage-court-pending = The matter is pending before a court
triage-open-event = Open a new event
triage-link-to = Or link to event no.
triage-link-button = Link
triage-admissibility = Admissibility
triage-reason = Reason (required when inadmissible or out of scope)
triage-record = Record
triage-reports = Reports
triage-allegations = Allegations
triage-destination = Destination
triage-override-reason = Reason for the override
triage-override = Send there instead
triage-add-allegation = Add an allegation
triage-identifiers = Identifiers seen (uniform, insignia, vehicle, weapon)
triage-involvement = Involvement
triage-confidence = Attribution
triage-choose = — choose —
triage-from-reports = Named in the reports
triage-all-types = All violations
triage-route = Route the allegations by the rules

cases-case = Case no. { $id }
cases-scope-mine = My cases
cases-scope-institution = My institution's cases
cases-scope-all = All, closed included
cases-empty = No case.
cases-narrowed = Cases of the events in: { $what }
cases-narrowed-clear = every case
cases-deadlines = Deadlines
cases-unassigned = unassigned
cases-back = Back to the case
cases-opened = opened on
cases-workflow = Case step
cases-next-step = Next step
cases-move = Move to this step
cases-assignee = Assigned to
cases-assign = Assign
cases-disposition = Finding
cases-standard = Standard of proof
cases-reasoning = Reasoning
cases-record-finding = Record the finding
cases-message-reporter = Write to the person who reported (they read it with their code)
cases-recommendations = Recommendations
cases-response = Authority's response
cases-addressee = To (authority)
cases-recommendation = Recommendation
cases-by = Due
cases-add-recommendation = Send the recommendation
cases-outcome = Outcome
cases-recommended = Recommended outcome
cases-final = Final outcome
cases-disciplined = Anyone disciplined
yes = Yes
no = No
cases-actions = Follow-up actions
cases-done = Done
cases-action = Action
cases-add-action = Add the action
cases-notes = Internal notes
cases-add-note = Add a note
cases-unread = { $count ->
    [one] { $count } unread message
   *[other] { $count } unread messages
}
cases-new = new
thread-reporter = The person who reported
thread-intake = Intake desk
cases-history = History

routing-hint = Rules apply in position order: the first that matches decides. An empty condition means "any". Each decision keeps the rule applied; an intake officer may override with a written reason.
routing-new = New rule
routing-position = Position
routing-type = Violation type (code)
routing-prior_approach = Administration approached first
routing-court_pending = Pending before a court
routing-children = Children harmed
routing-any = any
routing-basis-fr = Legal basis (French)
routing-basis-en = Legal basis (English)
routing-active = Active
routing-save = Save the rule
routing-err-fields = The name and the legal basis in both languages are required.
routing-err-destination = Unknown destination.
routing-err-code = Unknown code: { $code }. Choose a violation group, violation type or force from the lists.

case-status-received = Received
case-status-acknowledged = Acknowledged
case-status-triage = Preliminary review
case-status-inadmissible = Inadmissible
case-status-duplicate = Duplicate (merged)
case-status-out_of_scope = Out of scope (referred)
case-status-assigned = Assigned
case-status-investigation = Investigation
case-status-findings = Findings
case-status-recommendation_sent = Recommendation sent
case-status-awaiting_response = Awaiting response
case-status-response_received = Response received
case-status-follow_up = Implementation follow-up
case-status-closed = Closed
case-status-suspended = Suspended
case-status-reopened = Reopened
deadline-kind-acknowledge = acknowledgement
deadline-kind-triage = preliminary review
deadline-kind-response = authority's response
deadline-near = deadline near
deadline-overdue = overdue
involvement-carried_out = carried it out
involvement-ordered = ordered it
involvement-present = present
involvement-failed_to_prevent = failed to prevent or punish (command)
involvement-unknown = unknown
confidence-confirmed = attribution confirmed
confidence-probable = probable
confidence-possible = possible
confidence-unknown = unknown
case-err-transition = This step is not possible from the case's current step.
case-err-moved = The case changed meanwhile (someone else has just acted on it): here it is as it is now. Check it, then try again if it is still needed.
case-err-unassign = At the step “Assigned” someone holds the case: hand it to another person rather than to nobody.
case-err-step = This cannot be done at this step of the case.
case-err-already = This recommendation is already recorded.
case-err-reason = This step needs a written reason.
case-err-assignee = Assign the case to someone first.
case-err-text = This field is required: write something.
case-err-date = This date is not valid (YYYY-MM-DD, from 2000 to 2100).
case-err-disposition = Choose a disposition for the allegation.

dup-distance = { $km } km away
dup-same-cercle = same cercle
dup-adjacent-cercle = neighbouring cercle
dup-same-region = same region (no cercle known)
dup-same-group = violations of the same kind
dup-days = { $days ->
    [0] the same day
    [one] { $days } day apart
   *[other] { $days } days apart
}
dup-shared = { $count ->
    [one] { $count } violation in common
   *[other] { $count } violations in common
}
dup-same-force = same force

reporter-msg-inadmissible = Your report was reviewed and found inadmissible. Reason: { $reason }
reporter-msg-out_of_scope = Your report is outside the remit of the institutions behind Vigie. Please turn to: { $reason }
digest-line-near = - Case no. { $case }: { $kind }, due on { $on }: { $link }
digest-line-overdue = - Case no. { $case }: { $kind }, overdue since { $on }: { $link }
digest-line-unread = - Case no. { $case }: { $count ->
    [one] { $count } unread message
   *[other] { $count } unread messages
} from the person who reported: { $link }
digest-more = - And { $more ->
    [one] { $more } more case
   *[other] { $more } more cases
}: see your case list, { $link }

evidence-safe-copy = copy without metadata
evidence-no-copy = no safe copy could be made: only the auditor opens the original
evidence-as-uploaded = as received (may hold metadata)
evidence-original = original
evidence-sha-original = SHA-256 of the original
evidence-pdf-active = active PDF (JavaScript or automatic action): do not open it in a reader that runs scripts
evidence-pdf-unchecked = PDF only partly checked (compressed objects): open it with care

# Issue 10: the case page as a workspace, confirmations, words instead of codes.
colon = :{" "}
deadline-line = { $kind }: { $on }
deadline-ahead = ahead
cases-summary = Case summary
cases-institution = Institution
cases-nobody = Nobody
cases-me = me
cases-findings = Findings per allegation
cases-record-response = Record the response
cases-narrative = Account
cases-thread = Exchange with the person who reported
cases-step-column = Case step
cases-step-needs-reason = { $step } (reason required)
cases-reason-needed = Reason (required for: { $steps })
cases-reason-optional = Reason (optional)
cases-history-opened = Case opened by routing
cases-history-assigned = Assigned to { $name }
cases-history-unassigned = Assignment removed
cases-done-step = The case moved to the step "{ $arg }".
cases-done-assigned = Case assigned to { $arg }.
cases-done-unassigned = The case is no longer assigned to anyone.
cases-done-note = Note added.
cases-done-action = Follow-up action added.
cases-done-action-done = Follow-up action marked as done.
cases-done-action-already = This follow-up action was already marked as done.
cases-done-finding = Finding recorded.
cases-done-outcome = Outcome recorded.
cases-done-message = Message sent to the person who reported.
cases-done-recommendation = Recommendation recorded.
cases-done-response = Response recorded.
evidence-kind-image = Photo
evidence-kind-audio = Sound recording
evidence-kind-video = Video
evidence-kind-pdf = PDF document
size-kb = { $n } KB
size-mb = { $n } MB
channel-web = online form
channel-api = app
channel-monitor = filed by a monitor
method-gps = phone position
method-map = point chosen on the map
method-place = place searched
method-admin = cercle only
triage-basis-rule = Rule "{ $name }" — legal basis: { $basis }
triage-basis-override = Routed by the intake officer: { $reason }
triage-basis-rule-facts = Rule { $position } "{ $name }" ({ $conditions }) — legal basis: { $basis }
routing-cond-any = any allegation
routing-cond-group = group: { $value }
routing-cond-type = type: { $value }
routing-cond-force = force: { $value }
routing-cond-prior_approach = the administration approached first: { $value }
routing-cond-court_pending = a court case pending: { $value }
routing-cond-children = children involved: { $value }
routing-yes-no-yes = yes
routing-yes-no-no = no
routing-cond-separator = {"; "}
triage-err-decision = Choose a decision.
triage-err-reason = A reason is required to declare a report inadmissible or out of scope.
triage-err-title = Give the event a title.
triage-err-already-linked = This report has just been put into an event by someone else: nothing was created. Its event:
triage-err-violation = Choose the violation.
triage-err-force = Choose the force.
triage-err-victims = The number of victims is a whole number from 0 to 100,000, or nothing if not known.
triage-err-override = Write why you route it elsewhere.
triage-done-admissibility = Decision recorded: { $arg }.
triage-done-admissibility-already = This decision was already recorded: { $arg }. Nothing more was sent.
triage-err-routed = This report is in an event already routed to an institution: its admissibility is now decided in the cases.
triage-done-event = Event no. { $arg } opened.
triage-done-linked = Report no. { $arg } linked to this event.
triage-done-allegation = Allegation no. { $arg } added.
triage-done-routed = { $arg ->
    [0] No allegation could be routed by the rules: choose the destination.
    [one] { $arg } allegation routed.
   *[other] { $arg } allegations routed.
}
triage-done-override = Allegation no. { $arg } routed elsewhere.
triage-done-routed-none = Nothing to route: every allegation of this event already has a destination (someone else may have just routed them).
triage-correct = Correct
triage-correct-title = Correct allegation no. { $id }
triage-correct-recorded = Recorded:
triage-correct-unit = Tied to the unit { $unit }: if the force changes to another, the allegation is untied from it (a unit belongs to one force).
triage-correct-reason = Why it is corrected
triage-correct-save = Save the correction
triage-correct-finding = A finding was recorded on this allegation: it can no longer be corrected. The institution that made the finding can review it in its case.
triage-correct-back = Back to the event
triage-err-correct-reason = Write why you correct this allegation.
triage-err-correct-moved = This allegation changed since the form was shown (someone else corrected it, or a finding was recorded): nothing was saved. It is shown as it is now; your values stayed in the form: check them and save again.
triage-done-corrected = Allegation no. { $arg } corrected.
triage-done-corrected-untied = Allegation no. { $arg } corrected. It was untied from its unit, which belongs to another force: tie it to a unit of its force.
triage-done-unchanged = Nothing changed in allegation no. { $arg }: nothing was saved.
triage-rules-now = The rules would now route it to: { $to }. Route it elsewhere below if its destination should change.
triage-count = { $count ->
    [one] { $count } report
   *[other] { $count } reports
}
triage-count-more = More than { $count } reports
triage-sort = Order
triage-sort-oldest = oldest first
triage-sort-newest = newest first
triage-evidence = { $count ->
    [one] { $count } file
   *[other] { $count } files
}
triage-excerpt = Excerpt
triage-files = Attached files
triage-merge-title = Title of the new event
triage-merge = New event with this report and no. { $id }
evidence-thumb-alt = Preview of the photo (copy without metadata)
report-sealed-nokey = This report is encrypted and your account does not hold its key yet: a colleague who holds it gives it to you at their next sign-in (see "My account").
report-sealed-refused = This report's encrypted text was changed in the database: it is refused and not shown. Tell the administrator.
report-identity-withheld = The reporter gave a name or a contact: only the institution holding the case sees them.

# Issue 17: the narrative told by voice, staff side.
staff-voice-narrative = Recorded narrative (voice)
staff-transcribe = Transcribe and translate
staff-transcription = Transcription (what the recording says, in its language)
staff-translation = French translation
staff-transcription-save = Save the transcription
staff-transcribed-by = Transcribed by { $who }
transcription-saved = The transcription is saved.
cases-voice-answer = Answer with a voice message
cases-voice-answer-hint = For someone who does not read: a recording (Ogg, WebM, MP3, AMR…) they play from their follow-up page.
cases-voice-send = Send the voice message
staff-voice-message = Voice message of the thread (to transcribe)

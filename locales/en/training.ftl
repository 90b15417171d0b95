# Issue 12: the trainers' side.
staff-training = Training
training-gaps = Training gaps
training-sessions = Sessions
training-session = Session
remediation-sessions = The action's sessions (one or more: cohorts, a refresher)
remediation-no-session = No session of your partner for this unit and module yet. Plan one under “Sessions”.
training-remediation = Remediation actions
training-units = Units
training-unit = Unit
training-partners = Partners
training-partner = Partner
training-from = From month
training-to = To month
training-region = Region
training-evidence = Evidence
training-evidence-substantiated = Substantiated only
training-evidence-credible = Also under investigation (confirmed or probable)
training-min = Threshold (allegations)
training-apply = Show
training-gap-list = Units and modules
training-gap-hint = A gap: at least { $min } allegations against a unit whose module was never delivered, or that went on afterwards.
training-none = Nothing for these filters.
training-module = Module
training-modules = Modules
training-standing = Standing
training-standing-never_trained = Never trained
training-standing-trained_continuing = Trained, continuing
training-standing-trained = Trained
training-standing-no_pattern = No pattern
training-count = Allegations
training-since = { $n } since
training-last-delivery = Last delivery
training-open-remediation = Open an action
training-csv = Download (CSV)
training-flags = Flags
training-trend = Per quarter: { $unit }
training-matrix = Allegations by violation and unit
training-norms = Norms broken
training-delivered = Delivered sessions
training-dates = Dates
training-effect = Effect
training-parent = Parent unit
training-strength = Strength (approximate)
training-edit = Edit
training-unit-new = New unit
training-unit-name = Unit name
training-save = Save
training-partner-kind = Kind
training-kind-national_school = National school
training-kind-international = International partner
training-members = Trainers
training-partner-new = New partner
training-mine = My partner's sessions
training-others = What the other partners plan
training-plan = Plan a session
training-plan-button = Plan
training-status = Status
training-status-planned = Planned
training-status-confirmed = Confirmed
training-status-delivered = Delivered
training-status-cancelled = Cancelled
training-move-confirmed = Confirm
training-move-delivered = Delivered
training-move-cancelled = Cancel
training-held-from = Held from
training-held-to = to
training-attendance = Attendance
training-pre = Pre-test (%)
training-post = Post-test (%)
training-go-ahead = Kept despite a duplicate
training-go-ahead-label = Why keep this session despite another partner's offer?
training-duplicate-warning = Another partner already offers the same module to the same unit within { $days } days. You may keep yours by writing why; both partners will be told.
training-duplicate-flag = Possible duplicate of:
training-session-delivered = Session delivered
training-quarter = { $year }-Q{ $q }
training-attach = Attach the allegation to a unit
training-suggested = Units recognised in the account
training-err-unit-name = Write the unit's name (at most 120 characters).
training-err-unit-taken = This force already has a unit of that name.
training-err-force = Choose a force.
training-err-region = Choose a region from the list.
training-err-strength = The strength is a positive whole number.
training-err-parent = Choose another unit from the list.
training-err-partner-name = Write the partner's name.
training-err-partner-taken = This partner already exists.
training-err-partner-kind = Choose a kind.
training-err-no-partner = Your account belongs to no partner: ask an administrator.
training-err-modules = Choose at least one module.
training-err-units = Choose at least one unit.
training-err-date = A date is expected as YYYY-MM-DD.
training-err-dates-order = The end comes after the start.
training-err-duplicate = Write why this session should go ahead, or change it.
training-err-held-dates = Give the dates the session was held.
training-err-held-future = A session cannot be delivered on a date still to come.
training-err-attendance = Attendance is a whole number.
training-err-score = A score is a percentage between 0 and 100.
training-err-session-move = This session cannot move to that status.
training-err-date-range = Enter a date from 2000 to ten years from now.
training-err-span = A session lasts a year at most.
training-err-attendance-max = More participants than the units number ({ $max } in all).
training-err-text-long = At most 2,000 characters.
training-err-strength-max = The strength is at most 100,000.
training-err-parent-loop = This unit is already above the one you edit: choose another parent.
training-err-parent-force = The parent unit belongs to another force.
training-err-partner-choice = Choose a partner from the list.
training-done-planned-already = This session was already planned (session { $arg }): nothing was added.
remediation-err-final = This action is closed or escalated: it no longer changes.
remediation-err-keep-module = At this step the action needs its module: keep one.
remediation-err-keep-session = At this step the action needs its session: keep one.
remediation-err-keep-delivered = At this step the action's session must be a delivered one.
remediation-done-open = Action opened.
remediation-done-already = This action already exists (action { $arg }): nothing was added.
remediation-done-key-already = This key action was already done.
training-done-unit = Unit saved.
training-done-partner = Partner saved.
training-done-member = Trainer assigned.
training-done-planned = Session { $arg } planned.
training-done-session = Session updated.
training-done-attached = Allegation attached.
remediation-issue = Issue
remediation-new = New action
remediation-next = Next step
remediation-reason = Reason
remediation-reason-needed = reason required
remediation-key-actions = Key actions
remediation-key-action = Key action
remediation-due = Deadline
remediation-done = Done
remediation-lessons = Module, session and lessons
remediation-lessons-unit = For the unit
remediation-lessons-institution = For the institution
remediation-review-on = Review on
remediation-step-gap_identified = Gap identified
remediation-step-module_assigned = Module assigned
remediation-step-planned = Planned
remediation-step-delivered = Delivered
remediation-step-evaluated = Evaluated
remediation-step-reviewed = Reviewed
remediation-step-closed = Closed
remediation-step-escalated = Escalated
remediation-err-move = This move is not possible from the current step.
remediation-err-reason = This step needs a written reason.
remediation-err-issue = Describe the issue.
remediation-err-description = Describe the action.
remediation-carried-by = carried by
remediation-not-mine = Another partner carries this action: you can read it, not change it.
remediation-err-module = Choose the action's module first (the "Module, session and lessons" form below).
remediation-err-session = Choose the action's session first (the "Module, session and lessons" form below).
remediation-err-delivery = The action's session is not delivered yet.
remediation-err-review-due = An action is reviewed on its review date or later, and at least { $months } whole months after the month one of its sessions was delivered: the effect is measured on those months. Set a review date and wait for it.
remediation-err-session-choice = Choose one of your partner's sessions for the action's unit, teaching its module (not a cancelled one).
remediation-err-session-module = This session does not teach the action's module: choose a session of that module, or change the module.
remediation-err-module-choice = Choose a module from the list.
remediation-err-unit-choice = Choose a unit from the list.
training-err-unit-force = This unit is not of the allegation's force: choose a unit of that force (create it under “Units” if it is missing), or correct the allegation's force from its event page if that is what is wrong.
training-err-unit-force-tied = Allegations are tied to this unit: its force no longer changes. If it belongs to another force, create it in that one.
remediation-done-step = Step: { $arg }.
remediation-done-key = Key action saved.
remediation-done-lessons = Lessons saved.
mail-training-duplicate-subject = Vigie: two training offers overlap
mail-training-duplicate-body =
    Hello,

    A session has just been planned:
    { $plan }

    It overlaps with:
    { $others }

    See the sessions: { $link }
mail-remediation-review-subject = Vigie: a remediation action is due for review
mail-remediation-review-body =
    Hello,

    The review date of a remediation action has come: { $link }
mail-remediation-overdue-subject = Vigie: a key action is overdue
mail-remediation-overdue-body =
    Hello,

    A key action is past its deadline: { $link }

# Early-warning page and measured effect
flags-statistical = Statistical method (funnel)
flags-statistical-hint = Each unit against what the units of its force would give at the same strength (rate per head), and each of its violation groups against its other allegations (the share the group has in the force's other units), both weighed together with the unit's size and the spread between units: the probability that the unit's rate of some violations is above its peers'. The most likely units are listed, as many as keep the expected share of units without a problem among them at { $fdr } % at most. A total in bold is over its 99 % limit.
flags-threshold = Threshold method
flags-threshold-hint = A unit is flagged as soon as { $n } allegations fall within { $days } days, whatever its size.
flags-observed = Observed
flags-expected = Expected
flags-ratio = Ratio
flags-limit = Limit
flags-posterior = Probability
flags-in-window = Most in { $days } days
flags-groups = Violations out of line
flags-group-counts = { $group }: { $observed } where { $expected } expected
flags-strength = strength { $n }
effect-verdict-improved = Improved
effect-verdict-no_change = No measurable change
effect-verdict-worse = Worse
effect-verdict-too_few_data = Too few data to say
effect-window = Windows
effect-window-value = { $months } whole months before and after the month of delivery ({ $month }), which is in neither
effect-unit = Trained unit, before → after
effect-rate-ratio = rate ratio
effect-ci = 95 % CI
effect-comparison = Untrained comparable units ({ $n })
effect-ratio-of-ratios = Ratio of ratios
effect-hint = The verdict reads the interval of the ratio of ratios (of the unit's own ratio when the comparison units have too few data): wholly below 1, improved; wholly above, worse; otherwise no measurable change.

# A case's recommendation proposed as training remediation (by the case worker)
training-from-case-hint = A substantiated finding names a unit: propose a remediation action to the trainers (unit, module, nothing from the case).
training-from-case-button = Plan training remediation
training-from-case-issue = An institution's recommendation: { $violation }
training-from-case-done = { $arg ->
    [one] One remediation action proposed to the trainers.
   *[other] { $arg } remediation actions proposed to the trainers.
}
training-from-case-no-recommendation = Record a recommendation first.
training-from-case-no-finding = No substantiated finding of this case is tied to a unit.
training-from-case-already = A remediation action has already been proposed for every unit of this case.
remediation-from-case = an institution's recommendation

# Grouping the analysis by unit, force or region
training-by = Group by
training-by-unit = Unit
training-by-force = Force
training-by-region = Region
training-grouped = Gaps grouped
training-rows-shown = The first { $shown } rows of { $total }; every row is in the CSV file. The filters above narrow the list.
training-legend = Norms broken and modules, by violation
remediation-list-open = Open
remediation-list-all = All
remediation-list-mine = My partner's, and those nobody carries yet
remediation-list-count = { $n ->
    [0] No action
    [one] One action
   *[other] { $n } actions
} · page { $page } of { $pages }
remediation-list-previous = Previous page
remediation-list-next = Next page
flags-rows-shown = The first { $shown } of { $total }; all of them are in the JSON below.

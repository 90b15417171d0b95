# Issue 9: roles granted with four eyes (item 9).
admin-grants = Roles awaiting approval
admin-grants-hint = A role that opens cases or identities (admin, intake, investigator, ombudsman, auditor) takes effect only when a second admin approves it. Auditors are told.
admin-grant-requested-by = Requested by
admin-grant-approve = Approve
admin-grant-refuse = Refuse
admin-grant-other-admin = For another admin to decide
admin-role-four-eyes = You cannot change your own role. The admin, intake, investigator, ombudsman and auditor roles wait for a second admin's approval; an account created with one of them stays disabled until then.
audit-grants = Recently granted roles
audit-grant-state-pending = pending
audit-grant-state-approved = approved
audit-grant-state-refused = refused
mail-role-grant-subject = Vigie: role of account no. { $user } ({ $what ->
        [requested] requested
        [approved] approved
       *[refused] refused
    })
mail-role-grant-body =
    Hello,

    A sensitive role of account no. { $user } was { $what ->
        [requested] requested
        [approved] approved
       *[refused] refused
    } by an admin. The details are in the audit log:

    { $link }
# Item 3: each institution has its own thread with the reporter.
status-reply-to = To
status-reply-to-hint = Only this institution will read your message.

# Mail. Never a narrative, a name or a place: a link only.
mail-password-reset-subject = Vigie: choose a new password
mail-password-reset-body =
    Hello,

    A password reset was requested for your Vigie account.
    To choose a new password, open this link (valid { $hours } hour(s), once):

    { $link }

    If you asked for nothing, ignore this message: your password does not change.
mail-welcome-subject = Vigie: your account was created
mail-welcome-body =
    Hello,

    A Vigie account was created for you. To choose your password, open this link
    (valid { $hours } hours, once):

    { $link }
mail-case-assigned-subject = Vigie: case no. { $case } is assigned to you
mail-case-assigned-body =
    Hello,

    Case no. { $case } was assigned to you. Open it here:

    { $link }
mail-reporter-message-subject = Vigie: new message in case no. { $case }
mail-reporter-message-body =
    Hello,

    The person who reported wrote a new message in case no. { $case }. Read it here:

    { $link }
mail-digest-subject = Vigie: your cases today ({ $count })
mail-digest-body =
    Hello,

    These cases you follow need you: a deadline near or passed, or messages from the person who reported that you have not read yet:

    { $items }

    You get this summary at most once a day. You can switch it off on your account page: { $account }

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

# Courriels. Jamais de récit, de nom ni de lieu : un lien seulement.
mail-password-reset-subject = Vigie : choisir un nouveau mot de passe
mail-password-reset-body =
    Bonjour,

    Une réinitialisation du mot de passe de votre compte Vigie a été demandée.
    Pour choisir un nouveau mot de passe, ouvrez ce lien (valable { $hours } heure(s), une seule fois) :

    { $link }

    Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.
mail-welcome-subject = Vigie : votre compte a été créé
mail-welcome-body =
    Bonjour,

    Un compte Vigie a été créé pour vous. Pour choisir votre mot de passe, ouvrez ce lien
    (valable { $hours } heures, une seule fois) :

    { $link }

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
mail-case-assigned-subject = Vigie : le dossier n° { $case } vous est attribué
mail-case-assigned-body =
    Bonjour,

    Le dossier n° { $case } vous a été attribué. Ouvrez-le ici :

    { $link }
mail-reporter-message-subject = Vigie : nouveau message dans le dossier n° { $case }
mail-reporter-message-body =
    Bonjour,

    La personne qui a signalé a écrit un nouveau message dans le dossier n° { $case }. Lisez-le ici :

    { $link }
mail-deadline-near-subject = Vigie : échéance proche, dossier n° { $case }
mail-deadline-near-body =
    Bonjour,

    L'échéance « { $kind } » du dossier n° { $case } arrive le { $on }.

    { $link }
mail-deadline-overdue-subject = Vigie : échéance dépassée, dossier n° { $case }
mail-deadline-overdue-body =
    Bonjour,

    L'échéance « { $kind } » du dossier n° { $case } est dépassée depuis le { $on }.

    { $link }

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
mail-digest-subject = Vigie : vos dossiers du jour ({ $count })
mail-digest-body =
    Bonjour,

    Ces dossiers qui vous concernent vous attendent : une échéance proche ou dépassée, ou des messages de la personne qui a signalé que vous n'avez pas encore lus :

    { $items }

    Vous recevez ce résumé au plus une fois par jour. Vous pouvez le désactiver sur la page de votre compte : { $account }

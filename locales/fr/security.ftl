# Issue 9: rôles accordés à quatre yeux (point 9).
admin-grants = Rôles en attente d'approbation
admin-grants-hint = Un rôle qui ouvre des dossiers ou des identités (administration, accueil, enquête, Médiateur, audit) ne prend effet que lorsqu'un second administrateur l'approuve. Les auditeurs en sont informés.
admin-grant-requested-by = Demandé par
admin-grant-approve = Approuver
admin-grant-refuse = Refuser
admin-grant-other-admin = À décider par un autre administrateur
admin-role-four-eyes = Vous ne pouvez pas changer votre propre rôle. Les rôles d'administration, d'accueil, d'enquête, du Médiateur et d'audit attendent l'approbation d'un second administrateur ; un compte créé avec l'un d'eux reste désactivé jusque-là.
audit-grants = Rôles accordés récemment
audit-grant-state-pending = en attente
audit-grant-state-approved = approuvé
audit-grant-state-refused = refusé
mail-role-grant-subject = Vigie : rôle du compte n° { $user } ({ $what ->
        [requested] demandé
        [approved] approuvé
       *[refused] refusé
    })
mail-role-grant-body =
    Bonjour,

    Un rôle sensible du compte n° { $user } a été { $what ->
        [requested] demandé
        [approved] approuvé
       *[refused] refusé
    } par un administrateur. Le détail est dans le journal d'audit :

    { $link }
# Point 3 : chaque institution a son fil de messages avec la personne.
status-reply-to = Destinataire
status-reply-to-hint = Votre message ne sera lu que par cette institution.

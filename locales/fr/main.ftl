# Le cadre commun des pages.
lang-name = Français
site-name = Vigie
nav-language = Langue
nav-report = Signaler un abus
nav-follow = Suivre mon signalement
nav-about = À propos
nav-stats = Statistiques
nav-staff = Espace du personnel

error-403-title = Demande refusée
error-403-text = Cette demande ne venait pas d'une page de Vigie : elle n'a pas été prise en compte. Ouvrez Vigie directement et recommencez.
error-404-title = Page introuvable
error-404-text = Cette page n'existe pas, ou vous n'avez pas le droit de la voir.
error-400-title = Demande incorrecte
error-400-text = La demande n'a pas pu être comprise. Revenez en arrière et réessayez.
error-413-title = Fichier trop lourd
error-413-text = Ce que vous avez envoyé dépasse la taille permise (un fichier trop lourd, ou un texte trop long). Revenez en arrière avec le bouton « Retour » du navigateur : le plus souvent, ce que vous aviez écrit y est encore.
error-429-title = Trop d'essais
error-429-text = Trop d'essais en peu de temps. Attendez un peu, puis réessayez. Revenez en arrière avec le bouton « Retour » du navigateur : le plus souvent, ce que vous aviez écrit y est encore.
error-500-title = Une erreur est survenue
error-500-text = Le serveur n'a pas pu répondre. Rien de ce que vous avez envoyé n'a été enregistré à moitié. Réessayez dans un moment.
error-503-title = Le serveur est occupé
error-503-text = Rien n'a été enregistré. Revenez à la page précédente avec le bouton « Retour » de votre navigateur : ce que vous aviez écrit y est encore. Renvoyez-le dans un moment.
error-home = Retour à l'accueil

about-title = À propos de Vigie
about-what = Vigie recueille les signalements d'abus commis par les Forces de défense et de sécurité du Mali, les transmet à l'institution compétente (Commission nationale des droits de l'homme, Médiateur de la République) et suit chaque dossier jusqu'à sa clôture.
about-safety-title = Votre sécurité
about-safety-anonymous = Vous pouvez signaler sans donner votre nom. Votre nom et votre contact, si vous les donnez, ne sont vus que par l'institution qui traite le dossier.
about-safety-nolog = Vigie n'enregistre ni votre adresse IP, ni votre appareil, ni l'heure de votre visite. Aucune page ne charge de contenu d'un autre site.
about-safety-receipt = Le code de suivi n'est montré qu'une fois. Vigie n'en garde qu'une empreinte chiffrée : personne ne peut le retrouver pour vous.
about-data-title = Données géographiques
about-data-boundaries = Limites administratives : Who's On First (whosonfirst.org), d'après les limites administratives du Mali d'OCHA (HDX),
about-data-places = Noms de lieux :
about-licence = licence

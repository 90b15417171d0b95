# The gazetteer: places admins add, and what tells apart places of the same name.
staff-places = Lieux
places-hint = Les lieux que le répertoire livré ne connaît pas (villages, hameaux) peuvent être ajoutés ici. Ils sont trouvés aussitôt par la recherche de lieux du formulaire public et de l'API. Les lieux livrés ne se modifient pas.
places-none = Aucun lieu n'a encore été ajouté.
places-name = Nom
places-where = Où
places-added-by = Ajouté par
places-edit = Modifier
places-new = Ajouter un lieu
places-edit-title = Modifier « { $name } »
places-form-hint = Latitude et longitude en degrés décimaux (par exemple 14.29 et -3.64). La région et le cercle sont déduits du point ; si vous choisissez un cercle, le point doit s'y trouver.
places-alt-names = Autres noms ou orthographes (séparés par des virgules)
places-lat = Latitude (degrés décimaux)
places-lon = Longitude (degrés décimaux)
places-cercle = Cercle
places-cercle-computed = Déduit du point
places-add = Ajouter le lieu
places-save = Enregistrer
places-cancel = Annuler
place-added = Lieu « { $arg } » ajouté.
place-updated = Lieu « { $arg } » modifié.
place-disabled = Lieu « { $arg } » désactivé : il n'est plus proposé.
place-enabled = Lieu « { $arg } » réactivé.
place-err-name = Indiquez le nom du lieu (100 caractères au plus).
place-err-alt-names = Chaque autre nom compte 100 caractères au plus, 1000 en tout.
place-err-lat = Latitude invalide : un nombre de degrés décimaux entre -90 et 90, par exemple 14.29.
place-err-lon = Longitude invalide : un nombre de degrés décimaux entre -180 et 180, par exemple -3.64.
place-err-outside = Ce point n'est pas au Mali.
place-err-cercle = Cercle inconnu.
place-err-not-in-cercle = Ce point n'est pas dans le cercle choisi : il est dans le cercle de { $cercle }.
# What tells apart two places of the same name in one cercle.
place-hint-from = { $km } km { $compass } { $vowel ->
    [yes] d'{ $place }
   *[no] de { $place }
}
place-hint-coordinates = { $lat }, { $lon }
compass-n = N
compass-ne = NE
compass-e = E
compass-se = SE
compass-s = S
compass-sw = SO
compass-w = O
compass-nw = NO

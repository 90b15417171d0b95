# Bamanankan — FIRST VERSION, TO BE REVIEWED BY A NATIVE SPEAKER before use with reporters.
# Première version, à faire relire par un locuteur natif avant tout usage.
# Signalements par SMS et USSD (issue 16): mots neutres (ni « abus », ni nom d'institution);
# écrans USSD de 160 caractères au plus (un test le vérifie).
#
# Terms used here (to keep consistent with locales/bm/GLOSSARY.md):
#   signalement / report ........ kunnafoni (ka kunnafoni di: to report)
#   dossier / file .............. dosiye
#   code (reçu) / receipt ....... kode
#   région / region ............. mara
#   cercle ...................... serikili
#   lieu / place ................ yɔrɔ
#   force (FDS) ................. marifatigiw (who were they: olu tun ye jɔn ye)
#   date ........................ don
ch-lang = Langue / Kan
ch-task = I ni ce
ch-task-report = Ka kunnafoni di
ch-task-status = Ka dosiye kɔlɔsi
ch-receipt = I ka kode sɛbɛn (nimɔrɔ 16)
ch-group = Mun kɛra?
ch-type = A ɲɛfɔ
ch-when = Tuma jumɛn?
ch-when-today = Bi
ch-when-yesterday = Kunun
ch-when-week = Nin dɔgɔkun in kɔnɔ
ch-when-date = Don wɛrɛ
ch-when-unknown = N t'a dɔn
ch-date = Don sɛbɛn: TTKKSSSS (misali: 03112026)
ch-where = Min?
ch-where-list = Mara ni serikili sugandi
ch-where-name = Yɔrɔ tɔgɔ sɛbɛn
ch-region = Mara?
ch-cercle = Serikili?
ch-cercle-unknown = N t'a dɔn
ch-place-name = Dugu, kin walima yɔrɔ tɔgɔ sɛbɛn
ch-place = Jumɛn?
ch-place-none = Yɔrɔ si ma sɔrɔ.
ch-place-again = Tɔgɔ wɛrɛ
ch-force = Olu tun ye jɔn ye?
ch-narrative = Mun kɛra, o fɔ kuma dama dɔ la (0: ka tɛmɛ)
ch-keep = I b'a fɛ ka jaabiw sɔrɔ SMS fɛ nin nimɔrɔ in kan wa?
ch-yes = Ɔwɔ
ch-no = Ayi
ch-confirm = K'a ci wa?
ch-send = A ci
ch-cancel = A dabila
ch-more = A tɔ
ch-invalid = O sugandili ma ɲɛ.
ch-done = I ni ce. I ka kode: { $receipt }. A sɛbɛn: a bɛ dosiye kɔlɔsi.
ch-cancelled = A dabilara. Foyi ma mara.
ch-stopped = Baro banna. Foyi ma mara.
ch-status = Dosiye: { $status }.
ch-status-unknown = O kode ma dɔn.
ch-limited = Cikan ka ca. Segin a kan kɔfɛ.
ch-failed = Gɛlɛya dɔ donna. Segin a kan kɔfɛ.
ch-no-description = (Telefɔni fɛ, ɲɛfɔli tɛ / reçu par téléphone, sans description.)
channel-sms = SMS
channel-ussd = USSD
case-sms-reply = Ce déclarant a accepté les réponses par SMS : votre message partira par SMS vers son téléphone. Écrivez des mots neutres (ni « abus », ni nom d'institution).

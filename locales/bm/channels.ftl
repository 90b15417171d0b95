# Bamanankan — first version, to be reviewed by a native speaker. Terms: see GLOSSARY.md.
# Première version, à faire relire par un locuteur natif avant tout usage.
# Signalements par SMS et USSD (issue 16): mots neutres (ni « abus » / tɔɔrɔli, ni nom
# d'institution); écrans USSD de 160 caractères au plus (un test le vérifie). Sur les téléphones
# ɛ, ɔ, ɲ partent écrits è, ò, ny (channels::conversation::for_phone).
#
# Glossary terms used: kɔrɔfɔ (signaler), kɔlɔsili nimɔrɔ / nimɔrɔden (code de suivi / chiffre),
# ko (dossier), kɔlɔsi (suivre), mara, serikili, cikan (message), ci (envoyer), jaabi (répondre).
# Not in the glossary yet (check): tuma jumɛn (quand), yɔrɔ (lieu), don (date), dɔgɔkun (semaine),
# a tɔ (la suite d'une liste), dabila (annuler), baro (conversation).
ch-lang = Langue / Kan
ch-task = I ni ce
ch-task-report = Ko dɔ kɔrɔfɔ
ch-task-status = I ka ko kɔlɔsi
ch-receipt = I ka kɔlɔsili nimɔrɔ sɛbɛn (nimɔrɔden 16)
ch-group = Mun de kɛra?
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
ch-done = I ni ce. I ka kɔlɔsili nimɔrɔ: { $receipt }. A sɛbɛn: a bɛ i ka ko kɔlɔsi.
ch-cancelled = A dabilara. Foyi ma mara.
ch-stopped = Baro banna. Foyi ma mara.
ch-status = I ka ko: { $status }.
ch-status-unknown = O nimɔrɔ ma dɔn.
ch-limited = Cikan ka ca. Segin a kan kɔfɛ.
ch-failed = Gɛlɛya dɔ donna. Segin a kan kɔfɛ.
ch-no-description = (Telefɔni fɛ, ɲɛfɔli tɛ / reçu par téléphone, sans description.)

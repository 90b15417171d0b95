# Bamanankan — first version, to be reviewed by a native speaker. Terms: see GLOSSARY.md.
# Ɲɛw bɛɛ ka kɛrɛw. (Le cadre commun des pages.)
lang-name = Bamanankan
lang-draft = Bamanankan baara fɔlɔ don, bamanankanfɔla dɔ ka kan k'a lajɛ. — Première version, à relire par un locuteur natif.
site-name = Vigie
nav-language = Kan
nav-report = Tɔɔrɔli dɔ kɔrɔfɔ
nav-follow = N ka kɔrɔfɔ kɔlɔsi
nav-about = Vigie ko
nav-stats = Jateminɛw
nav-staff = Baarakɛlaw ka yɔrɔ

error-404-title = Ɲɛ in ma sɔrɔ
error-404-text = Nin ɲɛ in tɛ yen, walima i ma yamaruya sɔrɔ k'a lajɛ.
error-400-title = Ɲininkali ma ɲɛ
error-400-text = Ɲininkali ma faamu. Segin kɔfɛ ka a kɛ kokura.
error-413-title = Fisiye ka bon kojugu
error-413-text = I ye min ci, o ka bon ka tɛmɛ dan kan.
error-429-title = Siɲɛ ka ca kojugu
error-429-text = I y'a kɛ siɲɛ caman waati surun kɔnɔ. I ka mɛn dɔɔnin, ka sɔrɔ k'a kɛ kokura.
error-500-title = Fili dɔ donna
error-500-text = Sɛriwɛri ma se ka jaabi di. I ye min ci, o si ma sɛbɛn tilancɛ la. A kɛ kokura waati dɔɔnin kɔfɛ.
error-503-title = Sɛriwɛri bɛ baara caman na
error-503-text = Foyi ma sɛbɛn. Segin ɲɛ tɛmɛnen na ni i ka nawigatɛri « Retour » butɔn ye: i tun ye min sɛbɛn, o bɛ yen hali bi. A ci kokura waati dɔɔnin kɔfɛ.
error-home = Segin daminɛ ɲɛ kan

about-title = Vigie ko
about-what = Vigie bɛ kɔrɔfɔw sɔrɔ Mali jamana lafasali ni lakanali kuluw (FDS) ka tɔɔrɔliw kan, ka u ci cakɛda ma min bɛ se k'u ɲɛnabɔ (Hadamaden josiraw jamana komisɔn (CNDH), Médiateur de la République), ka ko kelen-kelen bɛɛ kɔlɔsi fo a ka datugu.
about-safety-title = I lakanani
about-safety-anonymous = I bɛ se ka kɔrɔfɔ kɛ k'a sɔrɔ i ma i tɔgɔ fɔ. Ni i ye i tɔgɔ ni i sɔrɔ cogo fɔ, cakɛda min bɛ i ka ko ɲɛnabɔ, o dɔrɔn de bɛ u ye.
about-safety-nolog = Vigie tɛ i ka adrɛsi IP mara, a tɛ i ka telefɔni walima i ka minɛn mara, a tɛ i nali waati mara. Ɲɛ si tɛ fɛn ta siti wɛrɛ la.
about-safety-receipt = Kɔlɔsili nimɔrɔ bɛ jira siɲɛ kelen dɔrɔn. Vigie tɛ nimɔrɔ yɛrɛ mara, a taamasiyɛn gundoman dɔrɔn de bɛ mara: mɔgɔ si tɛ se k'a sɔrɔ ka a di i ma.
about-data-title = Yɔrɔw kunnafoniw (jamanaja)
about-data-boundaries = Marayɔrɔw danw: Who's On First (whosonfirst.org), ka da OCHA (HDX) ka Mali marayɔrɔw danw kan,
about-data-places = Yɔrɔw tɔgɔw:
about-licence = lisansi

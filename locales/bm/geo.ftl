# Bamanankan — first version, to be reviewed by a native speaker. Terms: see GLOSSARY.md.
# The compass points of the place hints (« 5 km N … »): the abbreviations of Mali's maps,
# which are French; a reviewer may prefer saheli (N), worodugu (S), kɔrɔn (E), tilebin (W).
compass-n = N
compass-ne = NE
compass-e = E
compass-se = SE
compass-s = S
compass-sw = SO
compass-w = O
compass-nw = NO

"""Mac Roman or cp1252: facemetrics.batch.discover's rule on one-name manifests, stop 56 (docs/validation.md §12,
"Round 12").

    PYTHONPATH=. python bench/audit_manifest_encoding_s56.py

Each name alone in a manifest row (the hardest case: nothing else in the file tells), saved as Windows Excel's
"CSV (Comma delimited)" (cp1252) and as Excel for Mac's "CSV (Macintosh)" (Mac Roman, CR line ends), read by
``discover._manifest_decoded``; then 31 cp1252 texts with marks a clinic's sheet may hold (Botox®, ¿Qué?, O´Brien,
Smith–Jones, a typing slip O‘Brien, ...).  A cp1252 file read as Mac Roman is the error the rule must not make.
"""
from pathlib import Path
from facemetrics.batch.discover import _manifest_decoded
NAMES = """Zoë Chloé José Renée Hélène Müller Jörg Björn Günther Ångström Søren Åsa Øystein Muñoz Peña Núñez María
Lucía Inés Joaquín Sofía Ramón François Françoise Garçon Léa Noël Anaïs Loïc Zoé Maëlle Gaëlle Thérèse Jérôme
Benoît Château Crème Côte Aimée Désirée Raphaël Mikaël Joël Citroën Brontë Schön Grüße Straße Fußball Bäcker
Köhler Möller Nüßlein Jürgen Sébastien Étienne Élodie Ève Ólafur Þór Dvořák Šárka Škoda Žofie Œuvre Ærø
João Conceição Gonçalves Simões Magalhães Estêvão Cecília Antônio Vitória O’Brien D’Angelo L’Oréal Smith–Jones
“RF” café.jpg naïve señor Ñandú Àlex Ìgor Ùrsula""".split()
out = {"cp1252 read right": 0, "cp1252 read as Mac Roman": [], "cp1252 unencodable": 0,
       "mac read right": 0, "mac read as cp1252 (note shows)": [], "mac unencodable": 0}
for n in NAMES:
    line = f"photo;subject\r\na.jpg;{n}\r\n"
    try:
        t, enc = _manifest_decoded(Path("m.csv"), line.encode("cp1252"))
        if t == line and enc == "cp1252": out["cp1252 read right"] += 1
        else: out["cp1252 read as Mac Roman"].append((n, t.split(";")[-1].strip()))
    except UnicodeEncodeError:
        out["cp1252 unencodable"] += 1
    try:
        t, enc = _manifest_decoded(Path("m.csv"), line.replace("\r\n", "\r").encode("mac_roman"))
        if enc == "mac_roman" and t == line.replace("\r\n", "\r"): out["mac read right"] += 1
        else: out["mac read as cp1252 (note shows)"].append((n, t.split(";")[-1].strip()))
    except UnicodeEncodeError:
        out["mac unencodable"] += 1
print(len(NAMES), "names")
for k, v in out.items(): print(k, v if isinstance(v, int) else f"{len(v)}: {v}")
TEXTS = ["Botox®", "¿Qué?", "O´Brien", "Nº 5", "5 µm", "50 %", "Art. § 5", "Smith–Jones", "word—word", "ƒ/2.8",
         "“RF”", "‘RF’", "«RF»", "½ dose", "Zoë Œ", "Šárka’s “RF”", "5€", "RF™", "day 1…3", "a • b", "x†", "Ann‘s",
         "T°C", "±2", "naïve café", "O‘Brien", "Zoë O’Brien", "Jörg—rf", "Botox®RF", "L'Oréal", "Mme Lefèvre"]
bad = []
for t in TEXTS:
    line = f"photo;subject\r\na.jpg;{t}\r\n"
    got, enc = _manifest_decoded(Path("m.csv"), line.encode("cp1252"))
    if got != line: bad.append((t, got.split(";")[-1].strip(), enc))
print(len(TEXTS), "cp1252 texts with marks; read wrong:", bad)

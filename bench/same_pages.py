"""Two versions of the atlas, the same /suche pages? For a change that is to make the search cheaper, not other.

    .venv/bin/python bench/same_pages.py /tmp/old --database DIR                  # the other version against this one
    .venv/bin/python bench/same_pages.py /tmp/old /tmp/new --database DIR --count 2000

OLD and NEW (by default this checkout) are source trees with their catalogues compiled, as for bench/paired.py; each
side answers on its own copy of DIR. Asked of both, in turn: `count` new queries of bench/request_cpu.py's mix, as
many again of a wider mix (every radius, the filters, later pages, other languages, numbers, typos, words in few
projects and in all of them), and hostile ones (markup, FTS5's and tsquery's syntax, very long, empty) alone, in a
circle with a Handlungsfeld and with a Handlungsfeld only. Each is a new search (the kept answers forgotten) asked
without cookies. Compared per URL: the status, the ETag, the Content-Encoding, the bytes sent gzipped (of a kept
page), the page decoded, and the page sent to a browser without gzip. Prints each URL that differs and exits 1 if
any does.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
WORDS = ["Netzwerk", "Sprachcafé", "Verein", "Verein 12", "Verein 482", "Teilhabe", "Patenschaft", "Nachbar",
         "Jobpaten", "Fahrradwerkstatt", "Frauentreff", "Hausaufgaben", "Willkommen", "Ausbildung", "Lernwerk",
         "Begegnung", "Bad", "am", "Neuenkirchen", "Harz", "Gross", "Elbe", "Oldenburg", "Buchholz", "Klein", "Nord",
         "Hannover", "Celle", "Stade", "Lüneburg", "Göttingen", "3", "12", "4821", "99999", "Harz Bad",
         "Netzwerk Verein", "Sprachcafe Oldenburg", "Netzwerk Begegnung", "Bad Harz 7", "Elbe Buchholz", "Oldendorf",
         "Lind", "Berg", "Hag", "der", "aller", "Nettwerk", "Teilhab", "Spr", "xq", "zz", "Quantenphysik", "Willkomen",
         "Fahrad", "Jobpate", "Oldenbrug", "Verein 1 2 3 4 5 6 7 8 9 10"]
ORTE = ["Hannover", "Osnabrück", "Lüneburg", "Hildesheim", "Oldenburg", "Göttingen", "Celle", "Stade", "Emden",
        "Goslar", "Cuxhaven", "Nordhorn", "30159", "Atlantis-Nirgendwo"]
HOSTILE = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", '"><svg onload=alert(1)>',
           "\u202e\u0000AND OR NOT * ^ \"", "x" * 5000, "'; DROP TABLE projects;--", "a:* & !b | c", "NEAR(a b)",
           '"verein"', "verein*", "verein OR netzwerk", "-verein", "document : verein", "facets : c1x1", "hf8c*",
           "c521x6", "„Netzwerk“", "ß", "ÄÖÜ", "Straße 1a", "1a", "a1", "0", "00000", "Verein " * 20, "😀 Netzwerk",
           "\t\n", "", " ", "é"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=HERE.parent)
    parser.add_argument("--database", type=Path, required=True, help="an instance folder with projects")
    parser.add_argument("--count", type=int, default=1200, help="queries of the benchmark's mix (and of the wider)")
    options = parser.parse_args()
    from common import scratch

    work = scratch("atlas-same-")
    sides = [Side(root.resolve(), copy_of(options.database, work / name))
             for name, root in (("old", options.old), ("new", options.new))]
    asked = urls(options.count)
    differ, statuses = 0, {}
    try:
        for url in asked:
            old, new = (side.ask(url) for side in sides)
            statuses[old.split()[0]] = statuses.get(old.split()[0], 0) + 1
            if old != new:
                differ += 1
                print(f"{url}: old {old}, new {new}", flush=True)
    finally:
        for side in sides:
            side.close()
    print(f"{len(asked)} URLs ({len(set(asked))} distinct), statuses {statuses}: {differ} answered differently")
    sys.exit(1 if differ else 0)


def urls(count: int) -> list[str]:
    """The benchmark's mix, a wider one, and the hostile queries (see the module's docstring)."""
    from request_cpu import distinct_queries

    made = ["/suche?" + urlencode(query) for query in distinct_queries(count)]
    rng = random.Random(3)
    for _ in range(count):
        query = {"q": rng.choice(WORDS)}
        if rng.random() < 0.5:
            query.update(ort=rng.choice(ORTE), umkreis=rng.choice(["5", "10", "25", "50"]))
        if rng.random() < 0.4:
            query["hf"] = rng.choice(["sprache", "teilhabe", "engagement", "arbeit-ausbildung"])
        for name, share, values in (("sprache", 0.1, ["ar", "en", "uk", "tr"]), ("kostenlos", 0.1, ["1"]),
                                    ("zeit", 0.05, ["jetzt", "wochenende", "abends"]),
                                    ("seite", 0.15, ["2", "3", "10", "100", "1000"]),
                                    ("lang", 0.1, ["en", "ar", "uk", "de"])):
            if rng.random() < share:
                query[name] = rng.choice(values)
        made.append("/suche?" + urlencode(query))
    for text in HOSTILE:
        made += ["/suche?" + urlencode(query) for query in (
            {"q": text}, {"q": text, "ort": "Celle", "umkreis": "50", "hf": "sprache"}, {"q": text, "hf": "teilhabe"})]
    return made + ["/suche?q=Netzwerk&umkreis=7&ort=Celle", "/suche?q=Netzwerk&hf=unbekannt", "/suche?q=Verein&seite=2",
                   "/suche?q=Netzwerk&seite=x", "/suche?q=Netzwerk&lat=52.6&lon=10.1&umkreis=25", "/suche",
                   "/suche?q=Netzwerk&kostenlos=2"]


def copy_of(database: Path, to: Path) -> Path:
    shutil.copytree(database, to)
    return to


class Side:
    """One version in a process of its own, answering URLs with what it sent (`worker` below)."""

    def __init__(self, root: Path, database: Path):
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", str(database)],
                                        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        ready = self.process.stdout.readline().split()
        if ready[:1] != ["ready"] or not ready[1].startswith(str(root)):
            raise RuntimeError(f"{root}: the worker did not start on that tree's atlas: {ready}")

    def ask(self, url: str) -> str:
        self.process.stdin.write(url + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def worker(database: Path) -> None:
    """Runs in the side's tree (PYTHONPATH): its atlas, its settings."""
    import logging

    import atlas
    from atlas import create_app
    from atlas.settings import SETTINGS

    unlimited = {setting.name: "1000000 per minute" for setting in SETTINGS if setting.kind == "limit"}
    app = create_app({"TILES": "none", "DATABASE_URL": f"sqlite:///{database / 'atlas.db'}",
                      "INSTANCE_PATH": str(database), **unlimited})
    services = app.extensions["atlas"]
    logging.getLogger("atlas.access").setLevel(logging.WARNING)
    print("ready", atlas.__file__, flush=True)
    for line in sys.stdin:
        url = line.strip()
        services.searcher.forget()  # a new search on both sides
        response = app.test_client(use_cookies=False).get(url, headers={"Accept-Encoding": "gzip"})
        sent = response.get_data()
        page = gzip.decompress(sent) if response.headers.get("Content-Encoding") == "gzip" else sent
        plain = app.test_client(use_cookies=False).get(url).get_data()
        etag = response.headers.get("ETag")
        # a page made per request is gzipped as it is sent (up to stop 51 by Flask-Compress, with the second in the
        # gzip header): its bytes sent are compared where it is kept (it has an ETag), its page always
        bodies = (sent, page, plain) if etag else (page, plain)
        print(response.status_code, etag, response.headers.get("Content-Encoding"),
              *(hashlib.sha256(body).hexdigest()[:16] for body in bodies), len(page), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(Path(sys.argv[2]))
    else:
        sys.path.insert(0, str(HERE))
        main()

"""The search's German stemmer: PyStemmer (Snowball compiled, which atlas.search_index uses) against
snowballstemmer's pure Python (what it used until stop 55, Snowball's reference for the same algorithm), over the
distinct words of the real projects and the gazetteer's place names, the two alternating round by round; and
whether they stem every word alike.

    taskset -c 1 .venv/bin/python bench/stemmer.py [--rounds 3]

An import stems each distinct word of its texts once (atlas.search_index.stem keeps the stems), so what a word costs
here is what each new word of an import or of a query costs.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import Stemmer
from snowballstemmer.german_stemmer import GermanStemmer

from atlas.search_index import words

DATA = Path(__file__).resolve().parent.parent / "data"


def real_words() -> list[str]:
    texts = []
    with open(DATA / "projects.csv", newline="", encoding="utf-8") as f:
        texts += [row[key] for row in csv.DictReader(f) for key in ("name", "traeger", "beschreibung", "ort")]
    with open(DATA / "gazetteer" / "orte.csv", newline="", encoding="utf-8") as f:
        texts += [row["name"] for row in csv.DictReader(f)]
    return sorted({word for text in texts for word in words(text) if not word.isdigit()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    found = real_words()
    stemmers = {"snowballstemmer (pure Python)": GermanStemmer(), "PyStemmer (compiled)": Stemmer.Stemmer("german")}
    stems, seconds = {}, {name: [] for name in stemmers}
    for _ in range(rounds):
        for name, stemmer in stemmers.items():
            start = time.process_time()
            stems[name] = [stemmer.stemWord(word) for word in found]
            seconds[name].append(time.process_time() - start)
    print(f"{len(found):,} distinct words; CPU µs a word, best of {rounds} rounds")
    for name, taken in seconds.items():
        print(f"  {name:32s} {min(taken) / len(found) * 1e6:6.2f}")
    pure, compiled = (min(taken) for taken in seconds.values())
    print(f"  ratio compiled / pure            {compiled / pure:6.3f}")
    differ = sum(a != b for a, b in zip(*stems.values(), strict=True))
    print(f"  words stemmed differently        {differ}")


if __name__ == "__main__":
    main()

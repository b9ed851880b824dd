"""The same thing has the same name everywhere: the key terms of the atlas, as atlas/translations/glossary.toml
renders them, in every catalogue; five Handlungsfelder a reader tells apart; a Kreis label that never repeats the
word of the Kreis's name; and plural forms that name the number wherever a form serves more than one number."""

from __future__ import annotations

import itertools
import re
import tomllib
import unicodedata
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import LANGUAGES

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once

CATALOGUES = Path(__file__).resolve().parent.parent / "atlas" / "translations"
GLOSSARY = tomllib.loads((CATALOGUES / "glossary.toml").read_text(encoding="utf-8"))["terms"]
OTHERS = [code for code in LANGUAGES if code != "de"]
JOINED = {"ar", "fa", "ps"}  # scripts where ال, و, ب, ‌ها … attach to a word: a stem may stand anywhere in it
PLACEHOLDER = re.compile(r"%\(\w+\)s")

# Messages that legitimately do without a term's word, and why: (German message, term, language or "*") → reason.
AVOIDS = {
    ("Sie bekommen eine Mail, wenn im Umkreis Ihres Ortes neue Projekte in den Atlas kommen. Sie brauchen kein "
     "Konto. Ihre Adresse wird nur dafür genutzt und mit der Abmeldung gelöscht.", "umkreis", "*"):
        "„im Umkreis Ihres Ortes“ is plainly „near your town“; the radius itself is chosen on the same form",
    ("Ein ähnliches Projekt wurde schon eingereicht und wartet auf Freigabe.", "einreichen", "ar"):
        "Arabic's form for 0 says „no similar project is waiting for approval“: nothing was submitted",
}


def avoids(msgid: str, slug: str, code: str) -> bool:
    return (msgid, slug, code) in AVOIDS or (msgid, slug, "*") in AVOIDS


def normalised(text: str) -> str:
    """Case, Arabic vowel marks, tatweel, the ezafe hamza, the zero-width non-joiner and ё do not count."""
    text = unicodedata.normalize("NFC", text).casefold().replace("ё", "е").replace("ي", "ی").replace("ك", "ک")
    return "".join(c for c in text if not ("\u064b" <= c <= "\u065f" or c in "\u0670\u0640\u200c\u200e\u200f\u0307"))


def uses(translation: str, stems: list[str], code: str) -> bool:
    text = normalised(translation)
    if code in JOINED:
        return any(normalised(stem) in text for stem in stems)
    return any(re.search(r"(?<!\w)" + re.escape(normalised(stem)), text) for stem in stems)


def german(term: dict) -> re.Pattern:
    forms = sorted(term["de"], key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, forms)) + r")(?![\w-])")


def catalogue(code: str):
    with (CATALOGUES / code / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=code)


def forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def translation(entries, msgid: str) -> str:
    message = entries.get(msgid)
    assert message is not None and message.string, f"{msgid!r} is not translated"
    return message.string


def test_the_glossary_names_every_key_term_in_every_language():
    wanted = {"handlungsfeld", "projekt", "initiative", "angebot", "traeger", "landkreis", "kreis", "region_hannover",
              "kreisfreie_stadt", "arl", "amtsbezirk", "gefluechtete", "einreichen", "benachrichtigung", "umkreis",
              "zielgruppe", "ehrenamt"}
    assert wanted <= set(GLOSSARY)
    names = {term["de"][0] for term in GLOSSARY.values() if term.get("handlungsfeld")}
    assert names == {hf.name for hf in HANDLUNGSFELDER.values()}
    for slug, term in GLOSSARY.items():
        assert term["de"] and term["note"].strip(), slug
        for code in OTHERS:
            assert term[code]["use"].strip() and term[code]["stems"], (slug, code)
            assert uses(term[code]["use"], term[code]["stems"], code), f"{slug}: {code} use is not one of its stems"


@pytest.mark.parametrize("code", OTHERS)
def test_the_handlungsfelder_are_named_as_the_glossary_says(code):
    entries = catalogue(code)
    for term in (term for term in GLOSSARY.values() if term.get("handlungsfeld")):
        assert translation(entries, term["de"][0]) == term[code]["use"], (code, term["de"][0])


@pytest.mark.parametrize("code", OTHERS)
def test_the_five_handlungsfelder_read_differently(code):
    entries = catalogue(code)
    names = [translation(entries, hf.name) for hf in HANDLUNGSFELDER.values()]
    assert len({normalised(name) for name in names}) == len(names), names
    for first, second in itertools.combinations(names, 2):
        shared = alike(words(first), words(second))
        assert not shared, f"{code}: „{first}“ and „{second}“ read alike (both say {sorted(shared)})"


def words(text: str, shortest: int = 4) -> set[str]:
    """The words of a text that carry meaning: placeholders dropped, Arabic's و and ال taken off."""
    found = set()
    for word in re.findall(r"\w+", normalised(PLACEHOLDER.sub(" ", text))):
        for prefix in ("وال", "ال", "و"):
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                word = word[len(prefix):]
                break
        if len(word) >= shortest:
            found.add(word)
    return found


def alike(these: set[str], those: set[str]) -> set[str]:
    """The words of one set that are another's, or begin it („ilçe“, „ilçesi“)."""
    return {a for a in these for b in those if a.startswith(b) or b.startswith(a)}


@pytest.mark.parametrize("code", OTHERS)
def test_every_message_uses_the_glossary_words_for_its_terms(code):
    kreis, landkreis = GLOSSARY["kreis"], GLOSSARY["landkreis"]
    patterns = {slug: german(term) for slug, term in GLOSSARY.items()}
    wrong = []
    for message in catalogue(code):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        for slug, term in GLOSSARY.items():
            if not any(patterns[slug].search(source) for source in sources) or avoids(key(message), slug, code):
                continue
            if key(message) in kreis["label_messages"] and slug in ("kreis", "landkreis"):
                ok = all(normalised(kreis[code]["label"]) in normalised(form) for form in forms(message))
                wanted = kreis[code]["label"]
            else:
                stems = term[code]["stems"]
                if slug == "landkreis" and key(message) in landkreis["loose"]:
                    stems = stems + kreis[code]["stems"]
                ok = all(uses(form, stems, code) for form in forms(message))
                wanted = term[code]["use"]
            if not ok:
                wrong.append(f"{term['de'][0]} → {wanted}: {key(message)!r} is {forms(message)!r}")
    assert not wrong, f"{len(wrong)} messages in {code} do not use the glossary's word:\n" + "\n".join(wrong)


@pytest.mark.parametrize("code", OTHERS)
def test_a_kreis_label_never_repeats_the_word_of_the_kreis_name(code):
    """„Kreis: Landkreis Lüneburg“ must not become „Район: Район Lüneburg“: the label before a Kreis's name (and
    the column and filter headed by it) and the names themselves share no word."""
    entries = catalogue(code)
    names = {}
    for slug in ("landkreis", "kreisfreie_stadt"):
        term = GLOSSARY[slug]
        names[term["name_message"]] = translation(entries, term["name_message"])
        assert names[term["name_message"]] == term[code]["name"], (code, term["name_message"])
    names["Region Hannover"] = "Region Hannover"  # shown untranslated (atlas/regions.py)
    names["Region Hannover (glossary)"] = GLOSSARY["region_hannover"][code]["name"]
    for label_message in GLOSSARY["kreis"]["label_messages"]:
        label = translation(entries, label_message).split("%(kreis)s")[0]
        for german_name, name in names.items():
            shared = alike(words(label, shortest=3), words(name, shortest=3))
            assert not shared, f"{code}: „{label.strip()} {name}“ repeats {sorted(shared)} ({label_message!r}, " \
                               f"{german_name!r})"


@pytest.mark.parametrize("code", OTHERS)
def test_a_plural_form_that_serves_several_numbers_names_the_number(code):
    """Russian and Ukrainian say „21 проект“ with the form of „1“, Persian says „0“ with it: a form used for more
    than one number must carry %(num)s (only a form for exactly one number, „مشروعان“, may spell it out)."""
    entries = catalogue(code)
    form_for = c2py(entries.plural_expr)  # the catalogue's own Plural-Forms rule, as gettext applies it
    numbers_of = {}
    for n in [*range(1200), 1_000_000, 2_000_000]:  # French has a form for whole millions
        numbers_of.setdefault(form_for(n), set()).add(n)
    assert set(numbers_of) == set(range(entries.num_plurals)), (code, sorted(numbers_of))
    plurals = [message for message in entries if isinstance(message.id, tuple)]
    assert plurals
    for message in plurals:
        for index, form in enumerate(forms(message)):
            if len(numbers_of[index]) > 1:
                assert "%(num)s" in form, f"{code}: form {index} of {message.id[0]!r} serves " \
                                          f"{sorted(numbers_of[index])[:4]}… but says {form!r}"

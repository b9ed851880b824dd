"""Import projects from CSV (all or nothing) and export the published ones as CSV or GeoJSON."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from atlas import sources
from atlas.geocode import Geocoder
from atlas.places import AMBIGUOUS, PRECISION_LABELS, Place, Result, parse_position
from atlas.present import hf_names, local_now
from atlas.projects import ProjectInput, validate_project
from atlas.store import PUBLISHED, Store
from atlas.text import clean_text

# CSV columns (German, as in data/projects.csv) -> project fields
COLUMNS = {"name": "name", "traeger": "traeger", "beschreibung": "description", "kurzbeschreibung": "summary",
           "handlungsfelder": "handlungsfelder",
           "strasse": "street", "plz": "plz", "ort": "ort", "website": "website", "email": "email",
           "sprachen": "sprachen", "zielgruppen": "zielgruppen", "kosten": "kosten", "wann": "wann", "zeiten": "zeiten",
           "barrierefrei": "barrierefrei", "kontakt": "kontakt"}
SOURCE_COLUMNS = ("quelle", "quelle_stand", "bestaetigt")  # a row gathered from a public source (atlas.sources)
# Where a row lies, as an export writes it: read back, an export imports where it was (a pin is not geocoded again)
# and as shown as it was (`ungefaehr`: ja shows it only roughly)
POSITION_COLUMNS = ("lat", "lon", "genauigkeit", "ungefaehr")
EXTRA_COLUMNS = SOURCE_COLUMNS + POSITION_COLUMNS  # empty in most rows: then nothing of them to check
# How people head these columns in a spreadsheet -> the column
COLUMN_SPELLINGS = {"träger": "traeger", "straße": "strasse", "e-mail": "email", "projektname": "name",
                    "handlungsfeld": "handlungsfelder", "postleitzahl": "plz", "webseite": "website",
                    "angebotssprachen": "sprachen", "zielgruppe": "zielgruppen", "öffentlicher kontakt": "kontakt",
                    "stand der quelle": "quelle_stand", "bestätigt": "bestaetigt"}
PIECE = 1 << 20  # bytes of the file read at a time
SEPARATORS = {",": "Komma", ";": "Semikolon", "\t": "Tabulator"}
ENCODINGS = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252 (wie Excel speichert)"}
EXPORT_COLUMNS = ["id", "name", "traeger", "beschreibung", "kurzbeschreibung", "handlungsfelder", "strasse", "plz",
                  "ort", "lat", "lon", "genauigkeit", "ungefaehr", "kreis_rs", "kreis", "arl", "website", "email",
                  "status", "sprachen", "zielgruppen", "kosten", "wann", "zeiten", "barrierefrei", "kontakt", "quelle",
                  "quelle_stand", "bestaetigt"]
# What makes a spreadsheet read a cell as a formula, the full-width forms included (Excel reads ＝ as =)
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A cell an export protects with one more leading ': one that starts so, after any apostrophes of its own (then an
# import that takes one ' off such a cell gets back exactly what was exported)
PROTECTED = re.compile("'*[" + re.escape("".join(SPREADSHEET_FORMULA)) + "]")


class UnreadableFile(ValueError):
    """The file cannot be read as projects; the German message says why and what to do."""


@dataclass
class ImportReport:
    ids: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, German reason)
    notes: list[str] = field(default_factory=list)  # what was found out about the file, in German
    skipped: list[int] = field(default_factory=list)  # lines whose project is in the atlas already (skip_existing)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_csv(path: Path | str, store: Store, geocoder: Geocoder, status: str = PUBLISHED,
               progress: Callable[[Iterable], Iterable] = lambda rows: rows, into_empty: bool = False,
               skip_existing: bool = False) -> ImportReport:
    """Geocode and assign every row; write all of them, or none if any row is bad (or, with `into_empty`, if the
    store already holds projects). Reads UTF-8 and Windows-1252, separated by commas, semicolons or tabs.

    A row is one project with another row of the file, or with a stored project, if it has the same name, Träger
    and Ort (`same_project`): the file's second is a bad row; one in the atlas already is too, or, with
    `skip_existing` (a later version of a file imported before), left out and named in `skipped`. The command
    that runs it owns the process, and may collect its garbage less often meanwhile
    (atlas.collector.fewer_collections)."""
    report = ImportReport()
    prepared = store.prepare(status, on_disk=True)  # checked rows wait on disk, not as objects in memory
    places = _Places(geocoder)  # many rows name the same place: geocoded once
    today = local_now().date()  # one import, one day: a source's date is judged against the day it began
    stored = {same_project(name, traeger, ort): project_id for project_id, name, traeger, ort
              in ([] if into_empty else store.names_and_places())}
    first_line: dict[int, int] = {}  # each project of the file: the line that named it first
    try:
        for line, row in progress(read_rows(Path(path), report)):  # record by record: no list of every record
            outcome = row if isinstance(row, str) else _locate_row(row, geocoder, places, today)
            if isinstance(outcome, str):
                report.errors.append((line, outcome))
                continue
            project = outcome[0]
            key = same_project(project.name, project.traeger, project.ort)
            if key in first_line:
                report.errors.append((line, f"Dasselbe Projekt (Name, Träger und Ort) wie in Zeile {first_line[key]}."))
                continue
            first_line[key] = line
            if key in stored and skip_existing:
                report.skipped.append(line)
            elif key in stored:
                report.errors.append((line, f"Steht schon im Atlas (Projekt {stored[key]}: gleicher Name, Träger und "
                                            "Ort). Mit --skip-existing wird eine solche Zeile übersprungen."))
            elif not report.errors:  # after an error nothing is written: the rest is only checked
                prepared.add(*outcome)
        if not prepared.count and not report.errors and not report.skipped:
            report.errors.append((2, "Die Datei enthält nur die Kopfzeile, keine Projekte."))
        if prepared.count and not report.errors:
            report.ids = store.add_prepared(prepared, into_empty=into_empty)
    except UnreadableFile as problem:  # the file as a whole, not its rows, is what to fix
        report.errors = [(0, str(problem))]
    finally:
        prepared.close()
    return report


def same_project(name: str, traeger: str, ort: str) -> int:
    """Who an import takes for one project: rows whose name, Träger and Ort are the same, whatever their capitals
    (and spaces: both the rows and the stored projects are written as atlas.text.clean_text leaves them) – as a
    number (the hash of the three), which an import of a million rows can hold for each."""
    return hash((name.casefold(), (traeger or "").casefold(), (ort or "").casefold()))


def read_rows(path: Path, report: ImportReport) -> Iterator[tuple[int, dict | str]]:
    """The file's records with the line each starts on, keyed by column (or why a record does not fit the header),
    one after the other; what was found goes into the notes. The file and its header are checked at once
    (UnreadableFile), its records as they are read – from the file a piece at a time: a file of a million rows is
    never in memory whole."""
    encoding, label = _encoding(path)
    lines = _lines(path, encoding)
    first = next(lines, "")
    separator = max(SEPARATORS, key=first.count)  # German Excel writes semicolons
    report.notes.append(f"Gelesen als {label}, Trennzeichen: {SEPARATORS[separator]}.")
    reader = csv.reader(itertools.chain([first], lines), delimiter=separator, strict=True)
    names = _columns(_header(reader), separator, report)
    return _records(reader, names, separator)


def _header(reader) -> list[str]:
    """The first line that is not blank, as fields; one the csv module cannot read is an UnreadableFile."""
    try:
        return next((fields for fields in reader if fields), [])
    except csv.Error as error:
        raise UnreadableFile(f"Die Kopfzeile ist kein gültiges CSV ({_csv_problem(error)}). Sie nennt die Spalten, "
                             "etwa name;handlungsfelder;ort.") from None


def _records(reader, names: list[str], separator: str) -> Iterator[tuple[int, dict | str]]:
    start = reader.line_num + 1
    try:
        for fields in reader:
            if fields:  # a blank line is no record, but it is a line: the next record starts after it
                yield start, _record(fields, names, separator)  # the line it starts on, as a spreadsheet shows it
            start = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(f"Ab Zeile {start} ist die Datei kein gültiges CSV ({_csv_problem(error)}).") from None


def _record(fields: list[str], names: list[str], separator: str) -> dict | str:
    """The record keyed by column (missing fields at the end are empty), or why not: text in more fields than the
    header names would be lost – most often a separator inside a text that is not in quotes. Empty fields at the
    end lose nothing."""
    surplus = [text for text in fields[len(names):] if text.strip()]
    if not surplus:  # a cell an export protected starts with ': without any ' in the record, none is
        return dict(zip(names, fields if "'" not in "".join(fields) else map(_unprotected, fields), strict=False))
    return (f"Die Zeile hat {len(fields)} Felder, die Kopfzeile nur {len(names)} (zu viel: „{surplus[0][:40]}“). "
            f"Steht in einem Text ein {SEPARATORS[separator]}, gehört der Text in Anführungszeichen, etwa "
            f"\"Wir helfen{separator} und beraten\".")


def _encoding(path: Path) -> tuple[str, str]:
    """The file's encoding (and its German name), read through once a piece at a time: UTF-8 if the whole file is
    UTF-8, else Windows-1252 if it is that; an empty file, a binary one or another encoding is an UnreadableFile."""
    decoders = {encoding: codecs.getincrementaldecoder(encoding)() for encoding in ENCODINGS}
    blank = True
    try:
        with path.open("rb") as file:
            while piece := file.read(PIECE):
                blank = blank and not piece.strip(b"\xef\xbb\xbf \t\r\n")
                if b"\x00" in piece:
                    raise UnreadableFile("Die Datei ist keine Textdatei (sie enthält Nullbytes). Bitte als CSV "
                                         "speichern.")
                _decoding(decoders, piece)
    except FileNotFoundError:
        raise UnreadableFile(f"Die Datei {path} gibt es nicht.") from None
    except PermissionError:
        raise UnreadableFile(f"Die Datei {path} darf nicht gelesen werden (fehlende Berechtigung).") from None
    except OSError:
        raise UnreadableFile(f"Die Datei {path} kann nicht gelesen werden.") from None
    if blank:
        raise UnreadableFile("Die Datei ist leer. Sie braucht eine Kopfzeile (name;handlungsfelder;ort …) und "
                             "eine Zeile je Projekt.")
    _decoding(decoders, b"", final=True)
    if not decoders:
        raise UnreadableFile("Die Zeichenkodierung ist weder UTF-8 noch Windows-1252. Bitte als „CSV UTF-8“ "
                             "speichern.")
    encoding = next(iter(decoders))  # the first of ENCODINGS that reads the whole file
    return encoding, ENCODINGS[encoding]


def _decoding(decoders: dict, piece: bytes, final: bool = False) -> None:
    """Each decoder takes the next piece of the file; one that cannot is dropped."""
    for encoding, decoder in list(decoders.items()):
        try:
            decoder.decode(piece, final)
        except UnicodeDecodeError:
            del decoders[encoding]


def _lines(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines with their ends ("\n", or "\r" in a file of old Mac Excel), as a file opened with
    newline="" gives them to the csv module, decoded a piece at a time."""
    decoder = codecs.getincrementaldecoder(encoding)()
    rest, end = "", ""
    try:
        with path.open("rb") as file:
            while piece := file.read(PIECE):
                text = rest + decoder.decode(piece)
                end = end or _line_end(text)
                *lines, rest = text.split(end)
                yield from (line + end for line in lines)
            rest += decoder.decode(b"", True)
    except (OSError, UnicodeDecodeError):  # changed since it was checked
        raise UnreadableFile(f"Die Datei {path} kann nicht gelesen werden.") from None
    if rest:
        yield rest


def _line_end(text: str) -> str:
    """How the file ends its lines, judged by its first piece: "\r" alone only where no line ends in "\n"."""
    return "\r" if "\r" in text and "\n" not in text else "\n"


def _columns(raw: list[str], separator: str, report: ImportReport) -> list[str]:
    """The header as this program names its columns; what is missing or doubled is an error, unknown ones a note."""
    names = [COLUMN_SPELLINGS.get(n.strip().lower(), n.strip().lower()) for n in raw]
    doubled = [n for n in dict.fromkeys(names) if n and names.count(n) > 1]
    if doubled:
        positions = ", ".join(str(i + 1) for i, n in enumerate(names) if n == doubled[0])
        raise UnreadableFile(f"Die Spalte „{doubled[0]}“ kommt mehrmals vor (Spalten {positions}). "
                             "Bitte jede Spalte nur einmal.")
    missing = [c for c in ("name", "handlungsfelder") if c not in names]
    if "ort" not in names and "plz" not in names:
        missing.append("ort oder plz")
    if missing:
        found = ", ".join(f"„{n}“" for n in raw[:12]) or "keine"
        raise UnreadableFile(f"Spalten fehlen: {', '.join(missing)}. Gefunden mit Trennzeichen "
                             f"{SEPARATORS[separator]}: {found}.")
    unknown = [raw[i] for i, n in enumerate(names)
               if n not in COLUMNS and n not in SOURCE_COLUMNS and n not in POSITION_COLUMNS]
    if unknown:
        report.notes.append(f"Nicht verwendete Spalten: {', '.join(unknown[:10])}.")
    return names


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return "ein Feld ist viel zu lang"
    if "unexpected end of data" in text or "EOF" in text:
        return "ein Anführungszeichen wird nicht geschlossen"
    if "new-line character" in text:
        return "ein Zeilenumbruch mitten in einem Feld ohne Anführungszeichen"
    return "ungültiges Zeichen oder Anführungszeichen"


def _locate_row(row: dict, geocoder: Geocoder, places: _Places, today: date) -> tuple[ProjectInput, Place] | str:
    project, errors = validate_project(dict(zip(COLUMNS.values(), map(row.get, COLUMNS), strict=True)))
    extra = any(map(row.get, EXTRA_COLUMNS))  # a source or a position of its own: most rows have neither
    if extra:
        changes, problems = _source_and_approximate(row, today)
        errors = {**(errors or {}), **problems}
    if errors:
        return "; ".join(errors.values())
    if extra:
        # into the project just made for this row: a copy (dataclasses.replace) took 9 µs, and every row of a data
        # set gathered from public sources has a source
        for name, value in changes.items():
            setattr(project, name, value)
    found, problem = places.of(project)
    if found is None:
        return problem
    kept = _kept_position(row, found, geocoder) if extra else found
    if isinstance(kept, str):
        return kept
    return problem if kept is found and problem else (project, kept)  # with a position of its own, not at the PLZ


class _Places:
    """What an import keeps of each place's geocoding (`_place_or_problem`), by the answer key (Geocoder.answer_key):
    each place geocoded once. Found again by the parts as a row writes them, too: most rows repeat those exactly,
    and working out their answer key again took 100k rows about 0.4 s. Those parts are forgotten now and then
    (rows that each name another street): the answers stay."""

    KEPT_PARTS = 50_000  # (street, PLZ, Ort) of rows, a few MB

    def __init__(self, geocoder: Geocoder):
        self._geocoder = geocoder
        self._by_key: dict[tuple, tuple[Place | None, str]] = {}
        self._by_parts: dict[tuple[str, str, str], tuple[Place | None, str]] = {}

    def of(self, project: ProjectInput) -> tuple[Place | None, str]:
        parts = (project.street, project.plz, project.ort)
        answer = self._by_parts.get(parts)
        if answer is None:
            key = self._geocoder.answer_key(*parts)
            answer = self._by_key.get(key)
            if answer is None:
                answer = self._by_key[key] = _place_or_problem(
                    self._geocoder.geocode(street=project.street, plz=project.plz, ort=project.ort), project)
            if len(self._by_parts) >= self.KEPT_PARTS:
                self._by_parts.clear()
            self._by_parts[parts] = answer
        return answer


def _source_and_approximate(row: dict, today: date) -> tuple[dict, dict[str, str]]:
    """What the source columns and `ungefaehr` change of the project, and what is wrong with them."""
    source, problems = sources.check(*map(clean_text, map(row.get, SOURCE_COLUMNS)), today)
    approximate, vague = _approximate(clean_text(row.get("ungefaehr")))
    return {**source, "approximate": approximate}, {**problems, **vague}


def _approximate(answer: str) -> tuple[bool, dict[str, str]]:
    """`ungefaehr`: whether the public sees the place only roughly (and not its street)."""
    if answer.casefold() in sources.YES + sources.NO:
        return answer.casefold() in sources.YES, {}
    return False, {"ungefaehr": f"Ungefähr: „{answer[:20]}“ ist nicht vorgesehen; erlaubt sind ja und nein."}


def _kept_position(row: dict, found: Place, geocoder: Geocoder) -> Place | str:
    """The row's own position (lat, lon, genauigkeit, as an export writes them) instead of the geocoded one, or why
    not; it must lie in Niedersachsen like any other. Without lat and lon, the geocoded place."""
    lat_text, lon_text = clean_text(row.get("lat")), clean_text(row.get("lon"))
    if not (lat_text or lon_text):
        return found
    try:
        lat, lon = parse_position(lat_text, lon_text)
    except ValueError as error:
        return str(error)
    precision = clean_text(row.get("genauigkeit")) or "point"
    if precision not in PRECISION_LABELS:
        return f"Genauigkeit: „{precision[:20]}“ ist nicht vorgesehen; erlaubt sind {', '.join(PRECISION_LABELS)}."
    place = Place(found.name, lat, lon, precision, "Datei", geocoder.regions.locate(lat, lon))
    if not place.in_niedersachsen:
        return f"Die Position {lat}, {lon} {place.assignment.reason}."
    return place


def _place_or_problem(result: Result, project: ProjectInput) -> tuple[Place | None, str]:
    """What an import keeps of a place's geocoding (for every row that names it): the place, and why it may not be
    taken. PLZ and Ort far apart refuse the row (unless it brings its own position): the project would lie at the
    PLZ, maybe in another Kreis and another office's care, and a note among hundreds of lines is overlooked."""
    if result.status == AMBIGUOUS:
        return None, f"Ort mehrdeutig: {result.message}"
    if not result.ok:
        return None, f"Ort nicht gefunden: {result.message}"
    if not result.place.in_niedersachsen:
        return None, f"{result.place.name} {result.place.assignment.reason}."
    if result.ort_elsewhere:
        return result.place, (f"PLZ und Ort passen nicht zusammen: „{project.ort}“ liegt nicht bei der PLZ "
                              f"{project.plz} ({result.place.name}, {result.place.kreis.label}). Bitte PLZ oder Ort "
                              "berichtigen.")
    return result.place, ""


def export_csv(rows: list[dict]) -> str:
    """CSV that is safe to open in a spreadsheet: cells that could start a formula are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in _export_values(row)])
    return out.getvalue()


def export_geojson(rows: list[dict]) -> str:
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(row["lon"], 6), round(row["lat"], 6)]},
        "properties": dict(zip(EXPORT_COLUMNS, _export_values(row), strict=True)),
    } for row in rows]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)


def _export_values(row: dict) -> list:
    return [row["id"], row["name"], row["traeger"], row["description"], row["summary"],
            ";".join(hf_names(row["handlungsfelder"])), row["street"], row["plz"], row["ort"], round(row["lat"], 6),
            round(row["lon"], 6), row["precision"], "ja" if row["approximate"] else "nein", row["kreis_rs"],
            row["kreis_name"], row["arl"], row["website"], row["email"], row["status"], row["sprachen"],
            row["zielgruppen"], row["kosten"], row["wann"], row["zeiten"], row["barrierefrei"],
            row["kontakt"], row["quelle"], row["quelle_stand"], "nein" if sources.unconfirmed(row) else "ja"]


def spreadsheet_cell(value):
    """A cell a spreadsheet shows as written: one that would start a formula gets a leading '."""
    if isinstance(value, str) and PROTECTED.match(value):
        return "'" + value
    return value


def _unprotected(text: str) -> str:
    """A cell as it was before spreadsheet_cell protected it: an export imports unchanged."""
    return text[1:] if text.startswith("'") and PROTECTED.match(text, 1) else text

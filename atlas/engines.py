"""Translation engines behind one interface: LibreTranslate (open, self-hostable; its HTTP API) and DeepL (API v2,
with a glossary of the atlas's terms). Off by default: an engine exists only where an operator configured it
(ATLAS_TRANSLATE_URL, ATLAS_DEEPL_KEY).

An engine translates one German text, prepared by atlas.protect (XML: escaped text, placeholders for what is never
sent), into one target language. It raises EngineError: `permanent` when asking again cannot help (the engine
refuses this text or language), else the engine is down, busy or out of quota, and the job waits.
No Flask here; the HTTP is the standard library's.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from atlas.i18n import DEFAULT, LANGUAGES

TIMEOUT = 20.0  # seconds for one request: a description is translated in a second or two
LANGUAGES_KEPT = 3600.0  # seconds an engine's list of languages is trusted
GLOSSARY = Path(__file__).resolve().parent / "translations" / "glossary.toml"


class EngineError(Exception):
    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Engine:
    """The interface: a name (kept with each translation), a label for people, the target languages, translate."""

    name = ""
    label = ""

    def __init__(self, url: str, timeout: float = TIMEOUT):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._targets: tuple[float, set[str]] | None = None
        self._lock = threading.Lock()

    def targets(self) -> set[str]:
        """The atlas languages this engine translates German into (asked once an hour)."""
        with self._lock:
            if self._targets is None or time.monotonic() - self._targets[0] > LANGUAGES_KEPT:
                self._targets = (time.monotonic(), self._ask_targets() & set(LANGUAGES) - {DEFAULT})
            return self._targets[1]

    def translate(self, text: str, target: str) -> str:
        raise NotImplementedError

    def _ask_targets(self) -> set[str]:
        raise NotImplementedError

    def _call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None,
              form: bool = False):
        """JSON (or a form) to the engine, its JSON answer back; EngineError for anything but success."""
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = urlencode(body, doseq=True).encode() if form else json.dumps(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded" if form else "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - the operator's URL
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise EngineError(self._refusal(error), permanent=error.code in self.PERMANENT) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise EngineError(f"{self.name} nicht erreichbar: {reason}") from None
        except ValueError:  # a request the library will not send (its text would name the key) or an answer not JSON
            raise EngineError(f"{self.name}: Anfrage oder Antwort ungültig – Adresse und Schlüssel prüfen") from None

    PERMANENT: tuple[int, ...] = (400, 413)  # the request itself is wrong: asking again gives the same answer

    def _refusal(self, error: urllib.error.HTTPError) -> str:
        try:
            detail = json.loads(error.read().decode("utf-8", "replace"))
            detail = detail.get("error") or detail.get("message") or detail
        except (ValueError, AttributeError):
            detail = ""
        return f"{self.name} antwortet {error.code}" + (f": {str(detail)[:200]}" if detail else "")


class LibreTranslate(Engine):
    """LibreTranslate's HTTP API: GET /languages, POST /translate (format html keeps the placeholders)."""

    name = "libretranslate"

    def __init__(self, url: str, key: str = "", timeout: float = TIMEOUT):
        super().__init__(url, timeout)
        self.key = key
        self.label = f"LibreTranslate ({self.url})"

    def _ask_targets(self) -> set[str]:
        answer = self._call("GET", "/languages")
        german = [entry for entry in answer if entry.get("code") == DEFAULT]
        if german and "targets" in german[0]:
            return set(german[0]["targets"])
        return {entry.get("code") for entry in answer}  # versions before 1.3 name no targets: any to any

    def translate(self, text: str, target: str) -> str:
        body = {"q": text, "source": DEFAULT, "target": target, "format": "html"}
        if self.key:
            body["api_key"] = self.key
        answer = self._call("POST", "/translate", body)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, str):
            raise EngineError(f"{self.name}: Antwort ohne translatedText")
        return translated


class DeepL(Engine):
    """DeepL's API v2: /v2/languages, /v2/translate (tag_handling xml, the placeholders ignored), and a glossary of
    the atlas's terms per target language where DeepL offers glossaries for it (/v2/glossaries)."""

    name = "deepl"
    PERMANENT = (400, 413)
    TARGETS = {"en": "EN-GB"}  # DeepL wants a variant of English as a target

    def __init__(self, key: str, url: str = "", timeout: float = TIMEOUT, glossary: Path = GLOSSARY):
        url = url or ("https://api-free.deepl.com" if key.endswith(":fx") else "https://api.deepl.com")
        super().__init__(url, timeout)
        self.key = key
        self.label = "DeepL (DeepL SE, Köln)" if "deepl.com" in self.url else f"DeepL ({self.url})"
        self.entries = glossary_entries(glossary)
        self._glossaries: dict[str, str | None] = {}

    def _headers(self) -> dict:
        return {"Authorization": f"DeepL-Auth-Key {self.key}"}

    def _ask_targets(self) -> set[str]:
        answer = self._call("GET", "/v2/languages?type=target", headers=self._headers())
        return {str(entry.get("language", "")).split("-")[0].lower() for entry in answer}

    def translate(self, text: str, target: str) -> str:
        body = {"text": [text], "source_lang": DEFAULT.upper(), "target_lang": self.TARGETS.get(target, target.upper()),
                "tag_handling": "xml", "ignore_tags": ["x"]}
        glossary = self.glossary_id(target)
        if glossary:
            body["glossary_id"] = glossary
        answer = self._call("POST", "/v2/translate", body, headers=self._headers())
        try:
            return str(answer["translations"][0]["text"])
        except (KeyError, IndexError, TypeError):
            raise EngineError(f"{self.name}: Antwort ohne translations") from None

    def glossary_id(self, target: str) -> str | None:
        """The atlas's glossary for German → target at DeepL, made once (DeepL's glossaries cannot be changed: a
        changed glossary.toml is a new one, named by its content)."""
        entries = self.entries.get(target)
        if not entries:
            return None
        with self._lock:
            if target not in self._glossaries:
                self._glossaries[target] = self._find_or_make(target, entries)
            return self._glossaries[target]

    def _find_or_make(self, target: str, entries: dict[str, str]) -> str | None:
        pairs = self._call("GET", "/v2/glossary-language-pairs", headers=self._headers())
        if not any(p.get("source_lang", "").lower() == DEFAULT and p.get("target_lang", "").lower() == target
                   for p in pairs.get("supported_languages", [])):
            return None
        tsv = "\n".join(f"{german}\t{rendering}" for german, rendering in entries.items())
        name = f"gemeinsame-sache-{DEFAULT}-{target}-{hashlib.sha256(tsv.encode()).hexdigest()[:12]}"
        for glossary in self._call("GET", "/v2/glossaries", headers=self._headers()).get("glossaries", []):
            if glossary.get("name") == name and glossary.get("ready", True):
                return glossary["glossary_id"]
        made = self._call("POST", "/v2/glossaries", {"name": name, "source_lang": DEFAULT, "target_lang": target,
                                                     "entries": tsv, "entries_format": "tsv"}, headers=self._headers())
        return made.get("glossary_id")


def glossary_entries(path: Path = GLOSSARY) -> dict[str, dict[str, str]]:
    """{language: {German word: rendering}} from the atlas's glossary: every German form of a term, rendered as the
    glossary says (a form that two terms share is left out: the glossary would contradict itself)."""
    terms = tomllib.loads(path.read_text(encoding="utf-8"))["terms"]
    entries: dict[str, dict[str, str]] = {}
    for code in LANGUAGES:
        if code == DEFAULT:
            continue
        forms: dict[str, str] = {}
        doubled: set[str] = set()
        for term in terms.values():
            rendering = (term.get(code) or {}).get("use", "")
            for german in term.get("de", []):
                if not rendering or "\t" in german + rendering or "\n" in german + rendering:
                    continue
                if german in forms and forms[german] != rendering:
                    doubled.add(german)
                forms[german] = rendering
        entries[code] = {german: rendering for german, rendering in forms.items() if german not in doubled}
    return entries


def configured(settings) -> list[Engine]:
    """The engines an operator configured, in the order they are asked: DeepL first (where it offers the language),
    then LibreTranslate. None: machine translation is off."""
    engines: list[Engine] = []
    if settings["DEEPL_KEY"]:
        engines.append(DeepL(settings["DEEPL_KEY"], settings["DEEPL_URL"]))
    if settings["TRANSLATE_URL"]:
        engines.append(LibreTranslate(settings["TRANSLATE_URL"], settings["TRANSLATE_KEY"]))
    return engines


def budgets(settings) -> dict[str, int]:
    """Characters per month each engine may be sent."""
    return {DeepL.name: settings["DEEPL_BUDGET"], LibreTranslate.name: settings["TRANSLATE_BUDGET"]}

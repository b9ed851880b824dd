"""Stand-ins for the translation engines, each a real HTTP server in a process of its own on a loopback port.

`libretranslate` speaks LibreTranslate's API (GET /languages, POST /translate with q, source, target, format,
api_key) – the real engine's models cannot be downloaded here. `deepl` speaks the shapes of DeepL's API v2 that
atlas.engines uses (GET /v2/languages, POST /v2/translate, the glossaries); it is a stand-in written from DeepL's
documentation, not DeepL. Both "translate" word by word from a small dictionary (unknown words stay as they are)
and leave markup alone, as the real engines do with format=html and tag_handling=xml. Every request is written to a
log file, one JSON line each, so a test reads exactly what was sent.

Run as `python tests/translation_servers.py libretranslate|deepl --port N --log FILE [--key K] [--targets ar,en]`;
tests use the classes at the end, which start, stop and restart such a process (an engine going down and back).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

WORDS = {
    "ar": {"sprachcafé": "مقهى اللغة", "deutsch": "الألمانية", "lernen": "تعلم", "treffen": "لقاء", "wir": "نحن",
           "jeden": "كل", "montag": "الاثنين", "kinder": "الأطفال", "hilfe": "مساعدة", "bei": "في",
           "hausaufgaben": "الواجبات المدرسية", "für": "لـ", "und": "و", "frauen": "النساء", "nähen": "الخياطة",
           "gemeinsam": "معا", "kochen": "الطبخ", "beratung": "استشارة", "in": "في", "der": "", "die": "", "das": "",
           "im": "في", "ehrenamtliche": "متطوعون", "projekt": "المشروع", "begleiten": "يرافقون", "zum": "إلى",
           "arzt": "الطبيب", "kostenlos": "مجانا", "alle": "الجميع", "sind": "", "willkommen": "مرحبا بهم"},
    "ps": {"sprachcafé": "د ژبې کافي", "deutsch": "الماني", "lernen": "زده کړه", "treffen": "ناسته", "wir": "موږ",
           "jeden": "هره", "montag": "دوشنبه", "kinder": "ماشومان", "hilfe": "مرسته", "und": "او", "frauen": "ښځې",
           "alle": "ټول", "willkommen": "ښه راغلاست", "gemeinsam": "ګډ", "kochen": "پخلی"},
    "en": {"sprachcafé": "language café", "deutsch": "German", "lernen": "learn", "treffen": "meet", "wir": "we",
           "jeden": "every", "montag": "Monday", "kinder": "children", "hilfe": "help", "und": "and",
           "alle": "all", "willkommen": "welcome", "gemeinsam": "together", "kochen": "cook"},
}
TOKEN = re.compile(r"(<[^>]*>)|(\w+)", re.UNICODE)


def translate(text: str, target: str, glossary: dict[str, str] | None = None) -> str:
    """Word by word: markup as it is, known words from the dictionary (and the glossary first), others unchanged."""
    words = WORDS.get(target, {})
    for german, rendering in (glossary or {}).items():
        text = re.sub(rf"(?<!\w){re.escape(german)}(?!\w)", rendering, text)

    def one(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        word = match.group(2)
        return words.get(word.casefold(), word)

    return re.sub(r"  +", " ", TOKEN.sub(one, text))


class Handler(BaseHTTPRequestHandler):
    kind = ""
    key = ""
    targets: list[str] = []
    log: Path
    quota = 0
    used = 0
    glossaries: dict[str, dict] = {}

    def log_message(self, *args):
        pass

    def _record(self, body) -> None:
        with open(self.log, "a", encoding="utf-8") as out:
            out.write(json.dumps({"method": self.command, "path": self.path, "body": body,
                                  "authorization": self.headers.get("Authorization", "")}, ensure_ascii=False) + "\n")

    def _answer(self, status: int, data) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> dict:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        if "json" in (self.headers.get("Content-Type") or ""):
            return json.loads(raw or "{}")
        return {k: v if len(v) > 1 else v[0] for k, v in parse_qs(raw).items()}

    def do_GET(self):
        self._record(None)
        path = urlsplit(self.path).path
        if self.kind == "libretranslate" and path == "/languages":
            codes = ["de", *self.targets]
            return self._answer(200, [{"code": c, "name": c, "targets": [t for t in codes if t != c]} for c in codes])
        if self.kind == "deepl" and self._authorised():
            if path == "/v2/languages":
                return self._answer(200, [{"language": "EN-GB" if t == "en" else t.upper(), "name": t}
                                          for t in self.targets])
            if path == "/v2/glossary-language-pairs":
                return self._answer(200, {"supported_languages": [{"source_lang": "de", "target_lang": t}
                                                                  for t in self.targets]})
            if path == "/v2/glossaries":
                return self._answer(200, {"glossaries": [{k: v for k, v in g.items() if k != "entries"}
                                                         for g in self.glossaries.values()]})
        if self.kind == "deepl" and not self._authorised():
            return self._answer(403, {"message": "Forbidden"})
        return self._answer(404, {"error": "Not Found"})

    def do_POST(self):
        body = self._body()
        self._record(body)
        path = urlsplit(self.path).path
        if self.kind == "libretranslate" and path == "/translate":
            if self.key and body.get("api_key") != self.key:
                return self._answer(403, {"error": "Invalid API key"})
            if body.get("source") != "de" or body.get("target") not in self.targets:
                return self._answer(400, {"error": f"{body.get('target')} is not supported"})
            q = body.get("q")
            done = [translate(t, body["target"]) for t in q] if isinstance(q, list) else translate(q, body["target"])
            return self._answer(200, {"translatedText": done})
        if self.kind == "deepl":
            if not self._authorised():
                return self._answer(403, {"message": "Forbidden"})
            if path == "/v2/glossaries":
                glossary_id = str(uuid.uuid4())
                entries = dict(line.split("\t", 1) for line in body["entries"].splitlines() if "\t" in line)
                Handler.glossaries[glossary_id] = {"glossary_id": glossary_id, "name": body["name"], "ready": True,
                                                   "source_lang": body["source_lang"],
                                                   "target_lang": body["target_lang"], "entries": entries,
                                                   "entry_count": len(entries)}
                return self._answer(201, {k: v for k, v in Handler.glossaries[glossary_id].items() if k != "entries"})
            if path == "/v2/translate":
                target = str(body.get("target_lang", "")).split("-")[0].lower()
                if target not in self.targets or body.get("source_lang") != "DE":
                    return self._answer(400, {"message": f"Value for 'target_lang' not supported: {target}"})
                texts = body.get("text") or []
                size = sum(len(t) for t in texts)
                if self.quota and Handler.used + size > self.quota:
                    return self._answer(456, {"message": "Quota exceeded"})
                Handler.used += size
                glossary = Handler.glossaries.get(body.get("glossary_id") or "", {}).get("entries")
                return self._answer(200, {"translations": [{"detected_source_language": "DE",
                                                            "text": translate(t, target, glossary)} for t in texts]})
        return self._answer(404, {"error": "Not Found"})

    def _authorised(self) -> bool:
        return self.headers.get("Authorization") == f"DeepL-Auth-Key {self.key}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["libretranslate", "deepl"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--key", default="")
    parser.add_argument("--targets", default="ar,en,fa,fr,ps,ru,tr,uk")
    parser.add_argument("--quota", type=int, default=0)
    args = parser.parse_args()
    Handler.kind, Handler.key, Handler.log, Handler.quota = args.kind, args.key, args.log, args.quota
    Handler.targets = [t for t in args.targets.split(",") if t]
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


class StandIn:
    """A stand-in engine in a process of its own; `stop()` and `start()` again on the same port: down and back."""

    def __init__(self, kind: str, directory: Path, key: str = "", targets: str = "ar,en,fa,fr,ps,ru,tr,uk",
                 quota: int = 0):
        from servers import free_port

        self.kind, self.key, self.targets, self.quota = kind, key, targets, quota
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = directory / f"{kind}-{self.port}.jsonl"
        self.log.touch()
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        from servers import wait_for_port

        self.process = subprocess.Popen(
            [sys.executable, __file__, self.kind, "--port", str(self.port), "--log", str(self.log), "--key", self.key,
             "--targets", self.targets, "--quota", str(self.quota)])
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        from servers import wait_or_kill

        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            wait_or_kill(self.process, 10)
        self.process = None

    def requests(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line]

    def sent(self) -> str:
        """Everything that was sent to this engine, as one text."""
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in self.requests())


if __name__ == "__main__":
    main()

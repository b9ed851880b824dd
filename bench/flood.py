"""One client floods the atlas with expensive requests: how long does `/` take meanwhile for everyone else?

    .venv/bin/python bench/flood.py                       # 10,000 projects, 20 s per flood
    .venv/bin/python bench/flood.py --sizes 10000 --seconds 10

`atlas serve` (waitress, 8 threads) runs as an operator runs it behind a proxy (ATLAS_PROXY_COUNT=1, so each
request names its client in X-Forwarded-For). The flooder is wrk with 8 connections from one client address, asking
for a new expensive variant each time: poster PDFs of every Kreis in every language, CSV downloads with a new place
and radius, embedded maps around a new place, near searches at new points, searches for new words. Meanwhile a
second client (another address) asks for `/` one request after the other; its p50 and p95 are compared with the
same client's on a quiet server. Target of issue 20: within 3× of quiet. Also printed: how many of the flood's
requests were refused (429) and the server's memory after each flood.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import requests
from common import app_with_projects, arguments, scratch

from atlas.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port, wait_for_port  # noqa: E402

PLACES = ["Hannover", "Hildesheim", "Osnabrück", "Lüneburg", "Oldenburg", "Göttingen", "Celle", "Stade", "Peine",
          "Wolfsburg", "Salzgitter", "Emden", "Leer", "Aurich", "Verden", "Nienburg", "Hameln", "Goslar"]
VICTIM, FLOODER = "198.51.100.1", "203.0.113.66"


def floods(regions) -> dict[str, list[str]]:
    rng = random.Random(20)
    kreise = sorted(regions.by_rs)
    words = ["Sprachcafé", "Patenschaft", "Netzwerk", "Begegnung", "Willkommen", "Ausbildung", "Frauentreff"]
    radius = [5, 10, 25, 50]
    return {
        "poster PDFs": [f"/aushang/{rs}.pdf?lang={lang}" for rs in kreise for lang in LANGUAGES],
        "CSV downloads, new radius": [f"/daten/projekte.csv?ort={rng.choice(PLACES)}&umkreis={rng.choice(radius)}"
                                      f"&zielgruppe={rng.choice(['frauen', 'kinder', 'familien'])}&n={i}"
                                      for i in range(2000)],
        "embedded maps around a place": [f"/einbetten?ort={rng.choice(PLACES)}&umkreis={rng.choice(radius)}"
                                         f"&hf={rng.choice(['sprache', 'teilhabe'])}&n={i}" for i in range(2000)],
        "near searches at new points": [f"/in-der-naehe?lat={rng.uniform(51.5, 53.5):.5f}"
                                        f"&lon={rng.uniform(7.5, 11):.5f}" for _ in range(2000)],
        "unique searches": [f"/suche?q={rng.choice(words)}+{rng.randrange(10**6)}" for _ in range(2000)],
    }


def main() -> None:
    parser = arguments(__doc__, [10_000])
    parser.add_argument("--seconds", type=int, default=20)
    options = parser.parse_args()
    for size in options.sizes:
        run(size, options.seconds, options.texts)


def run(size: int, seconds: int, texts: str) -> None:
    directory = scratch("atlas-bench-flood-")
    app = app_with_projects(size, directory=directory, texts=texts)
    regions = app.extensions["atlas"].regions
    app.extensions["atlas"].close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ATLAS_DATABASE_URL": f"sqlite:///{directory / 'atlas.db'}", "ATLAS_TILES": "none",
           "ATLAS_INSTANCE_PATH": str(directory), "ATLAS_LOG_LEVEL": "WARNING", "ATLAS_PROXY_COUNT": "1",
           "ATLAS_BASE_URL": base, "ATLAS_TRUSTED_PROXY": "127.0.0.1"}
    server = subprocess.Popen([str(Path(sys.executable).with_name("atlas")), "serve", "--port", str(port),
                               "--threads", "8"], env=env, cwd=directory, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, seconds=180, process=server)
        requests.get(base + "/", timeout=120, headers={"X-Forwarded-For": VICTIM})
        quiet = victim(base, seconds)
        print(f"\n{size} projects; `/` for another client, quiet: p50 {p(quiet, 50):.1f} ms, "
              f"p95 {p(quiet, 95):.1f} ms; server {rss_mb(server.pid):.0f} MB")
        print("| flood (8 connections, one client) | flood req/s | refused (429) | `/` p50 ms | `/` p95 ms "
              "| p50 against quiet | p95 against quiet | server memory |\n|---|---|---|---|---|---|---|---|")
        for name, paths in floods(regions).items():
            result: dict = {}
            flooder = threading.Thread(target=flood, args=(result, base, paths, seconds + 2))
            flooder.start()
            time.sleep(1)
            during = victim(base, seconds)
            flooder.join()
            print(f"| {name} | {result['rate']:.0f} | {result['refused']:.0%} | {p(during, 50):.1f} | "
                  f"{p(during, 95):.1f} | {p(during, 50) / p(quiet, 50):.1f}× | {p(during, 95) / p(quiet, 95):.1f}× | "
                  f"{rss_mb(server.pid):.0f} MB |", flush=True)
            time.sleep(2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def flood(result: dict, base: str, paths: list[str], seconds: int) -> None:
    result.update(wrk(base, paths, seconds))


def victim(base: str, seconds: float) -> list[float]:
    """`/` for an ordinary visitor, one request after the other, as a browser asks it."""
    times = []
    end = time.monotonic() + seconds
    with requests.Session() as session:
        session.headers.update({"X-Forwarded-For": VICTIM, "Accept-Encoding": "gzip"})
        while time.monotonic() < end:
            start = time.perf_counter()
            answer = session.get(base + "/", timeout=60)
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.status_code
    return times


def wrk(base: str, paths: list[str], seconds: int) -> dict:
    script = scratch("atlas-flood-") / "flood.lua"
    quoted = ",\n".join('"' + quote(path, safe="/?&=.+") + '"' for path in paths)
    script.write_text(f"""
paths = {{{quoted}}}
threads = {{}}
setup = function(thread) table.insert(threads, thread) end
init = function(args) counter = math.random(#paths); refused = 0 end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {{["X-Forwarded-For"] = "{FLOODER}"}})
end
response = function(status, headers, body)
  if status == 429 then refused = refused + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("refused") end
  io.write(string.format("refused %d of %d\\n", total, summary.requests))
end
""")
    output = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "-s", str(script), base],
                            capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    refused, total = map(int, re.search(r"refused (\d+) of (\d+)", output).groups())
    return {"rate": rate, "refused": refused / max(total, 1)}


def p(values: list[float], percentile: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(percentile / 100 * (len(ordered) - 1))))] if ordered else 0.0


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


if __name__ == "__main__":
    main()

"""The atlas's own basemap: its bytes at state zoom and zoomed in, and what it costs and gives a visitor in
headless Chromium – on loopback and on an emulated slow line – with it and without it (the module basemap.js answered
by a stub that draws nothing, its data not fetched), ATLAS_TILES=none.

    .venv/bin/python bench/basemap.py                 # 1,000 projects, median of 5 fresh browser contexts
    .venv/bin/python bench/basemap.py --sizes 7 --runs 3

Per run, from navigation start: first paint and first contentful paint (the browser's paint timing), the first
place name on the map, the first project marker, and the bytes of the basemap's data the page fetched (encoded,
as sent). The slow line is Chrome's emulation: 400 ms round trip, 400 kbit/s down, 150 kbit/s up.
"""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

from common import app_with_projects, arguments, scratch, unlimited_env
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port, wait_for_port  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = {"state map /": "/", "near Hildesheim, 10 km (zoom 11)": "/in-der-naehe?ort=Hildesheim&umkreis=10",
         "a project (zoom 12)": "/projekt/1"}
LINES = {"loopback": None, "slow line": {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
                                         "uploadThroughput": 150_000 / 8}}
WATCH = """
    window.__seen = {};
    new MutationObserver((changes, observer) => {
      const now = performance.now();
      if (!window.__seen.name && document.querySelector('.atlas-ort')) window.__seen.name = now;
      if (!window.__seen.marker && document.querySelector('.hf-marker, .marker-cluster')) window.__seen.marker = now;
      if (window.__seen.name && window.__seen.marker) observer.disconnect();
    }).observe(document, {childList: true, subtree: true});
"""
STUB = "export function drawBasemap() { return null; }"
BASEMAP = "document.getElementById('map_atlas').atlas.basemap"  # the map's parts: static/js/dom.js, expose


def main() -> None:
    options = parse_args()
    for size in options.sizes:
        directory = scratch("atlas-bench-basemap-")
        app_with_projects(size, directory=directory, texts=options.texts).extensions["atlas"].close()
        with served(directory) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                print(f"{size:,} projects, ATLAS_TILES=none, median of {options.runs} fresh contexts")
                for title, path in PAGES.items():
                    report_bytes(title, url, visit(browser, url + path, LINES["loopback"], True)["urls"])
                for line, conditions in LINES.items():
                    for title, path in PAGES.items():
                        for basemap in (True, False):
                            runs = [visit(browser, url + path, conditions, basemap) for _ in range(options.runs)]
                            report(f"{line}, {title}, {'with' if basemap else 'without'} basemap", runs)
            finally:
                browser.close()


def parse_args():
    parser = arguments(__doc__, [1_000])
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def visit(browser, url: str, conditions: dict | None, basemap: bool) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    if not basemap:
        context.route("**/js/*/basemap.js", lambda route: route.fulfill(
            status=200, content_type="text/javascript", body=STUB))
        context.route("**/karte/grund.json*", lambda route: route.abort())  # the page's preload of it
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.add_init_script(WATCH)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if conditions:
        cdp.send("Network.emulateNetworkConditions", conditions)
    urls, encoded = {}, {}
    cdp.on("Network.requestWillBeSent", lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda event: encoded.__setitem__(event["requestId"],
                                                                      event["encodedDataLength"]))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.__seen.marker" + (" && window.__seen.name" if basemap else ""))
    if basemap:  # every tile in view is there and drawn
        page.wait_for_function(f"() => {BASEMAP}.grid && !Object.keys({BASEMAP}.loading).length")
    page.wait_for_load_state("networkidle")
    paint = page.evaluate("() => Object.fromEntries(performance.getEntriesByType('paint')"
                          ".map(e => [e.name, e.startTime]))")
    seen = page.evaluate("() => window.__seen")
    ours = [key for key, address in urls.items() if "/karte/grund.json" in address]
    result = {"fp": paint["first-paint"], "fcp": paint["first-contentful-paint"], "marker": seen["marker"],
              "name": seen.get("name"), "bytes": sum(encoded.get(key, 0) for key in ours),
              "urls": [urls[key] for key in ours]}
    context.close()
    return result


def report_bytes(title: str, base: str, urls: list[str]) -> None:
    """What the page fetched of the basemap, raw and gzipped as the app sends it."""
    raw = packed = 0
    for url in urls:
        body = urllib.request.urlopen(url).read()  # noqa: S310 - the loopback server started here
        raw += len(body)
        packed += len(gzip.compress(body, 6))
    tiles = sum("&x=" in url for url in urls)
    parts = "index" + (" + overview" if any("teil=uebersicht" in url for url in urls) else "") + f" + {tiles} tiles"
    print(f"  basemap data, {title}: {parts}, {raw / 1000:.1f} kB raw, {packed / 1000:.1f} kB gzip")


def report(title: str, runs: list[dict]) -> None:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    line = f"  {title}: first paint {median('fp'):.0f} ms, first contentful paint {median('fcp'):.0f} ms"
    if runs[0]["name"] is not None:
        line += f", first place name {median('name'):.0f} ms"
    line += f", first marker {median('marker'):.0f} ms, basemap data {median('bytes') / 1000:.1f} kB sent"
    print(line, flush=True)


class served:
    """`atlas serve` of this checkout on a free loopback port."""

    def __init__(self, directory: Path):
        self.directory = directory

    def __enter__(self) -> str:
        port = free_port()
        env = {**os.environ, **unlimited_env(),
               "PYTHONPATH": str(ROOT), "ATLAS_DATABASE_URL": f"sqlite:///{self.directory / 'atlas.db'}",
               "ATLAS_TILES": "none", "ATLAS_INSTANCE_PATH": str(self.directory), "ATLAS_LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen([sys.executable, "-c", "from atlas.cli import main; main()", "serve",
                                         "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_for_port(port, seconds=180, process=self.process)
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


if __name__ == "__main__":
    main()

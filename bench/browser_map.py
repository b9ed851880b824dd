"""What a visitor waits for: the start page in headless Chromium at 10k and 100k projects, and the naive Folium
page (one folium.Marker with popup per project in a MarkerCluster) for the same 10k projects in the same browser.

    .venv/bin/python bench/browser_map.py                  # 10k and 100k, median of 5 fresh browser contexts
    .venv/bin/python bench/browser_map.py --sizes 10000 --runs 3

Per run, in a fresh context: navigation start → first marker (or cluster) on the map; → every project placed
(the map says so: its projects' `settledAt`, static/js/map.js); JS heap after a garbage collection (CDP); bytes
transferred (encoded, headers included); one filter tick (ticking "Sprache" until map and list are done); and a repeat
visit in the same context (bytes transferred again, against the first visit).
The naive page is served by a plain HTTP server on loopback with Leaflet from the same XStatic packages.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
from pathlib import Path

import folium
import xstatic.pkg.jquery as jquery
import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from common import app_with_projects, arguments, scratch, unlimited_env
from folium.plugins import MarkerCluster
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port, wait_for_port  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# The map's projects, as the browser code shows them on the map's element (static/js/dom.js, expose)
PROJECTS = "document.getElementById('map_atlas')?.atlas?.projects"
DRAWN = "document.getElementById('map_atlas').atlas.projects"  # the same once drawn: it can be assigned to
FIRST_MARKER = """
    window.__firstMarker = null;
    new MutationObserver((changes, observer) => {
      if (document.querySelector('.hf-marker, .marker-cluster, .leaflet-marker-icon')) {
        window.__firstMarker = performance.now(); observer.disconnect();
      }
    }).observe(document, {childList: true, subtree: true});
"""


def main() -> None:
    options = parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for size in options.sizes:
                directory = scratch("atlas-bench-browser-")
                app = app_with_projects(size, directory=directory, texts=options.texts)
                frame = app.extensions["atlas"].store.published()
                app.extensions["atlas"].close()
                with atlas_server(directory) as url:
                    runs = [visit(browser, url + "/") for _ in range(options.runs)]
                report(f"atlas, {size} projects", runs)
                if size == 10_000:
                    with naive_server(frame, directory) as url:
                        naive = [visit(browser, url + "/naive.html", atlas=False) for _ in range(options.runs)]
                    report(f"naive Folium, {size} projects", naive)
                    ratio = statistics.median(r["settled"] for r in naive) / statistics.median(
                        r["settled"] for r in runs)
                    print(f"  → the atlas places all {size} projects {ratio:.1f}× sooner than the naive page")
        finally:
            browser.close()


def parse_args():
    parser = arguments(__doc__, [10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def visit(browser, url: str, atlas: bool = True) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.add_init_script(FIRST_MARKER)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    transferred = {"bytes": 0}
    cdp.on("Network.loadingFinished", lambda event: transferred.__setitem__(
        "bytes", transferred["bytes"] + event["encodedDataLength"]))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.__firstMarker !== null")
    if atlas:
        page.wait_for_function(f"() => {PROJECTS}?.settledAt")
        settled = page.evaluate(f"() => {PROJECTS}.settledAt")
    else:
        page.wait_for_function("() => document.querySelectorAll('.marker-cluster, .leaflet-marker-icon').length > 0")
        settled = page.evaluate("() => performance.now()")  # the naive page adds its markers while it loads
    first = page.evaluate("() => window.__firstMarker")
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6
    result = {"first": first, "settled": settled, "heap": heap, "bytes": transferred["bytes"] / 1e6}
    if atlas:
        result["tick"] = page.evaluate(f"""() => new Promise(done => {{
            const box = document.querySelector('#filter input[value=sprache]');
            const start = performance.now();
            {DRAWN}.onSettled = () => done(performance.now() - start);
            box.click();
        }})""")
        first_bytes = transferred["bytes"]
        transferred["bytes"] = 0
        page.goto(url, wait_until="load")
        page.wait_for_function(f"() => {PROJECTS}?.settledAt")
        result["repeat"] = transferred["bytes"] / first_bytes
    context.close()
    return result


def report(title: str, runs: list[dict]) -> None:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    line = (f"{title}: first marker {median('first'):.0f} ms, all placed {median('settled'):.0f} ms, "
            f"JS heap {median('heap'):.0f} MB, transferred {median('bytes'):.2f} MB")
    if "tick" in runs[0]:
        line += f", filter tick {median('tick'):.0f} ms, repeat visit {median('repeat') * 100:.1f} % of the bytes"
    print(line, flush=True)


class atlas_server:
    def __init__(self, directory: Path):
        self.directory = directory

    def __enter__(self) -> str:
        port = free_port()
        env = {**os.environ, **unlimited_env(),
               "ATLAS_DATABASE_URL": f"sqlite:///{self.directory / 'atlas.db'}", "ATLAS_TILES": "none",
               "ATLAS_INSTANCE_PATH": str(self.directory), "ATLAS_LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen([str(Path(sys.executable).with_name("atlas")), "serve", "--port", str(port)],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(port, seconds=180, process=self.process)
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class naive_server:
    """The naive page: Folium with one Marker and popup per project, Leaflet from the same XStatic files."""

    def __init__(self, frame, directory: Path):
        self.root = directory / "naive"
        self.root.mkdir()
        figure = folium.Map(location=[52.8, 9.2], zoom_start=7, tiles=None, max_zoom=18, maxZoom=18)  # as the atlas
        cluster = MarkerCluster().add_to(figure)
        for row in frame.itertuples():
            folium.Marker([row.lat, row.lon], popup=folium.Popup(f"{row.name}<br>{row.ort}"), tooltip=row.name
                          ).add_to(cluster)
        html = figure.get_root().render()
        for name, base in (("leaflet", leaflet.BASE_DIR), ("markercluster", markercluster.BASE_DIR),
                           ("jquery", jquery.BASE_DIR)):
            shutil.copytree(base, self.root / name)
        shutil.copy(self.root / "jquery" / "jquery.min.js", self.root / "jquery" / "jquery-3.7.1.min.js")
        local = {"leaflet.js": "leaflet", "leaflet.css": "leaflet", "leaflet.markercluster.js": "markercluster",
                 "MarkerCluster.css": "markercluster", "MarkerCluster.Default.css": "markercluster",
                 "jquery-3.7.1.min.js": "jquery"}
        lines = []
        for line in html.splitlines():  # no CDN here: Leaflet and markercluster from the packages, the rest out
            found = re.search(r'(?:src|href)="(https?://[^"]+)"', line)
            if found:
                name = found.group(1).rsplit("/", 1)[1]
                if name not in local:
                    continue
                line = line.replace(found.group(1), f"{local[name]}/{name}")
            lines.append(line)
        html = "\n".join(lines)
        (self.root / "naive.html").write_text(html)

    def __enter__(self) -> str:
        handler = functools.partial(Quiet, directory=str(self.root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    main()

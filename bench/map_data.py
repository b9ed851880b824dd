"""The maps' data in every language: how many bodies are made and kept, and what a reader of each language loads.

    .venv/bin/python bench/map_data.py                    # 10k and 100k published projects
    .venv/bin/python bench/map_data.py --sizes 1000000

For each size: a reader of every language opens `/` and what its map asks for first (cold: each language's page and
data made once), then again (warm): all the projects, or, above ATLAS_MAP_CLUSTER_ABOVE (a map by viewport), the
tile of Niedersachsen and the list in view. Printed: the distinct data URLs of all languages together (the same as
one language's when the data is one body for all; the tiles and lists of a map by viewport carry the projects'
summaries in the reader's language, so they are one body per language), the data renders, the page cache's bytes
after all languages, the time for all of them cold and warm, the gzip bytes of one language's data, and the
largest page's gzip bytes (the page carries the words). The reference is the state before this change: one body
per language (8 languages, 7 copies more than needed).
"""

from __future__ import annotations

import gzip
import time

from common import app_with_projects, arguments, first_map_requests

from atlas.i18n import LANGUAGES


def main() -> None:
    args = arguments(__doc__, [10_000, 100_000]).parse_args()
    print(f"{'projects':>9} {'languages':>9} {'data urls':>9} {'data renders':>12} {'cache MiB':>9} "
          f"{'cold s':>7} {'warm s':>7} {'data gzip kB':>12} {'page gzip kB':>12}")
    for n in args.sizes:
        app = app_with_projects(n, texts=args.texts)
        client = app.test_client()
        pages = app.extensions["atlas_pages"]
        for run in ("cold", "warm"):
            sources, renders, page_bytes = set(), pages.renders, 0
            started = time.perf_counter()
            for code in LANGUAGES:
                page = client.get(f"/?lang={code}")
                text = page.get_data(as_text=True)
                page_bytes = max(page_bytes, len(gzip.compress(text.encode(), 6)))
                data_gzip = 0
                for url in first_map_requests(text):
                    sources.add(url)
                    data = client.get(url, headers={"Accept-Encoding": "gzip"})
                    assert data.status_code == 200, url
                    data_gzip += len(data.data)
            seconds = time.perf_counter() - started
            if run == "cold":
                cold, data_renders = seconds, pages.renders - renders - len(LANGUAGES)
            else:
                warm = seconds
        print(f"{n:>9} {len(LANGUAGES):>9} {len(sources):>9} {data_renders:>12} {pages.bytes / 2**20:>9.1f} "
              f"{cold:>7.2f} {warm:>7.3f} {data_gzip / 1000:>12.0f} {page_bytes / 1000:>12.0f}")


if __name__ == "__main__":
    main()

"""CPU per request of the API's pages of projects, in one process (the Flask test client, no HTTP): what a GIS
client paging through the projects costs the server, and whether it stays flat as the projects grow.

    .venv/bin/python bench/ogc_page.py                    # 10k and 100k published projects
    .venv/bin/python bench/ogc_page.py --sizes 1000000 --repeat 50

For each URL: the median CPU milliseconds (time.process_time) of `--repeat` requests after a first one. Target of
issue 26: an OGC page ≤ 3 ms at 100k and flat from 10k to 1M.
"""

from __future__ import annotations

import statistics
import time

from common import app_with_projects, arguments

URLS = ["/ogc/collections/projekte/items",
        "/ogc/collections/projekte/items?offset=5000",
        "/ogc/collections/projekte/items?hf=sprache&limit=100",
        "/ogc/collections/projekte/items?bbox=9.6,52.3,9.9,52.5"]


def main() -> None:
    parser = arguments(__doc__, [10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    print(f"{'projects':>9}  " + "  ".join(f"{url.split('items')[1] or '(first page)':>26}" for url in URLS))
    for n in args.sizes:
        client = app_with_projects(n, texts=args.texts).test_client()
        figures = []
        for url in URLS:
            assert client.get(url).status_code == 200
            times = []
            for _ in range(args.repeat):
                started = time.process_time()
                client.get(url)
                times.append(time.process_time() - started)
            figures.append(statistics.median(times) * 1000)
        print(f"{n:>9}  " + "  ".join(f"{ms:>23.1f} ms" for ms in figures), flush=True)


if __name__ == "__main__":
    main()

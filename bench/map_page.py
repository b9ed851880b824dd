"""Server time and size of the map pages, against the naive map with one Folium Marker per project.

    .venv/bin/python bench/map_page.py          # 100, 10k, 100k published projects

For each size: `/` and a filtered view (`/?hf=sprache`), rendered cold (empty page cache) and warm (from the
cache), raw and gzip bytes; the naive map (folium.Marker with a popup per project, in a MarkerCluster) is
rendered for comparison; at 100k it is timed on 10k and scaled, because it would take minutes.
"""

from __future__ import annotations

import argparse
import gzip
import html

import folium
from common import app_with_projects, texts_option, timed
from folium.plugins import MarkerCluster

NAIVE_LIMIT = 10_000


def main() -> None:
    options = texts_option(argparse.ArgumentParser(description=__doc__.splitlines()[0])).parse_args()
    print(f"{'projects':>9} {'view':<14} {'cold':>9} {'warm':>8} {'raw':>10} {'gzip':>9} {'gzip/proj':>9} "
          f"{'naive':>9} {'naive gzip':>11} {'ratio':>7}")
    for n in (100, 10_000, 100_000):
        app = app_with_projects(n, texts=options.texts)
        client = app.test_client()
        store = app.extensions["atlas"].store
        naive_s, naive_bytes = naive_map(store.published(), limit=NAIVE_LIMIT)
        scale = n / min(n, NAIVE_LIMIT)
        client.get("/?hf=teilhabe")  # compiles the templates: "cold" below means an empty page cache
        for url in ("/", "/?hf=sprache"):
            cold, response = timed(lambda u=url, c=client: c.get(u))
            assert response.status_code == 200
            warm = min(timed(lambda u=url, c=client: c.get(u))[0] for _ in range(5))
            body = response.get_data()
            packed = len(gzip.compress(body, 6))
            print(f"{n:>9,} {url:<14} {cold * 1000:>7.0f}ms {warm * 1000:>6.1f}ms {len(body):>10,} {packed:>9,} "
                  f"{packed / n:>9.1f} {naive_s * scale:>8.1f}s {naive_bytes * scale:>11,.0f} "
                  f"{naive_s * scale / cold:>6.0f}x")


def naive_map(projects, limit: int) -> tuple[float, int]:
    """The way the style guide warns against: a Folium Marker object per project."""
    sample = projects.iloc[:limit]

    def build() -> bytes:
        figure_map = folium.Map(location=[52.8, 9.2], zoom_start=7, tiles=None)
        cluster = MarkerCluster().add_to(figure_map)
        for row in sample.itertuples():
            popup = f"<b>{html.escape(row.name)}</b><br>{html.escape(row.traeger)}<br>{html.escape(row.ort)}" \
                    f'<br><a href="/projekt/{row.id}">Zur Projektseite</a>'
            folium.Marker([row.lat, row.lon], popup=popup, tooltip=html.escape(row.name)).add_to(cluster)
        return figure_map.get_root().render().encode()

    seconds, page = timed(build)
    return seconds, len(gzip.compress(page, 6))


if __name__ == "__main__":
    main()

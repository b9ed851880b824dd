"""The documentation a newcomer reads: a README short enough to read through, the rest in docs/, and every relative
link in them leading to a file that exists – and to a heading there, where the link names one (GitHub's anchors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once
ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_MAX_LINES = 250  # what a newcomer reads through; everything else goes into docs/

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def documents() -> list[Path]:
    """The README, every page of docs/ and the data sets' READMEs, which the docs link to."""
    return [README, *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "data").glob("**/README.md"))]


def relative_links(markdown: str) -> list[str]:
    """The targets of the Markdown links that stay in the repository; code blocks and code spans hold no links."""
    prose = CODE_SPAN.sub("", FENCE.sub("", markdown))
    return [target for target in LINK.findall(prose) if not EXTERNAL.match(target)]


def anchors(markdown: str) -> set[str]:
    """The ids GitHub gives the headings of a Markdown file: lower case, punctuation dropped, spaces as hyphens,
    a repeated one numbered (`-1`, `-2`, …)."""
    seen: dict[str, int] = {}
    ids = set()
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").replace("*", "")
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        ids.add(slug if count == 0 else f"{slug}-{count}")
    return ids


def broken_links(page: Path) -> list[str]:
    """Each relative link of a page whose file or heading is not there, with what is wrong."""
    broken = []
    for target in relative_links(page.read_text(encoding="utf-8")):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no file {file}")
        elif anchor and file.suffix != ".md":
            broken.append(f"{target}: an anchor into a file that is not Markdown")
        elif anchor and anchor not in anchors(file.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading #{anchor} in {file.name}")
    return broken


def test_the_readme_stays_short():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines < README_MAX_LINES, f"README.md has {lines} lines; move what a newcomer can do without into docs/"


@pytest.mark.parametrize("page", documents(), ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    assert broken_links(page) == []


def test_the_readme_links_every_page_of_the_docs():
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in relative_links(README.read_text("utf-8"))}
    pages = sorted((ROOT / "docs").glob("*.md"))
    assert pages, "docs/ holds no pages"
    assert [page.name for page in pages if page.resolve() not in linked] == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("## Search (`/suche`)", "search-suche"),
        ("## OGC API – Features (`/ogc`)", "ogc-api--features-ogc"),
        ("## Projects: `data/projects.csv`, import and export", "projects-dataprojectscsv-import-and-export"),
        ("### Für Ämter & Träger", "für-ämter--träger"),
    ],
)
def test_anchors_are_made_as_github_makes_them(heading, anchor):
    assert anchor in anchors(heading)


def test_a_link_to_a_missing_file_or_heading_is_found(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## A heading\n\n## A heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#a-heading) [twice](other.md#a-heading-1) [self](#top) [gone](missing.md)\n"
        "[no heading](other.md#nowhere) [web](https://example.org/x.md) `[code](missing.md)`\n"
        "```\n[fenced](missing.md)\n```\n# Top\n",
        encoding="utf-8",
    )
    found = broken_links(page)
    assert [entry.split(":")[0] for entry in found] == ["missing.md", "other.md#nowhere"]

"""One project's item in a list, written in Python: the only writer of it (templates/_partials.html's project_item
and the kept items of the lists made per request, atlas.web.items, both call it). A list made per request writes
dozens of items a place has not kept yet, and as a Jinja macro an item cost more than twice as much (issue 26:
13.6 µs against 5.9 µs an item of the 100k benchmark's)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from markupsafe import Markup, escape

from atlas.i18n import N_, catalogue, current_language, distance, listing
from atlas.links import project_links, project_path, sample_address
from atlas.present import berlin_date
from atlas.web.fragments import kept_fragment

FACTS_APART = Markup(" · ")  # between the facts of a project, and between its distance, Träger, Ort and fields
TIMES_APART = Markup("; ")
KEPT_BADGES = 9 * 2**5  # a set of the five Handlungsfelder in each language
# The messages of an item, marked for pybabel here (it reads no call inside an f-string)
FREE = N_("kostenlos")
FROM_SOURCES = N_("aus öffentlichen Quellen, unbestätigt")
UNCONFIRMED_SINCE = N_("nicht bestätigt seit %(date)s")
BY_MACHINE = N_("maschinell übersetzt")
SHOW_ORIGINAL = N_("Original (Deutsch) anzeigen")
OUTDATED = N_("Übersetzung veraltet")


class Words:
    """What the items of one list write alike, looked up once for the list (a list made per request writes dozens
    of items, and each lookup of the reader's language or of the request's link builder costs microseconds): the
    address of a project's page and the messages, in the reader's language."""

    def __init__(self, link: Callable[[int], str] | None = None):
        self._link = link
        self._texts: dict[str, Markup] = {}

    def path(self, project_id: int) -> str:
        if self._link is None:  # the list's first item: the builder made once for all of them, from a sample address
            # kept per app and root (atlas.web.fragments): its url_for cost every list made per request tens of µs
            self._link = project_links(sample=str(kept_fragment("project_address", (), sample_address, "public.project",
                                                                "project_id")))
        return self._link(project_id)

    def __call__(self, message: str, **params) -> Markup:
        """The message as the templates' `_` gives it (Jinja's gettext with autoescape): the catalogue's text is
        trusted markup, its %(…)s placeholders filled with escaped values – and formatted even without any
        ("%%" is "%")."""
        found = self._texts.get(message)
        if found is None:
            text = Markup(catalogue().ugettext(message))
            found = self._texts[message] = text if params else text % {}
        return found % params if params else found


def list_item(p: dict, badges: Markup | None = None, slots: bool = False, outward: bool = False, away=None,
              words: Words | None = None) -> Markup:
    """One project in a list (the maps' lists, the near search, the search): its name, linked (a new tab if
    `outward`: in a frame of another site); its distance where it has one (`away`, written out, or the project's
    `km`); Träger, Ort and Handlungsfelder (`badges`: as field_badges writes them, which a list made per request
    looks up once per set of fields; None: looked up here); the summary, marked and with its original where a
    machine translated it (static/js/summary.js builds the same parts in a popup); what helps decide at a glance
    (free, languages, times); the mark of an entry from public sources; and since when a project is no longer
    confirmed. With `slots`, every part is there and empty: the list's <template> (project_template), from which
    the browser makes the items of a filtered list (static/js/list.js fills the `data-slot` parts and takes out
    what a project has not). `words`: those of the list (atlas.web.items), or looked up for this item alone.

    Every text of the project is escaped (text, never HTML); the messages are the catalogue's, as the templates'
    gettext gives them. The output is that of the Jinja macro it replaced, to the byte: the same white space
    between the parts."""
    return Markup(item_text(p, badges, slots, outward, away, words))


def item_text(p: dict, badges: Markup | None = None, slots: bool = False, outward: bool = False, away=None,
              words: Words | None = None) -> str:
    """list_item's HTML as a plain string: a list made per request joins dozens of items before it makes markup of
    them, once (each part `escaped`, not made markup of its own: a third of an item's cost)."""
    if words is None:
        words = Words(project_path)
    if badges is None:
        badges = field_badges(p["fields"])
    shown = p.get("summary_shown")
    facts = p["facts"]
    target = ' target="_blank" rel="noopener"' if outward else ""
    if away:
        far = f'<bdi class="entfernung">{_html(away)}</bdi> · '
    elif "km" in p:
        far = f'<bdi class="entfernung">{escaped(distance(p["km"]))}</bdi> · '
    else:
        far = ""
    traeger = p.get("traeger", "")
    held_by = (f'<span data-slot="traeger"><bdi lang="de">{escaped(traeger)}</bdi> · </span>'
               if traeger or slots else "")
    parts = [f'\n      <li class="projekt">\n        <a class="projekt-name" href="{escaped(words.path(p["id"]))}"'
             f' lang="de" dir="auto"{target} data-slot="name">{escaped(p.get("name", ""))}</a>\n'
             f'        {far}\n'
             f'        <span class="projekt-details">{held_by}<bdi lang="de" data-slot="ort">'
             f'{escaped(p.get("ort", ""))}</bdi> · {_html(badges)}</span>\n        ']
    if slots or (shown and shown.text):
        parts.append(_summary(shown, slots, words))
    parts.append("\n        ")
    lines = ([words(FREE)] if facts.get("kostenlos") else []) + (
        [listing(facts["sprachen"])] if facts.get("sprachen") else []) + (
        [TIMES_APART.join(facts["zeiten"])] if facts.get("zeiten") else [])
    if lines or slots:
        parts.append(f'<span class="facts-note" data-slot="facts">{FACTS_APART.join(lines)}</span>')
    parts.append("\n        ")
    if p.get("source") or slots:
        parts.append(f'<span class="source-mark" data-slot="source">'
                     f'{words(FROM_SOURCES)}</span>')
    parts.append("\n        ")
    since = p.get("unconfirmed_since")
    if since or slots:
        parts.append(f'<span class="unconfirmed" data-slot="unconfirmed">'
                     f'{words(UNCONFIRMED_SINCE, date=berlin_date(since)) if since else ""}</span>')
    parts.append("\n      </li>\n")
    return "".join(parts)


def field_badges(fields: tuple, code: str | None = None, written: dict | None = None) -> Markup:
    """The badges of a project's Handlungsfelder (a tuple, as atlas.present makes it): letter and colour, then the
    name in the reader's language (`code`, if the caller looked it up already). templates/_partials.html's
    hf_badges is this. The same for every project of these fields and every reader of a language: written once
    per app and kept (`written`: kept_badges(), if the caller looked them up already – a list made per request
    asks for a few dozen sets, and each look at the app costs more than the dict's lookup)."""
    if written is None:
        written = kept_badges()
    key = (code or current_language(), fields)
    found = written.get(key)
    if found is None:
        found = written[key] = _badges(fields)
    return found


def kept_badges() -> dict:
    """The app's written badges (field_badges), by language and fields; a lookup in the kept fragments
    (atlas.web.fragments) would cost more than a dict's."""
    written = current_app.extensions.get("atlas_badges")
    if written is None or len(written) > KEPT_BADGES:  # stored fields are canonical: a full dict is not expected
        written = current_app.extensions["atlas_badges"] = {}
    return written


def _badges(fields: tuple) -> Markup:
    return Markup("".join(f'<span class="hf-badge" style="background: {escape(hf.colour)}" aria-hidden="true" '
                          f'data-hf="{escape(hf.slug)}">{escape(hf.letter)}</span><span class="hf-name" '
                          f'data-hf="{escape(hf.slug)}">{escape(hf.label)} </span>' for hf in fields))


def _summary(shown, slots: bool, words: Words) -> str:
    """The summary as the reader gets it, with its marks (a machine's, an outdated translation's) and its original."""
    direction = shown.dir if shown.translated else "auto"
    parts = [f'\n  <div class="projekt-summary" data-slot="summary"><span lang="{escaped(shown.lang)}" '
             f'dir="{escaped(direction)}" data-slot="summary-text">{escaped(shown.text)}</span>']
    if shown.machine or slots:
        parts.append(f' <span class="machine-mark" data-slot="summary-machine">{words(BY_MACHINE)}'
                     f'</span>')
    if shown.translated or slots:
        parts.append(f' <details class="original" data-slot="summary-original"><summary>'
                     f'{words(SHOW_ORIGINAL)}</summary><span lang="de" dir="auto">'
                     f'{escaped(shown.original)}</span></details>')
    if shown.outdated or slots:
        parts.append(f' <span class="outdated-mark" data-slot="summary-outdated">{words(OUTDATED)}'
                     f'</span>')
    parts.append("</div>\n")
    return "".join(parts)


def _html(value) -> str:
    """`value` as Jinja writes it on a page: markup as it is (escape would copy it), anything else escaped."""
    return value if type(value) is Markup else escaped(value)


def escaped(value) -> str:
    """`value` escaped as markupsafe.escape escapes it, as a plain string: escape makes markup of each part, which
    costs more than the escaping itself for the short texts of an item. A str is escaped by markupsafe's own
    escaping of a str (its C version where built: 0.13 against 0.75 µs for the five replacements in Python, and a
    list made per request escapes a few hundred parts); anything but a str is markupsafe's to escape.
    tests/test_items.py holds both to the same output for every hostile text."""
    if type(value) is not str:
        return str(escape(value))
    return _escape_str(value)


def _replaced(value: str) -> str:
    """markupsafe's escaping in Python (markupsafe._native): the same five replacements, in its order."""
    return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
            .replace('"', "&#34;"))


try:  # markupsafe 3's escaping of a str to a str, the one its escape wraps in Markup (private: hence the fallback)
    from markupsafe import _escape_inner as _escape_str
except ImportError:  # pragma: no cover - an older or other markupsafe
    _escape_str = _replaced

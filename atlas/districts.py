"""The four ArL districts and the Kreise by name: what a page, a form or a command names, without any geometry
(atlas.regions loads the boundaries and assigns points to them)."""

from __future__ import annotations

from dataclasses import dataclass

from atlas.i18n import N_, _

# The ArL districts are the former Regierungsbezirke: the third digit of the Kreis key names them.
ARL_BY_DIGIT = {
    "1": ("braunschweig", "Braunschweig"),
    "2": ("leine-weser", "Leine-Weser"),
    "3": ("lueneburg", "Lüneburg"),
    "4": ("weser-ems", "Weser-Ems"),
}


@dataclass(frozen=True)
class Arl:
    slug: str
    short: str

    @property
    def name(self) -> str:
        return _("Amt für regionale Landesentwicklung %(region)s", region=self.short)


# The boundaries' source, as every page, file and catalogue names it (data/regions/README.md)
BOUNDARIES_ATTRIBUTION = "© GeoBasis-DE / BKG (2017)"
BOUNDARIES_LICENCE, BOUNDARIES_LICENCE_URL = "dl-de/by-2-0", "https://www.govdata.de/dl-de/by-2-0"
BOUNDARIES = f"{BOUNDARIES_ATTRIBUTION}, {BOUNDARIES_LICENCE}"

ARLS: dict[str, Arl] = {slug: Arl(slug, short) for slug, short in ARL_BY_DIGIT.values()}

OUTSIDE = N_("liegt außerhalb Niedersachsens")
REASON_BY_NEIGHBOUR = {
    "Bremen": N_("liegt im Land Bremen, außerhalb Niedersachsens"),
    "Bremerhaven": N_("liegt in Bremerhaven (Land Bremen), außerhalb Niedersachsens"),
    "Hamburg": N_("liegt in Hamburg, außerhalb Niedersachsens"),
}


@dataclass(frozen=True)
class Kreis:
    rs: str
    name: str
    kind: str
    arl: str

    @property
    def label(self) -> str:
        """How the Kreis is named in a sentence: "Landkreis Diepholz", "Stadt Osnabrück"."""
        if self.kind == "Landkreis":
            return _("Landkreis %(name)s", name=self.name)
        if self.kind == "Kreisfreie Stadt":
            return _("Stadt %(name)s", name=self.name)
        return self.name


@dataclass(frozen=True)
class Assignment:
    """Where a point lies: its Kreis and ArL, or a reason why it has none."""

    kreis: Kreis | None
    reason: str | None

    @property
    def arl(self) -> Arl | None:
        return ARLS[self.kreis.arl] if self.kreis else None

    def sentence(self, subject: str) -> str:
        """ "Bremen liegt im Land Bremen, außerhalb Niedersachsens." – why a place has no Kreis, in a sentence."""
        return _("%(place)s %(reason)s.", place=subject, reason=self.reason_text)

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language (`reason` stays German: the command line's JSON carries it)."""
        if self.reason is None:
            return ""
        if self.reason.startswith(OUTSIDE + " (in "):
            return _("liegt außerhalb Niedersachsens (in %(neighbour)s)", neighbour=self.reason[len(OUTSIDE) + 5:-1])
        return _(self.reason)


def reason_for(neighbour: str | None) -> str:
    """A reason a person understands for a point that lies in no Kreis of Niedersachsen."""
    if not isinstance(neighbour, str):
        return OUTSIDE
    return REASON_BY_NEIGHBOUR.get(neighbour, f"{OUTSIDE} (in {neighbour})")  # translated by reason_text

"""Merging two records of one project: what the kept record holds, chosen field by field from either.

Plain functions over two project rows; atlas.store.merging writes the result in one transaction (with the
history, links, claims and proposals that follow the kept record) and atlas.web.office_merge shows the choice.
A group of columns goes together: an address with its position and Kreis, an e-mail address with the language its
mails are written in, a source with its date and confirmation, a status with its decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.history import value_text
from atlas.i18n import N_, _
from atlas.labels import PUBLISHED, STATUS_LABELS
from atlas.sources import stand_text, unconfirmed


@dataclass(frozen=True)
class FieldGroup:
    key: str
    label: str  # German, marked for the catalogues; translated where shown
    columns: tuple[str, ...]


GROUPS = (
    FieldGroup("name", N_("Name"), ("name",)),
    FieldGroup("traeger", N_("Träger"), ("traeger",)),
    FieldGroup("description", N_("Beschreibung"), ("description",)),
    FieldGroup("handlungsfelder", N_("Handlungsfelder"), ("handlungsfelder", "hf_mask")),
    FieldGroup("lage", N_("Adresse und Lage"), ("street", "plz", "ort", "lat", "lon", "precision", "approximate",
                                                 "kreis_rs", "kreis_name", "arl")),
    FieldGroup("website", N_("Website"), ("website",)),
    FieldGroup("email", N_("Kontakt-E-Mail (Einreichende)"), ("email", "language")),
    FieldGroup("kontakt", N_("Öffentlicher Kontakt"), ("kontakt",)),
    FieldGroup("sprachen", N_("Angebotssprachen"), ("sprachen", "sprachen_mask")),
    FieldGroup("zielgruppen", N_("Zielgruppe"), ("zielgruppen", "zg_mask")),
    FieldGroup("kosten", N_("Kosten"), ("kosten",)),
    FieldGroup("zeiten", N_("Wann und Zeiten"), ("wann", "zeiten")),
    FieldGroup("barrierefrei", N_("Barrierefrei"), ("barrierefrei",)),
    FieldGroup("quelle", N_("Quelle"), ("quelle", "quelle_stand", "source_confirmed_at")),
    FieldGroup("status", N_("Status"), ("status", "reject_reason", "confirmed_at", "freshness_asked_at")),
)
BY_KEY = {group.key: group for group in GROUPS}
ALREADY_MERGED = N_("Einer der beiden Einträge ist schon mit einem anderen zusammengeführt.")
SAME_RECORD = N_("Ein Eintrag lässt sich nicht mit sich selbst zusammenführen.")
OTHER_DISTRICT = N_("Die beiden Einträge liegen in verschiedenen Amtsbezirken; bitte verschieben Sie erst einen von "
                    "ihnen (Adresse bearbeiten).")
STATUS_ORDER = {PUBLISHED: 0, "pending": 1, "rejected": 2, "archived": 3}  # the more public status is proposed


class CannotMerge(ValueError):
    """Two records that cannot be merged (the same one, different districts, one merged already); the message is
    German, marked for the catalogues, and translated where it is shown."""


def default_kept(first: dict, second: dict) -> dict:
    """The record proposed to stay: the more public one (its address is known), else the older one."""
    return min(first, second, key=lambda row: (STATUS_ORDER.get(row["status"], 9), row["id"]))


def default_choices(kept: dict, other: dict) -> dict[str, int]:
    """For each group, the record whose values are proposed: the kept one's, unless it has nothing there and the
    other has; a confirmed source before an unconfirmed one; the more public status."""
    choices = {}
    for group in GROUPS:
        chosen = kept
        if group.key == "quelle":
            chosen = other if unconfirmed(kept) and not unconfirmed(other) else kept
        elif group.key == "status":
            chosen = min((kept, other), key=lambda row: STATUS_ORDER.get(row["status"], 9))
        elif _empty(group, kept) and not _empty(group, other):
            chosen = other
        choices[group.key] = chosen["id"]
    return choices


def merged_values(kept: dict, other: dict, choices: dict[str, int]) -> dict:
    """The columns of the kept record that change: each group from the record chosen for it (a group not chosen,
    or chosen with an id of neither, stays as the kept record has it). A published result counts as published
    since the earlier of the two, so area alerts do not announce it again."""
    values: dict = {}
    for group in GROUPS:
        source = other if choices.get(group.key) == other["id"] else kept
        values.update({column: source[column] for column in group.columns})
    if values["status"] == PUBLISHED:
        published = [row["published_at"] for row in (kept, other) if row["published_at"] is not None]
        values["published_at"] = min(published) if published else None
        values["confirmed_at"] = values["confirmed_at"] or max(
            (row["confirmed_at"] for row in (kept, other) if row["confirmed_at"] is not None), default=None)
    return {column: value for column, value in values.items() if value != kept[column]}


def check(kept: dict, other: dict) -> None:
    """CannotMerge unless these are two records of one district."""
    if kept["id"] == other["id"]:
        raise CannotMerge(SAME_RECORD)
    if kept["arl"] != other["arl"]:
        raise CannotMerge(OTHER_DISTRICT)


def group_text(group: FieldGroup, row: dict) -> str:
    """A group's values as the merge page shows them."""
    if group.key == "lage":
        place = " ".join(part for part in (row["street"], row["plz"], row["ort"]) if part)
        return f"{place} ({row['kreis_name']}; {row['lat']:.5f}, {row['lon']:.5f})"
    if group.key == "email":
        return row["email"] or "–"
    if group.key == "zeiten":
        return value_text("zeiten", row["zeiten"]) if row["zeiten"] else value_text("wann", row["wann"])
    if group.key == "quelle":
        if not row["quelle"]:
            return _("keine (eingereicht)")
        state = _("unbestätigt") if unconfirmed(row) else _("bestätigt")
        return f"{row['quelle']} ({stand_text(row['quelle_stand'])}, {state})"
    if group.key == "status":
        label = _(STATUS_LABELS.get(row["status"], row["status"]))
        return f"{label} – {row['reject_reason']}" if row["reject_reason"] else label
    return value_text(group.columns[0], row[group.columns[0]])


def _empty(group: FieldGroup, row: dict) -> bool:
    """Nothing in the group's first column (an address without its language is none)."""
    return row[group.columns[0]] in ("", None, 0, False)

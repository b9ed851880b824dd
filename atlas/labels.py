"""The words for the atlas's states and fields, in one place: statuses, what happened to a project, and the names
of its fields. German here (N_), translated where they are shown."""

from __future__ import annotations

from atlas.i18n import N_

PENDING, PUBLISHED, REJECTED, ARCHIVED = "pending", "published", "rejected", "archived"

STATUS_LABELS = {PENDING: N_("Eingereicht"), PUBLISHED: N_("Veröffentlicht"), REJECTED: N_("Abgelehnt"),
                 ARCHIVED: N_("Archiviert")}
ACTION_LABELS = dict(STATUS_LABELS, edited=N_("Bearbeitet"), confirmed=N_("Vom Einreicher bestätigt"),
                     claimed=N_("Vom Träger übernommen (Angaben bestätigt)"),
                     source_confirmed=N_("Angaben aus öffentlichen Quellen vom Amt bestätigt"),
                     claim_declined=N_("Anfrage zur Übernahme abgelehnt"),
                     # the office as a team (atlas.store.holds, atlas.store.merging): the offices' history only
                     hold_taken=N_("Übernommen („Ich übernehme das“)"), hold_given=N_("Übergeben an"),
                     hold_released=N_("Nicht mehr übernommen"), merged_in=N_("Duplikat hierher zusammengeführt"),
                     merged_away=N_("Zusammengeführt in"), distinct=N_("Kein Duplikat von"),
                     report_resolved=N_("Meldung aus der Öffentlichkeit erledigt"),
                     translated=N_("Maschinell übersetzt"))
OFFICE_ONLY_ACTIONS = ("hold_taken", "hold_given", "hold_released", "merged_in", "merged_away", "distinct")
FIELD_LABELS = {
    "name": N_("Name"), "traeger": N_("Träger"), "description": N_("Beschreibung"), "summary": N_("Kurzbeschreibung"),
    "handlungsfelder": N_("Handlungsfelder"), "street": N_("Straße"), "plz": N_("PLZ"), "ort": N_("Ort"),
    "lat": N_("Breite"), "lon": N_("Länge"), "precision": N_("Genauigkeit"), "approximate": N_("nur ungefähr"),
    "kreis_name": N_("Kreis"), "arl": N_("Amt"), "website": N_("Website"), "email": N_("E-Mail"),
    "status": N_("Status"), "sprachen": N_("Angebotssprachen"), "zielgruppen": N_("Zielgruppe"),
    "kosten": N_("Kosten"), "wann": N_("Wann"), "zeiten": N_("Zeiten"), "barrierefrei": N_("Barrierefrei"),
    "kontakt": N_("Öffentlicher Kontakt"),
    "duplikat": N_("Übernommener Eintrag"),  # not a column: the record merged into this one (atlas.store.merging)
}

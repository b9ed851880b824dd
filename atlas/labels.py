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
                     report_resolved=N_("Meldung aus der Öffentlichkeit erledigt"),
                     translated=N_("Maschinell übersetzt"))
FIELD_LABELS = {
    "name": N_("Name"), "traeger": N_("Träger"), "description": N_("Beschreibung"), "summary": N_("Kurzbeschreibung"),
    "handlungsfelder": N_("Handlungsfelder"), "street": N_("Straße"), "plz": N_("PLZ"), "ort": N_("Ort"),
    "lat": N_("Breite"), "lon": N_("Länge"), "precision": N_("Genauigkeit"), "approximate": N_("nur ungefähr"),
    "kreis_name": N_("Kreis"), "arl": N_("Amt"), "website": N_("Website"), "email": N_("E-Mail"),
    "status": N_("Status"), "sprachen": N_("Angebotssprachen"), "zielgruppen": N_("Zielgruppe"),
    "kosten": N_("Kosten"), "wann": N_("Wann"), "zeiten": N_("Zeiten"), "barrierefrei": N_("Barrierefrei"),
    "kontakt": N_("Öffentlicher Kontakt"),
}

"""The text of each mail, written when the outbox sends it: plain text and HTML from one structure.

A mail is a subject, paragraphs, links and optionally a list of projects; templates/mail/mail.txt and mail.html
lay it out. Every sentence goes through gettext; what people typed is escaped in the HTML part and stays plain
text in the other. Links are absolute, on ATLAS_BASE_URL, and name the mail's language unless it is German.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import Flask, render_template

from atlas.database import as_utc
from atlas.districts import ARLS
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import DEFAULT, _, current_language, isolate, listing, number, plural, speaking
from atlas.links import absolute_url
from atlas.mail import MailError
from atlas.notices import reference
from atlas.outbox import Delivery
from atlas.text import email_address

# Lines up to RFC 5322's 998 characters: a List-Unsubscribe <URI> stays one plain header (RFC 2369/8058), never
# folded into an encoded-word that mail programs cannot follow; bodies still go as 7-bit transfer encodings.
MAIL_POLICY = policy.default.clone(max_line_length=998, cte_type="7bit")


@dataclass
class Mail:
    subject: str
    paragraphs: list[str]
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, absolute URL)
    # (title, detail, URL, note) of projects; the note {text, lang, dir, machine} is a project's summary or None
    items: list[tuple[str, str, str, dict | None]] = field(default_factory=list)
    unsubscribe: str = ""  # one-click unsubscription (RFC 8058) of an area alert
    settings: str = ""  # where an office account chooses how often it hears from the atlas


def deliver(app: Flask, now=None) -> Delivery:
    """Send what the outbox holds and is due, through the configured transport."""
    services = app.extensions["atlas"]
    return services.outbox.deliver(lambda row: services.transport.send(compose(app, row), _recipient(row)), now)


def _recipient(row: dict) -> str:
    """The one address a mail goes to, checked again as it leaves (a row queued before the check was strict)."""
    address = email_address(row["recipient"])
    if address is None:
        raise MailError(f"keine gültige Adresse: {row['recipient'][:60]!r}", permanent=True)
    return address


def compose(app: Flask, row: dict) -> EmailMessage:
    """The finished mail of an outbox row."""
    params = json.loads(row["params"])
    with app.test_request_context(base_url=app.config["BASE_URL"]), speaking(params.get("lang") or DEFAULT):
        mail = WRITERS[row["kind"]](_set_apart(params))
        text = render_template("mail/mail.txt", mail=mail)
        html = render_template("mail/mail.html", mail=mail)
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = row["recipient"]
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(as_utc(row["created_at"]))
    domain = parseaddr(app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<atlas-{row['id']}-{as_utc(row['created_at']):%Y%m%d%H%M%S}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the atlas
    if mail.unsubscribe:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


TYPED = ("name", "ort", "kreis", "place", "reason", "reference")  # what people typed, or names of places


def _set_apart(params: dict) -> dict:
    """Names and what people typed, set apart by Unicode isolates in a right-to-left mail, so a German name keeps
    its order and its punctuation inside an Arabic sentence."""
    return {key: isolate(value) if key in TYPED and isinstance(value, str) else value for key, value in params.items()}


def _link(endpoint: str, **values) -> str:
    """An absolute link that opens the page in the mail's language: the mail program's browser has no cookie of the
    atlas, and its own language may be another (German is the default and needs no mark)."""
    language = current_language()
    return absolute_url(endpoint, **values, **({"lang": language} if language != DEFAULT else {}))


def _receipt(p: dict) -> Mail:
    return Mail(
        _("Eingangsbestätigung %(reference)s: „%(name)s“", **p),
        [_("vielen Dank für Ihr Projekt „%(name)s“. Es hat die Nummer %(reference)s.", **p),
         _("Das %(amt)s prüft es; nach der Freigabe erscheint es im Atlas, und Sie bekommen eine Nachricht.",
           amt=ARLS[p["arl"]].name),
         _("Über Ihren privaten Link sehen Sie jederzeit den Stand, können Änderungen vorschlagen oder das Projekt "
           "zurückziehen. Bitte geben Sie den Link nicht weiter.")],
        [(_("Ihr Projekt ansehen"), _link("mine.status", token=p["token"]))])


def _office_new(p: dict) -> Mail:
    return Mail(
        _("Neu zur Prüfung: „%(name)s“ (%(ort)s)", **p),
        [_("In Ihrem Bezirk wartet ein Projekt auf Ihre Prüfung: „%(name)s“, %(ort)s (%(kreis)s), %(reference)s.",
           **p)],
        [(_("Projekt prüfen"), _link("office.project", project_id=p["project_id"]))],
        settings=_link("office.account"))


def _office_proposal(p: dict) -> Mail:
    return Mail(
        _("Änderungsvorschlag zu „%(name)s“", **p),
        [_("Die Einreichenden von „%(name)s“ (%(reference)s) schlagen Änderungen vor. Sie werden erst "
           "veröffentlicht, wenn Sie sie freigeben.", **p)],
        [(_("Vorschlag ansehen"), _link("office.project", project_id=p["project_id"]))],
        settings=_link("office.account"))


def _office_claim(p: dict) -> Mail:
    return Mail(
        _("Anfrage eines Trägers zu „%(name)s“", **p),
        [_("Jemand gibt an, zum Träger von „%(name)s“ (%(ort)s, %(reference)s) zu gehören, und möchte die Angaben "
           "aus öffentlichen Quellen bestätigen oder ändern. Bitte prüfen Sie die Anfrage.", **p)],
        [(_("Anfrage ansehen"), _link("office.project", project_id=p["project_id"]))],
        settings=_link("office.account"))


def _hold_given(p: dict) -> Mail:
    return Mail(
        _("Übergeben an Sie: „%(name)s“ (%(ort)s)", **p),
        [_("%(by)s hat Ihnen „%(name)s“, %(ort)s (%(reference)s) übergeben: Sie kümmern sich jetzt darum. In der "
           "Übersicht steht es unter „Mir zugewiesen“.", **p)],
        [(_("Projekt ansehen"), _link("office.project", project_id=p["project_id"]))])


def _note_mention(p: dict) -> Mail:
    return Mail(
        _("Erwähnt in einer Notiz zu „%(name)s“", **p),
        [_("%(by)s hat Sie in einer internen Notiz zu „%(name)s“, %(ort)s (%(reference)s) erwähnt.", **p)],
        [(_("Notiz lesen"), _link("office.project", project_id=p["project_id"], _anchor=f"notiz-{p['note_id']}"))])


def _claim_accepted(p: dict) -> Mail:
    return Mail(
        _("Ihr Projekt „%(name)s“ im Atlas", **p),
        [_("das Amt hat Ihre Anfrage angenommen: Sie betreuen jetzt den Eintrag „%(name)s“ (%(reference)s) im "
           "Atlas. Er gilt als vom Träger bestätigt.", **p),
         _("Über Ihren privaten Link sehen Sie jederzeit den Stand, können Änderungen vorschlagen oder das Projekt "
           "zurückziehen. Bitte geben Sie den Link nicht weiter.")],
        [(_("Ihr Projekt ansehen"), _link("mine.status", token=p["token"]))])


def _claim_declined(p: dict) -> Mail:
    return Mail(
        _("Ihre Anfrage zu „%(name)s“", **p),
        [_("das Amt hat Ihre Anfrage zum Eintrag „%(name)s“ (%(reference)s) nicht angenommen: Es konnte Sie nicht "
           "dem Träger zuordnen. Der Eintrag bleibt unverändert.", **p),
         _("Wenn Sie doch zum Träger gehören, wenden Sie sich bitte direkt an das zuständige Amt.")],
        [(_("Zum Projekt im Atlas"), _link("public.project", project_id=p["project_id"]))])


def _published(p: dict) -> Mail:
    return Mail(
        _("Veröffentlicht: „%(name)s“", **p),
        [_("Ihr Projekt „%(name)s“ (%(reference)s) ist freigegeben und steht jetzt im Atlas.", **p)],
        [(_("Zum Projekt im Atlas"), _link("public.project", project_id=p["project_id"]))])


def _rejected(p: dict) -> Mail:
    return Mail(
        _("Nicht veröffentlicht: „%(name)s“", **p),
        [_("Ihr Projekt „%(name)s“ (%(reference)s) wurde nicht in den Atlas aufgenommen.", **p),
         _("Begründung des Amtes: %(reason)s", **p),
         _("Über Ihren privaten Link können Sie die Angaben ändern und das Projekt erneut vorschlagen. Bitte geben "
           "Sie den Link nicht weiter.")],
        [(_("Angaben ändern"), _link("mine.edit", token=p["token"]))] if p.get("token") else [])


def _moved(p: dict) -> Mail:
    return Mail(
        _("„%(name)s“ wird jetzt von einem anderen Amt geprüft", **p),
        [_("Ihr Projekt „%(name)s“ (%(reference)s) liegt im Bezirk des %(amt)s. Dieses Amt prüft es nun; bis "
           "dahin erscheint es nicht im Atlas.", amt=ARLS[p["arl"]].name, **p)])


def _freshness(p: dict) -> Mail:
    answer = p["answer"]
    return Mail(
        _("Läuft „%(name)s“ noch?", **p),
        [_("Ihr Projekt „%(name)s“ (%(reference)s) steht im Atlas. Damit Suchende sich darauf verlassen können, "
           "fragen wir einmal im Jahr nach: Ist es noch aktuell?", **p),
         _("Ohne Antwort innerhalb von %(answer_days)s Tagen wird es als „nicht bestätigt“ gekennzeichnet.", **p)],
        [(_("Ja, das Projekt läuft noch"), _link("mine.freshness", token=answer, antwort="aktuell")),
         (_("Angaben ändern"), _link("mine.edit", token=p["private"])),
         (_("Das Projekt ist beendet"), _link("mine.freshness", token=answer, antwort="beendet"))])


def _confirm(p: dict) -> Mail:
    fields = [HANDLUNGSFELDER[slug].label for slug in p.get("fields", []) if slug in HANDLUNGSFELDER]
    often = {"daily": _("höchstens einmal am Tag"), "weekly": _("höchstens einmal in der Woche")}
    return Mail(
        _("Bitte bestätigen Sie Ihre Benachrichtigung"),
        [_("Sie möchten erfahren, wenn im Umkreis von %(radius_km)s km um %(place)s neue Projekte in den Atlas "
           "kommen. Bitte bestätigen Sie das mit dem Link unten.", **p),
         _("Handlungsfelder: %(fields)s.", fields=listing(fields) if fields else _("alle")),
         _("Sie bekommen eine Mail %(often)s, und nur, wenn es Neues gibt.",
           often=often.get(p.get("frequency"), often["weekly"])),
         _("Wenn Sie das nicht angefordert haben, tun Sie nichts: Ohne Bestätigung wird Ihre Adresse nach "
           "%(days)s Tagen gelöscht.", **p)],
        [(_("Benachrichtigung bestätigen"), _link("alerts.confirm", token=p["token"]))])


def _digest(p: dict) -> Mail:
    unsubscribe = _link("alerts.unsubscribe", token=p["unsubscribe"])
    paragraphs = [_("Neu im Atlas, im Umkreis von %(radius_km)s km um %(place)s:", **p)]
    if p["more"]:
        paragraphs.append(_("… und %(more)s weitere auf der Karte.", **p))
    return Mail(
        _("Neue Projekte um %(place)s", **p), paragraphs,
        [(_("Abmelden (löscht Ihre Adresse)"), unsubscribe)],
        items=[(isolate(item["name"]), _("%(ort)s, %(km)s km entfernt", ort=isolate(item["ort"]),
                                          km=number(item["km"], 1)),
                _link("public.project", project_id=item["id"]), _summary_note(item)) for item in p["projects"]],
        unsubscribe=unsubscribe)


def _summary_note(item: dict) -> dict | None:
    """A project's summary in a digest (in the subscriber's language where a translation is current), set apart
    in its own direction, marked when a machine translated it."""
    if not item.get("summary"):
        return None
    text = isolate(item["summary"]) if item.get("summary_lang", DEFAULT) == DEFAULT else item["summary"]
    return {"text": text, "lang": item.get("summary_lang", DEFAULT), "dir": item.get("summary_dir", "auto"),
            "machine": _("maschinell übersetzt") if item.get("machine") else ""}


def _office_digest(p: dict) -> Mail:
    items = [(row["name"], _("neu eingereicht, %(ort)s, %(reference)s", ort=row["ort"], reference=reference(row["id"])),
              _link("office.project", project_id=row["id"]), None) for row in p["new"]]
    items += [(row["name"], _("aus einem anderen Bezirk übergeben, %(ort)s, %(reference)s", ort=row["ort"],
                              reference=reference(row["id"])),
               _link("office.project", project_id=row["id"]), None) for row in p.get("moved_in", [])]
    items += [(row["name"], _("Änderungsvorschlag, %(ort)s, %(reference)s", ort=row["ort"],
                              reference=reference(row["project_id"])),
               _link("office.project", project_id=row["project_id"]), None) for row in p["changed"]]
    items += [(row["name"], _("Anfrage eines Trägers, %(ort)s, %(reference)s", ort=row["ort"],
                              reference=reference(row["project_id"])),
               _link("office.project", project_id=row["project_id"]), None) for row in p.get("claimed", [])]
    items += [(row["name"], _("Meldung aus der Öffentlichkeit, %(ort)s, %(reference)s", ort=row["ort"],
                              reference=reference(row["project_id"])),
               _link("office.project", project_id=row["project_id"]), None) for row in p.get("reported", [])]
    arrived, held = len(items), p.get("held", [])  # what the clerk holds („Ich übernehme das“) comes last
    items += [(row["name"], _("von Ihnen übernommen seit %(since)s, %(ort)s, %(reference)s", since=row["since"],
                              ort=row["ort"], reference=reference(row["id"])),
               _link("office.project", project_id=row["id"]), None) for row in held]
    paragraphs = [_("Seit gestern ist in Ihrem Bezirk eingegangen:")] if arrived else []
    links = [(_("Zur Warteschlange"), _link("office.queue"))]
    if held:
        paragraphs.append(plural("Sie kümmern sich um %(num)s Projekt (am Ende der Liste).",
                                 "Sie kümmern sich um %(num)s Projekte (am Ende der Liste).", len(held)))
        links.append((_("Mir zugewiesen"), _link("office.queue", mir="ja")))
    subject = (plural("Ihre Warteschlange: %(num)s neuer Eintrag", "Ihre Warteschlange: %(num)s neue Einträge",
                      arrived) if arrived else
               plural("Ihre Projekte: %(num)s übernommen", "Ihre Projekte: %(num)s übernommen", len(held)))
    return Mail(subject, paragraphs, links, items=items, settings=_link("office.account"))


def _office_report(p: dict) -> Mail:
    from atlas.reports import KINDS

    return Mail(
        _("Meldung zu „%(name)s“", **p),
        [_("Jemand aus der Öffentlichkeit meldet zu „%(name)s“ (%(ort)s, %(reference)s): %(kind)s. Bitte prüfen Sie "
           "die Meldung.", kind=_(KINDS.get(p.get("report_kind"), KINDS["sonstiges"])), **p)],
        [(_("Meldung ansehen"), _link("office.project", project_id=p["project_id"]))],
        settings=_link("office.account"))


def _report_answer(p: dict) -> Mail:
    answers = {
        "edited": _("Das Amt hat den Eintrag geprüft und korrigiert."),
        "archived": _("Das Amt hat den Eintrag geprüft und aus dem Atlas genommen."),
        "merged": _("Das Amt hat den Eintrag als doppelt erkannt und nur den anderen Eintrag behalten."),
        "dismissed": _("Das Amt hat den Eintrag geprüft und lässt ihn unverändert."),
    }
    return Mail(
        _("Ihre Meldung zu „%(name)s“", **p),
        [_("vielen Dank für Ihre Meldung zum Eintrag „%(name)s“ (%(reference)s).", **p),
         answers.get(p.get("resolution"), answers["dismissed"])],
        [(_("Zum Atlas"), _link("public.index"))])


def _decided_items(p: dict, endpoint: str) -> list[tuple[str, str, str, None]]:
    return [(isolate(item["name"]), isolate(item["reference"]),
             _link(endpoint, token=item["token"]) if endpoint == "mine.edit" else
             _link(endpoint, project_id=item["project_id"]), None) for item in p["projects"]]


def _published_many(p: dict) -> Mail:
    return Mail(
        plural("Veröffentlicht: %(num)s Projekt", "Veröffentlicht: %(num)s Projekte", len(p["projects"])),
        [_("Diese Projekte sind freigegeben und stehen jetzt im Atlas:")],
        items=_decided_items(p, "public.project"))


def _rejected_many(p: dict) -> Mail:
    return Mail(
        plural("Nicht veröffentlicht: %(num)s Projekt", "Nicht veröffentlicht: %(num)s Projekte",
               len(p["projects"])),
        [_("Diese Projekte wurden nicht in den Atlas aufgenommen:"),
         _("Begründung des Amtes: %(reason)s", reason=isolate(p["reason"])),
         _("Über die Links können Sie die Angaben ändern und ein Projekt erneut vorschlagen. Bitte geben Sie die "
           "Links nicht weiter.")],
        items=_decided_items(p, "mine.edit"))


WRITERS = {"receipt": _receipt, "office_new": _office_new, "office_proposal": _office_proposal,
           "office_claim": _office_claim, "claim_accepted": _claim_accepted, "claim_declined": _claim_declined,
           "hold_given": _hold_given, "note_mention": _note_mention,
           "published": _published, "rejected": _rejected, "moved": _moved, "freshness": _freshness,
           "confirm": _confirm, "digest": _digest, "office_digest": _office_digest, "office_report": _office_report,
           "report_answer": _report_answer, "published_many": _published_many, "rejected_many": _rejected_many}

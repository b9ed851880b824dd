"""Forms with CSRF protection (Flask-WTF); labels and messages translated when shown."""

from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from atlas import facts
from atlas.alerts import RADII
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _, lazy
from atlas.submitters import FIELDS, LISTS
from atlas.text import whole_number
from atlas.texts import form_name
from atlas.web.text_fields import translation_fields

# the CSRF token is missing or too old
EXPIRED = lazy("Das Formular ist abgelaufen. Bitte senden Sie es noch einmal.")


def hf_checkboxes(label: str) -> SelectMultipleField:
    """The five Handlungsfelder as checkboxes; unknown values are ignored by the views, not refused here."""
    return checkboxes(label, [SelectChoice(slug, lazy(hf.name)) for slug, hf in HANDLUNGSFELDER.items()])


def checkboxes(label, choices, default=None) -> SelectMultipleField:
    return SelectMultipleField(label, choices=choices, option_widget=CheckboxInput(), default=default,
                               widget=ListWidget(prefix_label=False), validate_choice=False)


def radios(label, choices: dict, unknown) -> RadioField:
    """One of a fact's values, or "" for "not said"; values are checked by atlas.projects, not here."""
    return RadioField(label, choices=[SelectChoice("", unknown)] + [SelectChoice(slug, lazy(c.name))
                                                                     for slug, c in choices.items()],
                      default="", validate_choice=False)


class LoginForm(FlaskForm):
    email = EmailField(lazy("E-Mail-Adresse"),
                       validators=[DataRequired(lazy("Bitte geben Sie Ihre E-Mail-Adresse an."))])
    password = PasswordField(lazy("Passwort"), validators=[DataRequired(lazy("Bitte geben Sie Ihr Passwort an."))])


class CodeForm(FlaskForm):
    """The login's second step: a code of the app, or a recovery code (checked by the view, not here)."""

    code = StringField(lazy("Code aus der App"))
    recovery = StringField(lazy("Wiederherstellungscode"))


class EnrolForm(FlaskForm):
    """The first code of a new second factor, or a current code for new recovery codes."""

    code = StringField(lazy("Code aus der App"))


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""


class ApproveForm(FlaskForm):
    version = HiddenField()  # the project's version the office saw; a project changed meanwhile is not approved


class RejectForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(lazy("Begründung der Ablehnung"), validators=[
        DataRequired(lazy("Bitte begründen Sie die Ablehnung.")),
        Length(max=1000, message=lazy("Die Begründung darf höchstens 1000 Zeichen lang sein."))])


class ProjectForm(FlaskForm):
    """The fields of a project, as submitters and offices type them; content rules: atlas.projects."""

    name = StringField(lazy("Name des Projekts"))
    traeger = StringField(lazy("Träger (Organisation)"))
    summary = StringField(lazy("Kurzbeschreibung (ein Satz)"))
    description = TextAreaField(lazy("Beschreibung"))
    handlungsfelder = hf_checkboxes(lazy("Handlungsfelder"))
    street = StringField(lazy("Straße und Hausnummer"))
    plz = StringField(lazy("PLZ"))
    ort = StringField(lazy("Ort"))
    website = StringField(lazy("Website"))
    email = EmailField(lazy("Kontakt-E-Mail"))
    approximate = BooleanField(lazy("Standort nur ungefähr zeigen (auf etwa 1 km gerundet)"))
    lat = StringField(lazy("Breite (Grad)"))
    lon = StringField(lazy("Länge (Grad)"))
    sprachen = checkboxes(lazy("Angebotssprachen"), lambda: facts.language_choices(), default=["de"])  # preselected;
    # a form loaded from a project (edit, proposal) shows that project's languages instead
    zielgruppen = checkboxes(lazy("Zielgruppe"), [SelectChoice(slug, lazy(c.name))
                                                  for slug, c in facts.ZIELGRUPPEN.items()])
    kosten = radios(lazy("Kosten"), facts.KOSTEN, lazy("keine Angabe"))
    wann = radios(lazy("Wann findet das Angebot statt?"), facts.WANN, lazy("keine Angabe"))
    zeiten = StringField(lazy("Zeiten"))
    barrierefrei = radios(lazy("Barrierefrei"), facts.BARRIEREFREI, lazy("unbekannt"))
    kontakt = StringField(lazy("Öffentlicher Kontakt (Telefon oder E-Mail)"))


translation_fields(ProjectForm)  # description and summary in the other languages (atlas.texts), all optional


class SubmitForm(ProjectForm):
    consent = BooleanField(lazy("Ich bin einverstanden, dass diese Angaben veröffentlicht werden, und habe den "
                                "Datenschutzhinweis gelesen."))
    homepage = StringField(lazy("Bitte dieses Feld leer lassen"))  # a honeypot: people do not see it, bots fill it
    # the location step
    geprueft = HiddenField()
    auswahl = StringField(lazy("Ort"))  # rendered as radio buttons, one per candidate place
    far_ok = BooleanField(lazy("Ja, der Pin steht an der richtigen Stelle."))
    duplicate_ok = BooleanField(lazy("Mein Projekt ist ein anderes und soll trotzdem eingereicht werden."))
    gezeigt = HiddenField()  # the warnings the page showed ("far_ok duplicate_ok"): only those are asked to be ticked


class EditForm(ProjectForm):
    """An office corrects a project: a changed address is located again, otherwise the coordinates count."""

    version = HiddenField()  # the version the form was loaded from: a stale form overwrites nothing


class WithdrawForm(FlaskForm):
    version = HiddenField()  # the version the submitter saw
    sure = BooleanField(lazy("Ja, ich möchte das Projekt zurückziehen. Das lässt sich nicht rückgängig machen."))


class TakeBackForm(FlaskForm):
    version = HiddenField()  # the project's version the submitter saw
    vorschlag = HiddenField()  # the waiting proposal they saw and take back


class ProposalForm(ProjectForm):
    """A submitter proposes a change through the private link; the office decides. The place follows the
    address (no coordinates here)."""

    version = HiddenField()


class NotifyForm(FlaskForm):
    notify = RadioField(lazy("Benachrichtigungen"), choices=[
        SelectChoice("each", lazy("Eine Mail für jede neue Einreichung und jeden Änderungsvorschlag")),
        SelectChoice("daily", lazy("Eine Zusammenfassung am Tag"))], validate_choice=True)


class AlertForm(FlaskForm):
    ort = StringField(lazy("Ort oder PLZ"))
    umkreis = SelectField(lazy("Umkreis"), choices=[SelectChoice(str(r), lazy("%(km)s km", km=r)) for r in RADII],
                          default="25",
                          validate_choice=False)
    handlungsfelder = hf_checkboxes(lazy("Handlungsfelder (keine Auswahl: alle)"))
    rhythmus = RadioField(lazy("Wie oft?"), choices=[SelectChoice("weekly", lazy("wöchentlich")),
                                               SelectChoice("daily", lazy("täglich"))], default="weekly",
                          validate_choice=False)
    email = EmailField(lazy("Ihre E-Mail-Adresse"))
    homepage = StringField(lazy("Bitte dieses Feld leer lassen"))


class ClaimForm(FlaskForm):
    """„Ist das Ihr Projekt?“: someone of the Träger of an entry gathered from a public source (atlas.claims)."""
    email = EmailField(lazy("Ihre E-Mail-Adresse"))
    nachricht = TextAreaField(lazy("Nachricht an das Amt (freiwillig)"))
    homepage = StringField(lazy("Bitte dieses Feld leer lassen"))


def project_form_data(row: dict, translations=()) -> dict:
    """A stored project as its edit forms start: the fields, lists as lists, its translations, and the version it
    was loaded at."""
    data = {name: row[name] for name in FIELDS}
    data.update({form_name(t.field, t.language): t.text for t in translations})
    for name in LISTS:
        data[name] = [value for value in row[name].split(";") if value]
    data["version"] = str(row["row_version"])
    return data


def version_of(form) -> int | None:
    """The project version a form carries, or None if it carries none (or garbage)."""
    return whole_number((form.version.data or "").strip())


def required_version(form) -> int:
    """The version a decision was made on; a form without one (forged, or cut short) decides nothing: 400."""
    version = version_of(form)
    if version is None:
        abort(400, _("Das Formular nennt nicht den Stand des Projekts, auf den es sich bezieht. Bitte laden Sie "
                     "die Seite neu."))
    return version

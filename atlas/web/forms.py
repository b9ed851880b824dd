"""Forms with CSRF protection (Flask-WTF); labels and messages in German."""

from __future__ import annotations

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

from atlas.alerts import RADII
from atlas.handlungsfelder import HANDLUNGSFELDER

EXPIRED = "Das Formular ist abgelaufen. Bitte senden Sie es noch einmal."  # the CSRF token is missing or too old


def hf_checkboxes(label: str) -> SelectMultipleField:
    """The five Handlungsfelder as checkboxes; unknown values are ignored by the views, not refused here."""
    return SelectMultipleField(
        label, choices=[SelectChoice(slug, hf.name) for slug, hf in HANDLUNGSFELDER.items()],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)


class LoginForm(FlaskForm):
    email = EmailField("E-Mail-Adresse", validators=[DataRequired("Bitte geben Sie Ihre E-Mail-Adresse an.")])
    password = PasswordField("Passwort", validators=[DataRequired("Bitte geben Sie Ihr Passwort an.")])


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""


class ApproveForm(FlaskForm):
    version = HiddenField()  # the project's version the office saw; a project changed meanwhile is not approved


class RejectForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField("Begründung der Ablehnung", validators=[
        DataRequired("Bitte begründen Sie die Ablehnung."),
        Length(max=1000, message="Die Begründung darf höchstens 1000 Zeichen lang sein.")])


class ProjectForm(FlaskForm):
    """The fields of a project, as submitters and offices type them; content rules: atlas.projects."""

    name = StringField("Name des Projekts")
    traeger = StringField("Träger (Organisation)")
    description = TextAreaField("Beschreibung")
    handlungsfelder = hf_checkboxes("Handlungsfelder")
    street = StringField("Straße und Hausnummer")
    plz = StringField("PLZ")
    ort = StringField("Ort")
    website = StringField("Website")
    email = EmailField("Kontakt-E-Mail")
    approximate = BooleanField("Standort nur ungefähr zeigen (auf etwa 1 km gerundet)")
    lat = StringField("Breite (Grad)")
    lon = StringField("Länge (Grad)")


class SubmitForm(ProjectForm):
    consent = BooleanField("Ich bin einverstanden, dass diese Angaben veröffentlicht werden, und habe den "
                           "Datenschutzhinweis gelesen.")
    homepage = StringField("Bitte dieses Feld leer lassen")  # a honeypot: people do not see it, bots fill it
    # the location step
    geprueft = HiddenField()
    auswahl = StringField("Ort")  # rendered as radio buttons, one per candidate place
    far_ok = BooleanField("Ja, der Pin steht an der richtigen Stelle.")
    duplicate_ok = BooleanField("Mein Projekt ist ein anderes und soll trotzdem eingereicht werden.")


class EditForm(ProjectForm):
    """An office corrects a project: a changed address is located again, otherwise the coordinates count."""

    version = HiddenField()  # the version the form was loaded from: a stale form overwrites nothing


class WithdrawForm(FlaskForm):
    version = HiddenField()  # the version the submitter saw


class ProposalForm(ProjectForm):
    """A submitter proposes a change through the private link; the office decides. The place follows the
    address (no coordinates here)."""

    version = HiddenField()


class NotifyForm(FlaskForm):
    notify = RadioField("Benachrichtigungen", choices=[
        SelectChoice("each", "Eine Mail für jede neue Einreichung und jeden Änderungsvorschlag"),
        SelectChoice("daily", "Eine Zusammenfassung am Tag")], validate_choice=True)


class AlertForm(FlaskForm):
    ort = StringField("Ort oder PLZ")
    umkreis = SelectField("Umkreis", choices=[SelectChoice(str(r), f"{r} km") for r in RADII], default="25",
                          validate_choice=False)
    handlungsfelder = hf_checkboxes("Handlungsfelder (keine Auswahl: alle)")
    rhythmus = RadioField("Wie oft?", choices=[SelectChoice("weekly", "wöchentlich"),
                                               SelectChoice("daily", "täglich")], default="weekly",
                          validate_choice=False)
    email = EmailField("Ihre E-Mail-Adresse")
    homepage = StringField("Bitte dieses Feld leer lassen")


def version_of(form) -> int | None:
    """The project version a form carries, or None if it carries none (or garbage)."""
    value = (form.version.data or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None

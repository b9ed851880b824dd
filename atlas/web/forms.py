"""Forms with CSRF protection (Flask-WTF); labels and messages in German."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("E-Mail-Adresse", validators=[DataRequired("Bitte geben Sie Ihre E-Mail-Adresse an.")])
    password = PasswordField("Passwort", validators=[DataRequired("Bitte geben Sie Ihr Passwort an.")])


class ApproveForm(FlaskForm):
    pass


class RejectForm(FlaskForm):
    reason = TextAreaField("Begründung der Ablehnung", validators=[
        DataRequired("Bitte begründen Sie die Ablehnung."),
        Length(max=1000, message="Die Begründung darf höchstens 1000 Zeichen lang sein.")])

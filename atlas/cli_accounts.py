"""`atlas create-user`, `set-password` and `reset-2fa`: the offices' accounts, kept by an operator."""

from __future__ import annotations

import sys

import click

from atlas.cli_app import services, with_app
from atlas.districts import ARLS


@click.command("create-user")
@click.argument("email")
@click.option("--arl", type=click.Choice(list(ARLS)), help="Das Amt, dessen Bezirk das Konto moderiert.")
@click.option("--admin", is_flag=True, help="Ein Konto, das alle Bezirke sieht.")
@click.option("--observer", is_flag=True, help="Ein Konto, das alle Bezirke nur liest (das Ministerium).")
@click.option("--password", help="Ohne Angabe: am Terminal zweimal abgefragt, sonst eine Zeile von stdin.")
@with_app
def create_user_command(email: str, arl: str | None, admin: bool, observer: bool, password: str | None) -> None:
    """Legt ein Konto für ein Amt (--arl SLUG), für die Landesebene (--admin) oder zum Lesen (--observer) an."""
    from atlas.accounts import create_user

    try:
        user = create_user(services().store, email, password or read_password(), arl=arl, admin=admin,
                           observer=observer)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Konto {user.email} angelegt ({user.district}).")


@click.command("set-password")
@click.argument("email")
@click.option("--password", help="Ohne Angabe: am Terminal zweimal abgefragt, sonst eine Zeile von stdin.")
@with_app
def set_password_command(email: str, password: str | None) -> None:
    """Setzt ein neues Passwort für ein Konto; alle Sitzungen des Kontos enden."""
    from atlas.accounts import set_password

    try:
        ended = set_password(services().store, email, password or read_password())
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Neues Passwort für {email.strip().lower()} gesetzt; {ended} Sitzung(en) beendet.")


@click.command("reset-2fa")
@click.argument("email")
@with_app
def reset_2fa_command(email: str) -> None:
    """Entfernt den zweiten Faktor eines Kontos (etwa nach Verlust des Telefons); alle Sitzungen des Kontos enden.
    Die nächste Anmeldung braucht nur das Passwort (mit ATLAS_REQUIRE_2FA danach die neue Einrichtung)."""
    from atlas.accounts import reset_second_factor, user_id_for

    user_id = user_id_for(services().store, email)
    if user_id is None:
        raise click.ClickException(f"Ein Konto {email.strip().lower()} gibt es nicht.")
    reset = reset_second_factor(services().store, user_id, actor=f"Kommandozeile ({_operator()})")
    done = "Zweiter Faktor entfernt" if reset.had_factor else "Es war kein zweiter Faktor eingerichtet"
    click.echo(f"{reset.email}: {done}; {reset.sessions_ended} Sitzung(en) beendet.")


def read_password() -> str:
    """Asked twice at a terminal; one line from a pipe (scripts, `echo … | atlas create-user`)."""
    if sys.stdin.isatty():
        return click.prompt("Passwort", hide_input=True, confirmation_prompt="Passwort wiederholen")
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException("Kein Passwort: stdin war leer.")
    return line.rstrip("\r\n")


def _operator() -> str:
    """Who ran the command, for the audit line: the system user."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unbekannt"

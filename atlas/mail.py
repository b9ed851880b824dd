"""Sending a finished mail: SMTP (plain, STARTTLS or TLS) with the standard library's smtplib, or a file per mail.

`ATLAS_MAIL_URL` names the way: `smtp://host:25`, `smtp+starttls://user:password@host:587`, `smtps://host:465`.
Without it, each mail is written as an .eml file into a folder (the instance's `mail/`), so a newcomer reads the
mails of `make run` without a mail server.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger("atlas.mail")
SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class MailError(Exception):
    """A mail was not delivered. `permanent`: trying again will not help (the server refused the address for good).
    `server_wide`: not this mail failed but the way to the server (no connection, TLS, the login, the sender refused,
    often a setting of the atlas): every other mail would fail alike until it is mended."""

    def __init__(self, message: str, permanent: bool = False, server_wide: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.server_wide = server_wide


def check_mail_url(url: str) -> None:
    """Refuse a mail URL that cannot work, with the forms that can (ValueError)."""
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or 0 < parts.port
    except ValueError:
        port_ok = False
    if parts.scheme not in SCHEMES or not parts.hostname or not port_ok:
        shown = f"{parts.scheme}://…" if parts.scheme else "…"  # never the password
        raise ValueError(f"ATLAS_MAIL_URL muss smtp://host:port, smtp+starttls://benutzer:passwort@host:587 oder "
                         f"smtps://host:465 sein (Port als Zahl), nicht {shown}")
    if not (unquote(parts.username or "").isascii() and unquote(parts.password or "").isascii()):
        # smtplib sends the login as ASCII only: such a password would fail every mail at its first login
        raise ValueError("Benutzername und Passwort in ATLAS_MAIL_URL dürfen nur ASCII-Zeichen enthalten (keine "
                         "Umlaute, kein ß), sonst scheitert die Anmeldung am Mailserver: bitte beim Anbieter ein "
                         "solches Passwort setzen (Sonderzeichen URL-kodiert, etwa %40 für @)")


def transport_for(url: str, folder: Path):
    return SmtpTransport(url) if url else FileTransport(folder)


class FileTransport:
    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, message: EmailMessage, recipient: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").split("@")[0] + ".eml"
        path = self.folder / name
        path.write_bytes(bytes(message))
        log.info("Mail an %s als Datei: %s", message["To"], path)


class SmtpTransport:
    def __init__(self, url: str, timeout: float = 15):
        check_mail_url(url)
        parts = urlsplit(url)
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or SCHEMES[parts.scheme]
        self.user, self.password = unquote(parts.username or ""), unquote(parts.password or "")
        self.timeout = timeout

    def send(self, message: EmailMessage, recipient: str) -> None:
        try:
            smtp = self._connect()
            try:
                if self.scheme == "smtp+starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password)
                # to exactly the checked address, never what a header parser makes of the To: line
                smtp.send_message(message, to_addrs=[recipient])
            finally:
                _hang_up(smtp)
        except smtplib.SMTPRecipientsRefused as error:  # RCPT: only a 5xx about the address refuses it for good
            permanent = all(_refuses_address(code, answer) for code, answer in error.recipients.values())
            raise MailError(f"Adresse abgelehnt: {error.recipients}", permanent=permanent) from error
        except smtplib.SMTPDataError as error:  # this message refused (content, size): tried again, then given up
            raise MailError(f"SMTP {error.smtp_code}: {_text(error)}") from error
        except smtplib.SMTPResponseException as error:  # greeting, TLS, login (530, 535), sender: not the address
            raise MailError(f"SMTP {error.smtp_code}: {_text(error)}", server_wide=True) from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"{type(error).__name__}: {error}", server_wide=True) from error

    def _connect(self) -> smtplib.SMTP:
        if self.scheme == "smtps":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def _hang_up(smtp: smtplib.SMTP) -> None:
    """QUIT and close, whatever the server answers: once send_message returned, the server has the mail, and an
    answer other than 221 (or none) must not make it a failure that sends it again every round (smtplib's `with`
    would raise)."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError) as error:
        log.info("Mailserver beim Abmelden: %s", error)
    finally:
        smtp.close()


# RFC 3463's enhanced status code at the start of an answer, the addresses in it, and what servers answer when they
# will not relay for the sender
ENHANCED_CODE = re.compile(r"\s*([245]\.\d{1,3}\.\d{1,3})\b")
ADDRESSES = re.compile(r"<[^>]*>")
RELAY_REFUSED = ("relay access denied", "relaying denied", "relay not permitted", "relaying not permitted",
                 "relaying not allowed", "relay not allowed", "unable to relay")


def _refuses_address(code: int, answer: bytes | str) -> bool:
    """A 5xx to RCPT that refuses the address itself. Not so a refusal of the server's policy (RFC 3463's 5.7.x,
    e.g. Postfix's „554 5.7.1 Relay access denied“ while the atlas is not allowed to relay): the mail is not given
    up at once but tried again, as any failed mail, until the operator mends the settings or it is given up in time.
    It ends no round either: another address may pass (a local mailbox, a domain the server takes). The enhanced
    code decides where the server gives one ("5.1.1 … User unknown in relay recipient table" refuses the address);
    without one, the words of a relay refusal, the addresses in <…> left out (an address may hold "relay")."""
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    if not 500 <= code < 600:
        return False
    enhanced = ENHANCED_CODE.match(text)
    if enhanced:
        return not enhanced.group(1).startswith("5.7.")
    words = " ".join(ADDRESSES.sub(" ", text).lower().split())
    return not any(phrase in words for phrase in RELAY_REFUSED)


def _text(error: smtplib.SMTPResponseException) -> str:
    return error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)

"""Render email templates and deliver them through SMTP (fastapi-mail) or to the log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosmtplib
import structlog
from fastapi_mail import ConnectionConfig, FastMail, MessageSchema, MessageType
from fastapi_mail.errors import ConnectionErrors
from fastapi_mail.schemas import MultipartSubtypeEnum
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from brain_battles.core.config import Settings
from brain_battles.core.jobs import defer_job

logger = structlog.get_logger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"

SUBJECTS = {
    "verify_email": "Your Brain Battles verification code",
    "reset_password": "Your Brain Battles password reset code",
    "signup_attempt": "Someone tried to sign up with your email address",
    "password_changed": "Your Brain Battles password was changed",
    "quiz_invitation": "You are invited to a Brain Battles quiz",
}

_html_env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
_text_env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    # Plain-text bodies are never rendered as HTML, so escaping would only garble them.
    autoescape=False,  # noqa: S701
    undefined=StrictUndefined,
)


class MailDeliveryError(Exception):
    """The SMTP server could not be reached or rejected the message; worth retrying."""


@dataclass(frozen=True)
class RenderedEmail:
    to: str
    subject: str
    html: str
    text: str


def render_email(template: str, to: str, context: dict[str, Any]) -> RenderedEmail:
    if template not in SUBJECTS:
        raise ValueError(f"unknown email template {template!r}")
    return RenderedEmail(
        to=to,
        subject=SUBJECTS[template],
        html=_html_env.get_template(f"{template}.html").render(**context),
        text=_text_env.get_template(f"{template}.txt").render(**context),
    )


def build_connection_config(settings: Settings) -> ConnectionConfig:
    sender_name, sender_address = settings.mail_sender
    values = {
        "MAIL_USERNAME": settings.smtp_username,
        "MAIL_PASSWORD": settings.smtp_password,
        "MAIL_FROM": sender_address,
        "MAIL_FROM_NAME": sender_name or None,
        "MAIL_PORT": settings.smtp_port,
        "MAIL_SERVER": settings.smtp_host,
        "MAIL_STARTTLS": settings.smtp_starttls,
        "MAIL_SSL_TLS": settings.smtp_ssl,
        "USE_CREDENTIALS": bool(settings.smtp_username),
        "VALIDATE_CERTS": True,
        "TIMEOUT": 30,
    }
    try:
        return ConnectionConfig(**values)
    except ValueError:
        # email-validator rejects reserved domains such as the default sender's `.local`,
        # which SMTP servers and mail catchers accept; keep the address as configured.
        config = ConnectionConfig(**{**values, "MAIL_FROM": "sender@example.com"})
        config.MAIL_FROM = sender_address
        return config


class Mailer:
    """Delivers rendered emails with the backend that `MAIL_BACKEND` selects."""

    def __init__(self, settings: Settings) -> None:
        self.backend = settings.mail_backend
        self._fastmail = None
        if self.backend == "smtp":
            self._fastmail = FastMail(build_connection_config(settings))

    async def send(self, email: RenderedEmail) -> None:
        if self._fastmail is None:
            # The console backend exists so a developer can read codes without a mail server;
            # production refuses to start with it.
            logger.info("mail.console", to=email.to, subject=email.subject, body=email.text)
            return
        message = MessageSchema(
            subject=email.subject,
            recipients=[email.to],
            body=email.html,
            alternative_body=email.text,
            subtype=MessageType.html,
            multipart_subtype=MultipartSubtypeEnum.alternative,
        )
        try:
            await self._fastmail.send_message(message)
        except (ConnectionErrors, aiosmtplib.SMTPException, OSError) as exc:
            raise MailDeliveryError(str(exc)) from exc


def queue_email(session: Any, *, to: str, template: str, context: dict[str, Any]) -> None:
    """Send an email through the worker once the current transaction commits."""
    if template not in SUBJECTS:
        raise ValueError(f"unknown email template {template!r}")
    defer_job(session, "send_email", to=to, template=template, context=context)

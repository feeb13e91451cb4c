"""One-time code purposes and the values their email templates use."""

from __future__ import annotations

from typing import Any

from brain_battles.core.config import Settings
from brain_battles.users.models import User

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"


def code_email_context(settings: Settings, user: User, code: str) -> dict[str, Any]:
    """Build the template values of a code email (the template is named after the purpose)."""
    return {
        "username": user.username,
        "code": code,
        "ttl_minutes": settings.otp_ttl_seconds // 60,
    }

"""Canonical forms of emails and usernames, so that look-ups ignore case."""

from __future__ import annotations

import re
import unicodedata

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{3,32}$")


def normalize_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().lower()


def username_key(username: str) -> str:
    return username.lower()


def canonical_login(login: str) -> str:
    """Normalise an email address or username the way account look-ups do."""
    login = login.strip()
    return normalize_email(login) if "@" in login else username_key(login)

"""Password hashing, JWTs and keyed hashes of one-time codes."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from anyio import to_thread
from jose import JWTError, jwt
from passlib.context import CryptContext

from brain_battles.core.timeutils import utcnow

JWT_ALGORITHM = "HS256"
TokenType = Literal["access", "refresh", "invitation"]

# libpass 1.9 defaults to Argon2id with m=64 MiB, t=3, p=4.
_password_context = CryptContext(schemes=["argon2"], deprecated="auto")
# Each hash uses 64 MiB while it runs. More hashes at once than cores would only queue for the
# CPU while multiplying that memory, so the extra ones wait here, off the event loop.
_hashing_slots = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
# Verified against when the account does not exist, so a missing account costs the same time.
_DUMMY_HASH = _password_context.hash("not-a-real-password-" + secrets.token_hex(8))


def _hash_in_slot(password: str) -> str:
    with _hashing_slots:
        return _password_context.hash(password)


def _verify_in_slot(password: str, password_hash: str) -> bool:
    with _hashing_slots:
        return _password_context.verify(password, password_hash)


async def hash_password(password: str) -> str:
    # Argon2id takes about 0.1 s of CPU; on the event loop it would stall every other request.
    return await to_thread.run_sync(_hash_in_slot, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    matches = await to_thread.run_sync(_verify_in_slot, password, password_hash or _DUMMY_HASH)
    return matches and password_hash is not None


class InvalidTokenError(Exception):
    pass


def create_token(
    *,
    secret_key: str,
    token_type: TokenType,
    subject: str,
    ttl: timedelta | None = None,
    expires_at: datetime | None = None,
    claims: dict[str, Any] | None = None,
) -> tuple[str, str, datetime]:
    """Sign a JWT; returns the token, its `jti` and its expiry."""
    now = utcnow()
    expiry = expires_at or now + (ttl or timedelta(minutes=30))
    jti = uuid.uuid4().hex
    payload = {
        **(claims or {}),
        "sub": subject,
        "type": token_type,
        "jti": jti,
        "iat": int(now.timestamp()),
        "exp": int(expiry.timestamp()),
    }
    return jwt.encode(payload, secret_key, algorithm=JWT_ALGORITHM), jti, expiry


def decode_token(token: str, *, secret_key: str, expected_type: TokenType) -> dict[str, Any]:
    """Verify signature, expiry and token type; raise InvalidTokenError on any mismatch."""
    try:
        payload = jwt.decode(
            token,
            secret_key,
            algorithms=[JWT_ALGORITHM],
            # A token without an expiry would live as long as its session; none is issued so.
            options={"require_exp": True, "require_iat": True, "require_sub": True},
        )
    except (JWTError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidTokenError(str(exc)) from exc
    if payload.get("type") != expected_type:
        raise InvalidTokenError(f"expected a {expected_type} token")
    if not isinstance(payload.get("sub"), str) or not isinstance(payload.get("jti"), str):
        raise InvalidTokenError("token lacks sub or jti")
    return payload


def generate_otp() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_otp(*, secret_key: str, email: str, purpose: str, code: str) -> str:
    """Keyed hash of a code: a leaked table cannot be brute-forced without the secret key."""
    message = f"{purpose}:{email}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()

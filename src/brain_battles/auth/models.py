"""Sessions, refresh tokens and one-time codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from brain_battles.core.database import Base, UUIDPrimaryKey
from brain_battles.core.timeutils import UTCDateTime, utcnow


class AuthSession(UUIDPrimaryKey, Base):
    """One login: every access and refresh token carries its id as the `sid` claim.

    Revoking the session kills its access tokens at once, because each request checks it.
    """

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class RefreshToken(Base):
    """A refresh token issued in a session, by its `jti`; `used_at` makes it single use."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OneTimeCode(UUIDPrimaryKey, Base):
    """An emailed 6-digit code, stored only as an HMAC keyed with the secret key."""

    __tablename__ = "one_time_codes"
    __table_args__ = (Index("ix_one_time_codes_email_purpose", "email", "purpose"),)

    email: Mapped[str] = mapped_column(String(320))
    purpose: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the code is used, voided by a newer code, or voided after too many wrong tries.
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

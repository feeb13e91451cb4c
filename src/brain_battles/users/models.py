"""The user account table."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from brain_battles.core.database import Base, Timestamped, UUIDPrimaryKey
from brain_battles.core.timeutils import UTCDateTime


class Role(enum.StrEnum):
    USER = "user"
    MODERATOR = "moderator"
    ADMIN = "admin"


# Moderators and admins: they may read any quiz with its key and moderate content.
STAFF_ROLES = (Role.MODERATOR, Role.ADMIN)


class User(UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "users"

    # Stored NFKC-normalised and lower-cased, so the unique index is case-insensitive.
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    username: Mapped[str] = mapped_column(String(32))
    # Lower-cased copy of `username`: uniqueness and look-up ignore case, display keeps it.
    username_key: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="user_role",
            native_enum=False,
            length=16,
            values_callable=lambda roles: [role.value for role in roles],
        ),
        default=Role.USER,
    )
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

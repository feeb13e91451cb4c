"""Request and response bodies for accounts."""

from __future__ import annotations

import uuid
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from brain_battles.core.schemas import RequestModel
from brain_battles.core.timeutils import UTCTimestamp
from brain_battles.users.models import Role
from brain_battles.users.normalize import normalize_email


def _normalize(value: object) -> object:
    return normalize_email(value) if isinstance(value, str) else value


def _check_email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"invalid email address: {exc}") from exc
    return value


EmailAddress = Annotated[
    str,
    BeforeValidator(_normalize),
    StringConstraints(max_length=320),
    AfterValidator(_check_email),
]
Username = Annotated[
    str, StringConstraints(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")
]
Password = Annotated[str, Field(min_length=8, max_length=128)]


StrictModel = RequestModel


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    username: str
    role: Role
    email_verified: bool
    is_active: bool
    created_at: UTCTimestamp


class UserSelfUpdate(StrictModel):
    username: Username | None = None


class PasswordChange(StrictModel):
    current_password: Annotated[str, Field(min_length=1, max_length=128)]
    new_password: Password


class AccountDeletion(StrictModel):
    password: Annotated[str, Field(min_length=1, max_length=128)]


class UserCreate(StrictModel):
    email: EmailAddress
    username: Username
    password: Password
    role: Role = Role.USER


class UserAdminUpdate(StrictModel):
    username: Username | None = None
    role: Role | None = None
    is_active: bool | None = None

"""Caller authentication from bearer tokens, and role checks."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select

from brain_battles.auth.models import AuthSession
from brain_battles.core.dependencies import SessionDep, SettingsDep
from brain_battles.core.errors import NotAuthenticatedError, PermissionDeniedError
from brain_battles.core.security import InvalidTokenError, decode_token
from brain_battles.core.timeutils import utcnow
from brain_battles.users.models import STAFF_ROLES, Role, User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


@dataclass(frozen=True)
class Principal:
    user: User
    session_id: uuid.UUID


async def get_principal(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    """Authenticate the access token and check that its session is still alive."""
    if not token:
        raise NotAuthenticatedError("Missing bearer token.")
    try:
        payload = decode_token(token, secret_key=settings.secret_key, expected_type="access")
        user_id = uuid.UUID(payload["sub"])
        session_id = uuid.UUID(str(payload.get("sid")))
    except (InvalidTokenError, ValueError) as exc:
        raise NotAuthenticatedError("Invalid or expired access token.") from exc

    row = (
        await session.execute(
            select(User, AuthSession)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(
                User.id == user_id,
                AuthSession.id == session_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > utcnow(),
            )
        )
    ).first()
    if row is None:
        raise NotAuthenticatedError("The session has ended; log in again.")
    user, _ = row
    if not user.is_active:
        raise NotAuthenticatedError("The account is disabled.")
    return Principal(user=user, session_id=session_id)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_current_user(principal: PrincipalDep) -> User:
    return principal.user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], Coroutine[Any, Any, User]]:
    """Build a dependency that lets only the given roles through (403 for the rest)."""

    async def _check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDeniedError("Your role does not allow this action.")
        return user

    return _check


StaffUser = Annotated[User, Depends(require_roles(*STAFF_ROLES))]
AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]

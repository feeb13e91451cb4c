"""Login sessions and the access/refresh token pairs issued in them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brain_battles.auth.errors import InvalidRefreshTokenError
from brain_battles.auth.models import AuthSession, RefreshToken
from brain_battles.auth.schemas import TokenPair
from brain_battles.core.config import Settings
from brain_battles.core.security import InvalidTokenError, create_token, decode_token
from brain_battles.core.timeutils import utcnow
from brain_battles.users.models import User

logger = structlog.get_logger(__name__)


async def _issue_pair(
    session: AsyncSession, settings: Settings, user: User, auth_session: AuthSession
) -> TokenPair:
    claims = {"sid": str(auth_session.id)}
    access_token, _, _ = create_token(
        secret_key=settings.secret_key,
        token_type="access",
        subject=str(user.id),
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        claims=claims,
    )
    refresh_token, jti, refresh_expiry = create_token(
        secret_key=settings.secret_key,
        token_type="refresh",
        subject=str(user.id),
        expires_at=auth_session.expires_at,
        claims=claims,
    )
    session.add(RefreshToken(jti=jti, session_id=auth_session.id, expires_at=refresh_expiry))
    await session.flush()
    return TokenPair(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=settings.access_token_ttl_seconds,
    )


async def start_session(session: AsyncSession, settings: Settings, user: User) -> TokenPair:
    """Open a new login session for the user and return its first token pair."""
    auth_session = AuthSession(
        user_id=user.id,
        expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_seconds),
    )
    session.add(auth_session)
    await session.flush()
    logger.info("auth.session_started", user_id=str(user.id), session_id=str(auth_session.id))
    return await _issue_pair(session, settings, user, auth_session)


async def rotate_refresh_token(
    session: AsyncSession, settings: Settings, refresh_token: str
) -> TokenPair:
    """Exchange a refresh token for a new pair; a reused token revokes its whole session."""
    try:
        payload = decode_token(
            refresh_token, secret_key=settings.secret_key, expected_type="refresh"
        )
    except InvalidTokenError as exc:
        raise InvalidRefreshTokenError() from exc

    row = (
        await session.execute(
            select(RefreshToken, AuthSession, User)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .join(User, User.id == AuthSession.user_id)
            .where(RefreshToken.jti == payload["jti"])
            .with_for_update(of=RefreshToken)
        )
    ).first()
    if row is None:
        raise InvalidRefreshTokenError()
    token, auth_session, user = row
    now = utcnow()
    if auth_session.revoked_at is not None or auth_session.expires_at <= now:
        raise InvalidRefreshTokenError()
    if token.used_at is not None:
        auth_session.revoked_at = now
        auth_session.revoked_reason = "refresh_token_reuse"
        logger.warning(
            "auth.refresh_token_reused",
            user_id=str(user.id),
            session_id=str(auth_session.id),
        )
        raise InvalidRefreshTokenError(keep_changes=True)
    if not user.is_active:
        raise InvalidRefreshTokenError()

    token.used_at = now
    auth_session.expires_at = now + timedelta(seconds=settings.refresh_token_ttl_seconds)
    return await _issue_pair(session, settings, user, auth_session)


async def revoke_session(session: AsyncSession, session_id: uuid.UUID, *, reason: str) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


async def revoke_user_sessions(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    reason: str,
    keep_session_id: uuid.UUID | None = None,
) -> None:
    """End every session of the user, optionally sparing the caller's own."""
    statement = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep_session_id is not None:
        statement = statement.where(AuthSession.id != keep_session_id)
    await session.execute(statement.values(revoked_at=utcnow(), revoked_reason=reason))
    logger.info("auth.sessions_revoked", user_id=str(user_id), reason=reason)


def session_id_of_refresh_token(settings: Settings, refresh_token: str) -> uuid.UUID | None:
    """Read the session id out of a refresh token, or None if the token is not valid."""
    try:
        payload = decode_token(
            refresh_token, secret_key=settings.secret_key, expected_type="refresh"
        )
        return uuid.UUID(str(payload.get("sid")))
    except (InvalidTokenError, ValueError):
        return None


async def revoke_session_of_user(
    session: AsyncSession, session_id: uuid.UUID, *, user_id: uuid.UUID, reason: str
) -> None:
    """Revoke a session only if it belongs to the user, so no one ends another's session."""
    await session.execute(
        update(AuthSession)
        .where(
            AuthSession.id == session_id,
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )

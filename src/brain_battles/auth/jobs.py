"""Periodic clean-up of expired codes, refresh tokens and sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import delete, or_

from brain_battles.auth.models import AuthSession, OneTimeCode, RefreshToken
from brain_battles.core.database import session_scope
from brain_battles.core.timeutils import utcnow

logger = structlog.get_logger(__name__)

# Revoked sessions are kept a day so that reuse of their refresh tokens is still recognised.
REVOKED_SESSION_GRACE = timedelta(days=1)


async def purge_expired_auth_records(ctx: dict[str, Any]) -> dict[str, int]:
    """Delete codes and sessions that can no longer be used."""
    now = utcnow()
    async with session_scope(ctx["session_factory"]) as session:
        codes = await session.execute(
            delete(OneTimeCode).where(
                or_(OneTimeCode.expires_at < now, OneTimeCode.consumed_at.is_not(None))
            )
        )
        tokens = await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))
        sessions = await session.execute(
            delete(AuthSession).where(
                or_(
                    AuthSession.expires_at < now,
                    AuthSession.revoked_at < now - REVOKED_SESSION_GRACE,
                )
            )
        )
    counts = {
        "codes": codes.rowcount or 0,
        "refresh_tokens": tokens.rowcount or 0,
        "sessions": sessions.rowcount or 0,
    }
    logger.info("auth.purged_expired", job_id=ctx.get("job_id"), **counts)
    return counts

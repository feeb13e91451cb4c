"""Periodic clean-up of expired codes, refresh tokens and sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import delete, or_

from brain_battles.auth.models import AuthSession, OneTimeCode, RefreshToken
from brain_battles.auth.otp import issue_code
from brain_battles.auth.purposes import RESET_PASSWORD, code_email_context
from brain_battles.core.config import Settings
from brain_battles.core.database import session_scope
from brain_battles.core.timeutils import utcnow
from brain_battles.mail.jobs import deliver
from brain_battles.mail.service import render_email
from brain_battles.users.service import find_by_email

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


async def send_code(ctx: dict[str, Any], *, email: str, purpose: str) -> None:
    """Issue and email a code if the account is in the state `purpose` needs; else nothing.

    Resend and forgot-password requests hand their work to this job, so the request does the
    same work, and takes the same time, whether or not the address has an account. A retry
    after an SMTP failure issues a new code, which voids the undelivered one.
    """
    settings: Settings = ctx["settings"]
    async with session_scope(ctx["session_factory"]) as session:
        user = await find_by_email(session, email)
        if user is None or not user.is_active:
            return
        # Verification codes go to unverified addresses, reset codes to verified ones.
        needs_verified = purpose == RESET_PASSWORD
        if user.email_verified != needs_verified:
            return
        code = await issue_code(session, settings, email=user.email, purpose=purpose)
        rendered = render_email(purpose, user.email, code_email_context(settings, user, code))
    await deliver(ctx, rendered, template=purpose)
    logger.info("auth.code_sent", job_id=ctx.get("job_id"), user_id=str(user.id), purpose=purpose)

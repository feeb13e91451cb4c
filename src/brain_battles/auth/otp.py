"""One-time codes: issue, check, void. Only keyed hashes are stored."""

from __future__ import annotations

import hmac
from datetime import timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brain_battles.auth.errors import InvalidCodeError
from brain_battles.auth.models import OneTimeCode
from brain_battles.core.config import Settings
from brain_battles.core.security import generate_otp, hash_otp
from brain_battles.core.timeutils import utcnow

logger = structlog.get_logger(__name__)

MAX_FAILED_ATTEMPTS = 5


async def issue_code(session: AsyncSession, settings: Settings, *, email: str, purpose: str) -> str:
    """Create a new code for the address and purpose, voiding any earlier one."""
    now = utcnow()
    await session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.email == email,
            OneTimeCode.purpose == purpose,
            OneTimeCode.consumed_at.is_(None),
        )
        .values(consumed_at=now)
    )
    code = generate_otp()
    session.add(
        OneTimeCode(
            email=email,
            purpose=purpose,
            code_hash=hash_otp(
                secret_key=settings.secret_key, email=email, purpose=purpose, code=code
            ),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.otp_ttl_seconds),
        )
    )
    await session.flush()
    return code


async def consume_code(
    session: AsyncSession, settings: Settings, *, email: str, purpose: str, code: str
) -> None:
    """Use up a valid code, or count a wrong try and raise `InvalidCodeError`.

    The error keeps the request's changes, so the try counter survives the rollback that an
    error would otherwise cause. The fifth wrong try voids the code.
    """
    now = utcnow()
    record = await session.scalar(
        select(OneTimeCode)
        .where(
            OneTimeCode.email == email,
            OneTimeCode.purpose == purpose,
            OneTimeCode.consumed_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        .order_by(OneTimeCode.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    if record is None:
        raise InvalidCodeError()

    expected = hash_otp(secret_key=settings.secret_key, email=email, purpose=purpose, code=code)
    if hmac.compare_digest(expected, record.code_hash):
        record.consumed_at = now
        return

    record.failed_attempts += 1
    if record.failed_attempts >= MAX_FAILED_ATTEMPTS:
        record.consumed_at = now
        logger.info("otp.voided_after_failures", code_id=str(record.id), purpose=purpose)
    raise InvalidCodeError(keep_changes=True)

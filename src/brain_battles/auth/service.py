"""Sign-up, verification, login and password reset flows."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from brain_battles.auth import otp, sessions
from brain_battles.auth.errors import (
    AccountDisabledError,
    EmailNotVerifiedError,
    InvalidCodeError,
    InvalidCredentialsError,
)
from brain_battles.auth.purposes import RESET_PASSWORD, VERIFY_EMAIL, code_email_context
from brain_battles.auth.schemas import SignupRequest, TokenPair
from brain_battles.core.config import Settings
from brain_battles.core.errors import RateLimitedError
from brain_battles.core.jobs import defer_job
from brain_battles.core.ratelimit import RateLimiter
from brain_battles.core.security import hash_password, verify_password
from brain_battles.core.timeutils import utcnow
from brain_battles.mail.service import queue_email
from brain_battles.users import service as users_service
from brain_battles.users.errors import InvalidPasswordError
from brain_battles.users.models import User
from brain_battles.users.normalize import canonical_login, username_key

logger = structlog.get_logger(__name__)

# One email with a code (or a notice) per address per minute.
CODE_EMAIL_WINDOW_SECONDS = 60
# Wrong codes per address across all its codes, so resending cannot multiply the guesses.
CODE_TRIES_LIMIT, CODE_TRIES_WINDOW_SECONDS = 15, 3600
# Failed logins per login name (an email or a username) before it must wait out the window.
LOGIN_FAILURE_LIMIT, LOGIN_WINDOW_SECONDS = 10, 900


async def _limit(limiter: RateLimiter, key: str, *, limit: int, window: int) -> None:
    retry_after = await limiter.hit(key, limit=limit, window_seconds=window)
    if retry_after:
        raise RateLimitedError(retry_after)


async def _send_code(
    session: AsyncSession, settings: Settings, user: User, *, purpose: str
) -> None:
    code = await otp.issue_code(session, settings, email=user.email, purpose=purpose)
    queue_email(
        session,
        to=user.email,
        template=purpose,
        context=code_email_context(settings, user, code),
    )
    logger.info("auth.code_sent", user_id=str(user.id), purpose=purpose)


async def signup(
    session: AsyncSession, settings: Settings, limiter: RateLimiter, data: SignupRequest
) -> None:
    """Create or refresh an unverified account and email a code.

    A verified address gets the same response and a notice email instead, so the endpoint
    does not reveal which addresses have accounts.
    """
    user = await users_service.find_by_email(session, data.email)
    # Checked before the rate limit, so a person who picks a taken username can retry with
    # another one at once. Only an unverified account may keep its own username here: were
    # a verified one exempt too, a 202 would confirm which email goes with a public username.
    reusable = user if user is not None and not user.email_verified else None
    await users_service.ensure_username_free(
        session, data.username, except_user_id=reusable.id if reusable else None
    )
    await _limit(limiter, f"code-email:{data.email}", limit=1, window=CODE_EMAIL_WINDOW_SECONDS)
    password_hash = await hash_password(data.password)

    if user is not None and user.email_verified:
        queue_email(
            session,
            to=user.email,
            template="signup_attempt",
            context={"username": user.username},
        )
        logger.info("auth.signup_for_verified_email", user_id=str(user.id))
        return

    if user is None:
        user = User(email=data.email, email_verified=False, is_active=True)
        session.add(user)
    # An unverified account proves nothing about who owns the address, so a new sign-up
    # with the same address replaces its username and password.
    user.username = data.username
    user.username_key = username_key(data.username)
    user.password_hash = password_hash
    await session.flush()
    await _send_code(session, settings, user, purpose=VERIFY_EMAIL)


async def verify_email(
    session: AsyncSession, settings: Settings, limiter: RateLimiter, *, email: str, code: str
) -> TokenPair:
    await _limit(
        limiter, f"code-try:{email}", limit=CODE_TRIES_LIMIT, window=CODE_TRIES_WINDOW_SECONDS
    )
    user = await users_service.find_by_email(session, email)
    if user is None or user.email_verified:
        raise InvalidCodeError()
    await otp.consume_code(session, settings, email=email, purpose=VERIFY_EMAIL, code=code)
    user.email_verified = True
    user.verified_at = utcnow()
    logger.info("auth.email_verified", user_id=str(user.id))
    if not user.is_active:
        raise AccountDisabledError(keep_changes=True)
    return await sessions.start_session(session, settings, user)


async def resend_code(
    session: AsyncSession, settings: Settings, limiter: RateLimiter, *, email: str, purpose: str
) -> None:
    """Queue a fresh code for the address; the job decides whether the account gets one.

    The request never looks the address up, so it takes the same time for every address.
    """
    await _limit(limiter, f"code-email:{email}", limit=1, window=CODE_EMAIL_WINDOW_SECONDS)
    defer_job(session, "send_code", email=email, purpose=purpose)


async def login(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    *,
    login: str,
    password: str,
) -> TokenPair:
    """Check the password and open a session; only failures count toward the limit."""
    user = await users_service.find_by_login(session, login)
    # Counted per normalised name, not per account: failures under a username and under an
    # email adding up would reveal that the two belong to one account.
    failure_key = f"login-failures:{canonical_login(login)}"
    retry_after = await limiter.blocked(failure_key, limit=LOGIN_FAILURE_LIMIT)
    if retry_after:
        raise RateLimitedError(retry_after, "Too many failed logins. Try again later.")

    # verify_password checks a dummy hash when there is no user, so timing reveals nothing.
    if not await verify_password(password, user.password_hash if user else None) or user is None:
        await limiter.hit(
            failure_key, limit=LOGIN_FAILURE_LIMIT, window_seconds=LOGIN_WINDOW_SECONDS
        )
        logger.info("auth.login_failed", user_id=str(user.id) if user else None)
        raise InvalidCredentialsError()
    if not user.email_verified:
        raise EmailNotVerifiedError()
    if not user.is_active:
        raise AccountDisabledError()
    return await sessions.start_session(session, settings, user)


async def forgot_password(
    session: AsyncSession, settings: Settings, limiter: RateLimiter, *, email: str
) -> None:
    await resend_code(session, settings, limiter, email=email, purpose=RESET_PASSWORD)


async def reset_password(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    *,
    email: str,
    code: str,
    new_password: str,
) -> None:
    await _limit(
        limiter, f"code-try:{email}", limit=CODE_TRIES_LIMIT, window=CODE_TRIES_WINDOW_SECONDS
    )
    user = await users_service.find_by_email(session, email)
    if user is None or not user.email_verified or not user.is_active:
        raise InvalidCodeError()
    await otp.consume_code(session, settings, email=email, purpose=RESET_PASSWORD, code=code)
    await set_password(session, user, new_password, reason="password_reset")


async def set_password(
    session: AsyncSession,
    user: User,
    new_password: str,
    *,
    reason: str,
    keep_session_id: uuid.UUID | None = None,
) -> None:
    """Store a new password, end the user's sessions (but one, if given) and notify them."""
    user.password_hash = await hash_password(new_password)
    await sessions.revoke_user_sessions(
        session, user.id, reason=reason, keep_session_id=keep_session_id
    )
    queue_email(
        session, to=user.email, template="password_changed", context={"username": user.username}
    )


async def check_current_password(limiter: RateLimiter, user: User, password: str) -> None:
    """Confirm the signed-in user's password before a sensitive change.

    Wrong guesses count like failed logins, so a stolen access token cannot be used to try
    passwords without limit.
    """
    failure_key = f"password-check:{user.id}"
    retry_after = await limiter.blocked(failure_key, limit=LOGIN_FAILURE_LIMIT)
    if retry_after:
        raise RateLimitedError(retry_after, "Too many wrong passwords. Try again later.")
    if not await verify_password(password, user.password_hash):
        await limiter.hit(
            failure_key, limit=LOGIN_FAILURE_LIMIT, window_seconds=LOGIN_WINDOW_SECONDS
        )
        logger.info("auth.password_check_failed", user_id=str(user.id))
        raise InvalidPasswordError()

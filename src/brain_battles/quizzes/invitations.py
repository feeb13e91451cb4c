"""Private-quiz invitations: email them, list them, and accept them by token.

Choices made here:
- A public quiz or a draft may be invited to. Accepting an invitation to a public quiz is
  recorded, so the account keeps access if the quiz later becomes private. A draft's link
  answers 404 `quiz_not_found` until the quiz is published, and works from then on.
- The link is a bearer token: any signed-in account may accept it, whatever address it was
  sent to, and the first account to accept owns it.
- A malformed, tampered or wrong-type token, or one whose invitation no longer exists
  (its quiz was deleted), gives 404 `invitation_not_found`. An expired one gives 410
  `invitation_expired`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from jose import jwt
from jose.exceptions import ExpiredSignatureError, JWTError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from brain_battles.core.config import Settings
from brain_battles.core.errors import (
    AppError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from brain_battles.core.ratelimit import RateLimiter
from brain_battles.core.security import InvalidTokenError, create_token, decode_token
from brain_battles.core.timeutils import utcnow
from brain_battles.mail.service import queue_email
from brain_battles.quizzes.access import can_edit, get_visible_quiz, quiz_load_options
from brain_battles.quizzes.errors import QuizClosedError, QuizNotFoundError
from brain_battles.quizzes.models import Quiz, QuizInvitation, QuizStatus
from brain_battles.users.models import User

logger = structlog.get_logger(__name__)

# Lifetime of an invitation to a quiz without `closes_at`.
INVITATION_TTL = timedelta(days=30)
# Invitation emails one account may cause per hour across all its quizzes. Re-sends count.
INVITATION_EMAILS_PER_HOUR = 200
RATE_LIMIT_WINDOW_SECONDS = 3600
ACCEPT_PATH = "/api/v1/invitations/{token}/accept"


class InvitationNotFoundError(NotFoundError):
    code = "invitation_not_found"
    detail = "The invitation link is invalid, or the invitation no longer exists."


class InvitationExpiredError(AppError):
    status_code = 410
    code = "invitation_expired"
    title = "Invitation expired"
    detail = "The invitation has expired; ask the quiz author to invite you again."


class InvitationAlreadyAcceptedError(ConflictError):
    code = "invitation_already_accepted"
    title = "Invitation already accepted"
    detail = "Another account has already accepted this invitation."


@dataclass(frozen=True)
class InvitationEntry:
    invitation: QuizInvitation
    accepted_by: User | None


async def _get_managed_quiz(
    session: AsyncSession, quiz_id: uuid.UUID, user: User, *, for_update: bool = False
) -> Quiz:
    quiz = await get_visible_quiz(session, quiz_id, user, for_update=for_update)
    if not can_edit(quiz, user):
        raise PermissionDeniedError("Only the quiz author or an admin can manage its invitations.")
    return quiz


async def _charge_emails(limiter: RateLimiter, user_id: uuid.UUID, count: int) -> None:
    retry_after = await limiter.hit(
        f"invitation-emails:{user_id}",
        limit=INVITATION_EMAILS_PER_HOUR,
        window_seconds=RATE_LIMIT_WINDOW_SECONDS,
        cost=count,
    )
    if retry_after:
        raise RateLimitedError(
            retry_after,
            f"You can send at most {INVITATION_EMAILS_PER_HOUR} invitation emails per hour. "
            f"Try again in {retry_after} seconds.",
        )


def invitation_expiry(quiz: Quiz, now: datetime) -> datetime:
    """Compute the expiry of invitations sent at `now`: `closes_at`, or 30 days if unset."""
    return quiz.closes_at or now + INVITATION_TTL


def build_invitation_link(settings: Settings, token: str) -> str:
    """Point at the SPA's invitation page if `FRONTEND_BASE_URL` is set, else at the API."""
    if settings.frontend_base_url:
        return f"{settings.frontend_base_url.rstrip('/')}/invitations/{token}"
    return settings.public_base_url.rstrip("/") + ACCEPT_PATH.format(token=token)


def _queue_invitation_email(
    session: AsyncSession,
    settings: Settings,
    *,
    invitation: QuizInvitation,
    quiz: Quiz,
    inviter: User,
) -> None:
    token, _, _ = create_token(
        secret_key=settings.secret_key,
        token_type="invitation",
        subject=str(invitation.id),
        expires_at=invitation.expires_at,
    )
    queue_email(
        session,
        to=invitation.email,
        template="quiz_invitation",
        context={
            "inviter": inviter.username,
            "quiz_title": quiz.title,
            "link": build_invitation_link(settings, token),
            "expires_at": invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        },
    )


async def _load_users(session: AsyncSession, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, User]:
    if not user_ids:
        return {}
    users = await session.scalars(select(User).where(User.id.in_(user_ids)))
    return {user.id: user for user in users}


async def invite(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    *,
    quiz_id: uuid.UUID,
    inviter: User,
    emails: list[str],
) -> tuple[list[InvitationEntry], int]:
    """Create or refresh one invitation per address and email each a link.

    `emails` must be normalised and free of duplicates. An address invited before gets a
    new link and a new expiry. An accepted invitation is left unchanged and not re-sent.
    Returns the invitations in request order and how many addresses were emailed.
    """
    # The row lock serialises invitations to one quiz, so two requests cannot both insert
    # the same address and break the unique (quiz_id, email) constraint.
    quiz = await _get_managed_quiz(session, quiz_id, inviter, for_update=True)
    now = utcnow()
    if quiz.closes_at is not None and quiz.closes_at <= now:
        raise QuizClosedError("The quiz has closed, so invitations to it can no longer be sent.")

    existing = {
        invitation.email: invitation
        for invitation in await session.scalars(
            select(QuizInvitation).where(
                QuizInvitation.quiz_id == quiz.id, QuizInvitation.email.in_(emails)
            )
        )
    }
    to_email = [
        email for email in emails if email not in existing or existing[email].accepted_at is None
    ]
    await _charge_emails(limiter, inviter.id, len(to_email))

    expires_at = invitation_expiry(quiz, now)
    invitations = []
    for email in emails:
        invitation = existing.get(email)
        if invitation is None:
            invitation = QuizInvitation(
                id=uuid.uuid4(),
                quiz_id=quiz.id,
                email=email,
                invited_by_id=inviter.id,
                created_at=now,
                sent_at=now,
                expires_at=expires_at,
            )
            session.add(invitation)
        elif invitation.accepted_at is None:
            invitation.sent_at = now
            invitation.expires_at = expires_at
        invitations.append(invitation)
    await session.flush()

    for invitation in invitations:
        if invitation.accepted_at is None:
            _queue_invitation_email(
                session, settings, invitation=invitation, quiz=quiz, inviter=inviter
            )

    accepters = await _load_users(
        session, {i.accepted_by_id for i in invitations if i.accepted_by_id is not None}
    )
    logger.info(
        "quiz.invitations_sent",
        quiz_id=str(quiz.id),
        inviter_id=str(inviter.id),
        addresses=len(emails),
        emailed=len(to_email),
    )
    entries = [
        InvitationEntry(invitation, accepters.get(invitation.accepted_by_id))
        for invitation in invitations
    ]

    return entries, len(to_email)


async def list_invitations(
    session: AsyncSession,
    *,
    quiz_id: uuid.UUID,
    user: User,
    accepted: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[InvitationEntry], int]:
    """List a quiz's invitations, newest first, with the accounts that accepted them."""
    await _get_managed_quiz(session, quiz_id, user)

    conditions = [QuizInvitation.quiz_id == quiz_id]
    if accepted is True:
        conditions.append(QuizInvitation.accepted_at.is_not(None))
    elif accepted is False:
        conditions.append(QuizInvitation.accepted_at.is_(None))
    total = await session.scalar(
        select(func.count()).select_from(QuizInvitation).where(*conditions)
    )

    accepter = aliased(User)
    rows = await session.execute(
        select(QuizInvitation, accepter)
        .outerjoin(accepter, accepter.id == QuizInvitation.accepted_by_id)
        .where(*conditions)
        .order_by(QuizInvitation.created_at.desc(), QuizInvitation.email)
        .limit(limit)
        .offset(offset)
    )
    entries = [InvitationEntry(invitation, accepted_by) for invitation, accepted_by in rows]

    return entries, total or 0


def _invitation_id_from_token(settings: Settings, token: str) -> uuid.UUID:
    try:
        payload = decode_token(token, secret_key=settings.secret_key, expected_type="invitation")
        return uuid.UUID(payload["sub"])
    except InvalidTokenError as exc:
        if isinstance(exc.__cause__, ExpiredSignatureError) and _claims_type(token) == "invitation":
            raise InvitationExpiredError() from exc
        raise InvitationNotFoundError() from exc
    except ValueError as exc:
        raise InvitationNotFoundError() from exc


def _claims_type(token: str) -> object:
    # Only called after python-jose verified the signature and then found the token expired,
    # so these claims are authentic.
    try:
        return jwt.get_unverified_claims(token).get("type")
    except JWTError:
        return None


async def accept(session: AsyncSession, settings: Settings, *, token: str, user: User) -> Quiz:
    """Give `user` access to the invitation's quiz and return the quiz with its questions.

    Accepting again with the same account succeeds and changes nothing.
    """
    invitation_id = _invitation_id_from_token(settings, token)
    # Locked, so two accounts accepting at once cannot both succeed.
    invitation = await session.scalar(
        select(QuizInvitation).where(QuizInvitation.id == invitation_id).with_for_update()
    )
    if invitation is None:
        raise InvitationNotFoundError()

    quiz = await session.scalar(
        select(Quiz)
        .where(Quiz.id == invitation.quiz_id)
        .options(*quiz_load_options(with_questions=True))
    )
    if quiz is None or quiz.status != QuizStatus.PUBLISHED:
        raise QuizNotFoundError()

    if invitation.accepted_at is not None:
        # `accepted_by_id` is null once the accepting account is deleted, and that still
        # counts as another account.
        if invitation.accepted_by_id != user.id:
            raise InvitationAlreadyAcceptedError()
        return quiz

    now = utcnow()
    # A re-invite after `closes_at` moved earlier shortens the row's expiry below that of
    # links sent before, so the row is checked as well as the token.
    if invitation.expires_at <= now:
        raise InvitationExpiredError()
    invitation.accepted_by_id = user.id
    invitation.accepted_at = now
    logger.info(
        "quiz.invitation_accepted",
        quiz_id=str(quiz.id),
        invitation_id=str(invitation.id),
        user_id=str(user.id),
    )

    return quiz

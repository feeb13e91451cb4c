"""Invitations to private quizzes: `/quizzes/{id}/invitations` and `/invitations/{token}`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from brain_battles.auth.dependencies import CurrentUser
from brain_battles.core.dependencies import RateLimiterDep, SessionDep, SettingsDep
from brain_battles.core.pagination import Page, PageParamsDep
from brain_battles.quizzes import invitations
from brain_battles.quizzes.invitation_schemas import (
    InvitationBatch,
    InvitationCreate,
    InvitationRead,
    UserSummary,
)
from brain_battles.quizzes.schemas import QuizAuthorView, QuizTakerView
from brain_battles.quizzes.service import serialize_quiz

router = APIRouter(tags=["invitations"])

_MANAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The caller may see the quiz but is not its author or an admin."},
    404: {"description": "`quiz_not_found`: no such quiz, or the caller may not see it."},
}


def _to_read(entry: invitations.InvitationEntry) -> InvitationRead:
    invitation = entry.invitation
    accepted_by = None
    if entry.accepted_by is not None:
        accepted_by = UserSummary.model_validate(entry.accepted_by)
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        invited_at=invitation.created_at,
        sent_at=invitation.sent_at,
        expires_at=invitation.expires_at,
        accepted=invitation.accepted_at is not None,
        accepted_at=invitation.accepted_at,
        accepted_by=accepted_by,
    )


@router.post(
    "/quizzes/{quiz_id}/invitations",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InvitationBatch,
    responses={
        **_MANAGE_ERRORS,
        409: {"description": "`quiz_closed`: the quiz's `closes_at` has passed."},
        429: {"description": "Too many invitation emails this hour; see `Retry-After`."},
    },
)
async def create_invitations(
    quiz_id: uuid.UUID,
    body: InvitationCreate,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> InvitationBatch:
    """Invite up to 100 addresses. Each is emailed a link valid until `closes_at`, or 30 days."""
    entries, emailed = await invitations.invite(
        session, settings, limiter, quiz_id=quiz_id, inviter=user, emails=body.emails
    )
    return InvitationBatch(invitations=[_to_read(entry) for entry in entries], emailed=emailed)


@router.get(
    "/quizzes/{quiz_id}/invitations",
    response_model=Page[InvitationRead],
    responses=_MANAGE_ERRORS,
)
async def list_invitations(
    quiz_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    page: PageParamsDep,
    accepted: Annotated[
        bool | None, Query(description="Only accepted (`true`) or pending (`false`) ones.")
    ] = None,
) -> Page[InvitationRead]:
    """List who was invited to the quiz and who accepted, newest first."""
    entries, total = await invitations.list_invitations(
        session,
        quiz_id=quiz_id,
        user=user,
        accepted=accepted,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[InvitationRead](
        items=[_to_read(entry) for entry in entries],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "/invitations/{token}/accept",
    response_model=QuizAuthorView | QuizTakerView,
    responses={
        404: {
            "description": "`invitation_not_found`: the token is invalid or its invitation "
            "is gone; `quiz_not_found`: the quiz is not published."
        },
        409: {"description": "`invitation_already_accepted`: another account accepted it."},
        410: {"description": "`invitation_expired`: the invitation has expired."},
    },
)
async def accept_invitation(
    token: str, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> QuizAuthorView | QuizTakerView:
    """Accept an invitation to gain access to its quiz, and return the quiz.

    Invitees get the taker view; the author and staff, who may accept too, get the answer key
    as `GET /quizzes/{id}` gives it to them.
    """
    quiz = await invitations.accept(session, settings, token=token, user=user)
    return serialize_quiz(quiz, user)

"""Attempt endpoints, plus the leaderboard and statistics read from finished attempts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response, status

from brain_battles.attempts import service, stats
from brain_battles.attempts.errors import (
    AnswerLockedError,
    AttemptExpiredError,
    AttemptFinishedError,
    AttemptNotFoundError,
    DuplicateOptionError,
    DuplicateQuestionError,
    InvalidOptionError,
    QuizStatsForbiddenError,
    TooManyOptionsError,
)
from brain_battles.attempts.schemas import (
    AnswerIn,
    AnswerOut,
    AttemptOut,
    AttemptSummary,
    LeaderboardEntry,
    QuizStats,
    SubmitIn,
    SubmitResult,
    UserStats,
)
from brain_battles.attempts.views import answer_out, attempt_out, submit_result
from brain_battles.auth.dependencies import CurrentUser, StaffUser
from brain_battles.core.dependencies import SessionDep
from brain_battles.core.errors import AppError, NotAuthenticatedError, PermissionDeniedError
from brain_battles.core.pagination import Page, PageParamsDep
from brain_battles.core.timeutils import utcnow
from brain_battles.quizzes.access import can_see_answer_key
from brain_battles.quizzes.errors import (
    MaxAttemptsReachedError,
    QuestionNotFoundError,
    QuizClosedError,
    QuizNotFoundError,
    QuizNotOpenError,
)

router = APIRouter(tags=["attempts"])


def _errors(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """Describe the problem responses of an endpoint for OpenAPI, grouped by status."""
    codes: dict[int, list[str]] = {}
    for error in (NotAuthenticatedError, *errors):
        codes.setdefault(error.status_code, []).append(f"`{error.code}`")
    if 422 in codes:
        # Listing 422 replaces FastAPI's own entry for request validation, so name it here.
        codes[422].insert(0, "`validation_error`")
    return {
        status_code: {
            "description": "Problem details with `code` " + ", ".join(names),
            "content": {"application/problem+json": {}},
        }
        for status_code, names in codes.items()
    }


_ANSWER_ERRORS = (
    AttemptNotFoundError,
    QuestionNotFoundError,
    AttemptExpiredError,
    AttemptFinishedError,
    AnswerLockedError,
    InvalidOptionError,
    DuplicateOptionError,
    TooManyOptionsError,
)


@router.post(
    "/quizzes/{quiz_id}/attempts",
    status_code=status.HTTP_201_CREATED,
    response_model=AttemptOut,
    response_model_exclude_unset=True,
    responses={
        200: {"description": "The caller's attempt already in progress", "model": AttemptOut},
        **_errors(QuizNotFoundError, QuizNotOpenError, QuizClosedError, MaxAttemptsReachedError),
    },
)
async def start_attempt(
    quiz_id: uuid.UUID, session: SessionDep, user: CurrentUser, response: Response
) -> AttemptOut:
    """Start an attempt (201), or return the one already in progress (200)."""
    started = await service.start_attempt(session, quiz_id, user)
    if not started.created:
        response.status_code = status.HTTP_200_OK
    return attempt_out(started.attempt, started.quiz, user, full_access=False, now=utcnow())


@router.put(
    "/attempts/{attempt_id}/answers/{question_id}",
    response_model=AnswerOut,
    response_model_exclude_unset=True,
    responses=_errors(*_ANSWER_ERRORS),
)
async def save_answer(
    attempt_id: uuid.UUID,
    question_id: uuid.UUID,
    payload: AnswerIn,
    session: SessionDep,
    user: CurrentUser,
) -> AnswerOut:
    """Save or replace the answer to one question; immediate feedback comes back with it."""
    saved = await service.save_answer(session, attempt_id, question_id, payload.option_ids, user)
    return answer_out(saved.attempt, saved.answer, saved.question)


@router.post(
    "/attempts/{attempt_id}/submit",
    response_model=SubmitResult,
    responses=_errors(*_ANSWER_ERRORS, DuplicateQuestionError),
)
async def submit_attempt(
    attempt_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    payload: Annotated[SubmitIn | None, Body()] = None,
) -> SubmitResult:
    """Save any given answers, then grade and finish the attempt; a repeat returns the result."""
    answers = payload.answers if payload is not None else None
    attempt, quiz = await service.submit_attempt(session, attempt_id, user, answers)
    return submit_result(attempt, quiz, full_access=can_see_answer_key(quiz, user), now=utcnow())


@router.get(
    "/attempts/{attempt_id}",
    response_model=AttemptOut,
    response_model_exclude_unset=True,
    responses=_errors(AttemptNotFoundError),
)
async def read_attempt(attempt_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> AttemptOut:
    """Read an attempt's state, answers and, once finished, its result."""
    viewed = await service.get_attempt(session, attempt_id, user)
    return attempt_out(
        viewed.attempt,
        viewed.quiz,
        viewed.taker,
        full_access=viewed.full_access,
        now=utcnow(),
    )


@router.delete(
    "/attempts/{attempt_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_errors(PermissionDeniedError, AttemptNotFoundError),
)
async def delete_attempt(attempt_id: uuid.UUID, session: SessionDep, _staff: StaffUser) -> None:
    """Delete an attempt (moderators and admins)."""
    await service.delete_attempt(session, attempt_id)


@router.get("/users/me/attempts", response_model=Page[AttemptSummary], responses=_errors())
async def list_my_attempts(
    session: SessionDep, user: CurrentUser, page: PageParamsDep
) -> Page[AttemptSummary]:
    """List the caller's attempts, newest first."""
    rows, total = await service.list_user_attempts(
        session, user, limit=page.limit, offset=page.offset
    )
    items = [
        AttemptSummary(
            id=attempt.id,
            quiz_id=attempt.quiz_id,
            quiz_title=title,
            status=attempt.status,
            started_at=attempt.started_at,
            deadline=attempt.deadline,
            finished_at=attempt.finished_at,
            score=attempt.score,
            max_score=attempt.max_score,
            percentage=attempt.percentage,
            passed=attempt.passed,
        )
        for attempt, title in rows
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/users/me/stats", response_model=UserStats, responses=_errors())
async def read_my_stats(session: SessionDep, user: CurrentUser) -> UserStats:
    """Summarise the caller's finished attempts."""
    return await stats.user_stats(session, user)


@router.get(
    "/quizzes/{quiz_id}/leaderboard",
    response_model=Page[LeaderboardEntry],
    responses=_errors(QuizNotFoundError),
)
async def read_leaderboard(
    quiz_id: uuid.UUID, session: SessionDep, user: CurrentUser, page: PageParamsDep
) -> Page[LeaderboardEntry]:
    """Rank each user's best attempt: highest score, then shortest time, then earliest finish."""
    entries, total = await stats.leaderboard(
        session, quiz_id, user, limit=page.limit, offset=page.offset
    )
    return Page(items=entries, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/quizzes/{quiz_id}/stats",
    response_model=QuizStats,
    responses=_errors(QuizStatsForbiddenError, QuizNotFoundError),
)
async def read_quiz_stats(quiz_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> QuizStats:
    """Summarise a quiz's finished attempts (author, moderators and admins)."""
    return await stats.quiz_stats(session, quiz_id, user)

"""Loading an attempt with its quiz, and grading it into a finished state."""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from brain_battles.attempts.errors import AttemptNotFoundError
from brain_battles.attempts.grading import QuestionKey, grade_attempt, is_passed
from brain_battles.attempts.models import Attempt, AttemptStatus
from brain_battles.attempts.timing import effective_deadline, is_past
from brain_battles.quizzes.models import Option, Question, Quiz

logger = structlog.get_logger(__name__)

FINISHED_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)
# Overdue attempts of one user finished when that user reads a history or stats; the
# periodic job handles any beyond it.
OVERDUE_FINISH_LIMIT = 50


async def lock_attempt(session: AsyncSession, attempt_id: uuid.UUID) -> Attempt | None:
    """Load an attempt with its answers under a row lock held until the transaction ends.

    `populate_existing` refreshes a copy already in the session, so the status read after the
    lock is the one a concurrent request committed while this one waited.
    """
    return await session.scalar(
        select(Attempt)
        .where(Attempt.id == attempt_id)
        .options(selectinload(Attempt.answers))
        .with_for_update(of=Attempt)
        .execution_options(populate_existing=True)
    )


async def load_quiz_with_questions(session: AsyncSession, quiz_id: uuid.UUID) -> Quiz:
    """Load the quiz of an attempt with its questions and options (no visibility check).

    Raises `AttemptNotFoundError` if the quiz was deleted meanwhile, since its deletion also
    deletes the attempt.
    """
    quiz = await session.scalar(
        select(Quiz)
        .where(Quiz.id == quiz_id)
        .options(selectinload(Quiz.questions).selectinload(Question.options))
    )
    if quiz is None:
        raise AttemptNotFoundError()
    return quiz


def attempt_deadline_now(attempt: Attempt, quiz: Quiz) -> datetime | None:
    """Return the stored deadline, or the quiz's `closes_at` if it was moved before that."""
    return effective_deadline(attempt.deadline, quiz.closes_at)


def ordered_questions(attempt: Attempt, quiz: Quiz) -> list[Question]:
    """Return the attempt's questions in the order stored at its start."""
    by_id = {str(question.id): question for question in quiz.questions}
    return [by_id[question_id] for question_id in attempt.question_order if question_id in by_id]


def ordered_options(attempt: Attempt, question: Question) -> list[Option]:
    """Return a question's options in the order stored for this attempt."""
    order = attempt.option_order.get(str(question.id))
    if not order:
        return list(question.options)
    by_id = {str(option.id): option for option in question.options}
    listed = [by_id[option_id] for option_id in order if option_id in by_id]
    unlisted = [option for option in question.options if str(option.id) not in order]
    return listed + unlisted


def question_key(question: Question) -> QuestionKey:
    return QuestionKey(
        question_id=str(question.id),
        kind=question.kind,
        points=question.points,
        correct_option_ids=frozenset(
            str(option.id) for option in question.options if option.is_correct
        ),
    )


def finish_attempt(attempt: Attempt, quiz: Quiz, *, status: AttemptStatus, now: datetime) -> None:
    """Grade the saved answers and store the result on the attempt and on each answer.

    An expired attempt ends at its deadline rather than at `now`, because the worker may
    catch it up to a minute late and the leaderboard ranks by duration.
    """
    questions = ordered_questions(attempt, quiz)
    chosen = {str(answer.question_id): answer.option_ids for answer in attempt.answers}
    grade = grade_attempt([question_key(question) for question in questions], chosen)

    for answer in attempt.answers:
        answer_grade = grade.answers.get(str(answer.question_id))
        answer.is_correct = answer_grade.correct if answer_grade else False
        answer.points_awarded = answer_grade.points_awarded if answer_grade else 0

    finished_at = now
    deadline = attempt_deadline_now(attempt, quiz)
    if status == AttemptStatus.EXPIRED and deadline is not None:
        finished_at = min(now, deadline)
    attempt.status = status
    attempt.finished_at = finished_at
    duration = (finished_at - attempt.started_at).total_seconds()
    attempt.duration_seconds = round(max(0.0, duration), 3)
    attempt.score = grade.score
    attempt.max_score = grade.max_score
    attempt.percentage = grade.percentage
    attempt.passed = is_passed(grade.percentage, quiz.pass_percentage)
    attempt.correct_count = grade.correct_count
    attempt.question_count = grade.question_count
    logger.info(
        "attempt.finished",
        attempt_id=str(attempt.id),
        quiz_id=str(quiz.id),
        status=status.value,
        score=grade.score,
        max_score=grade.max_score,
    )


def finish_if_due(attempt: Attempt, quiz: Quiz, *, now: datetime) -> bool:
    """Finish an in-progress attempt as expired if its deadline has passed, and return whether."""
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return False
    if not is_past(attempt_deadline_now(attempt, quiz), now):
        return False
    finish_attempt(attempt, quiz, status=AttemptStatus.EXPIRED, now=now)
    return True


async def finish_due_attempts(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    user_id: uuid.UUID | None = None,
) -> tuple[int, list[str]]:
    """Finish up to `limit` in-progress attempts past their deadline, optionally of one user.

    Returns how many attempts were selected and the ids of those finished.
    """
    statement = (
        select(Attempt)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(
            Attempt.status == AttemptStatus.IN_PROGRESS,
            or_(Attempt.deadline <= now, Quiz.closes_at <= now),
        )
        .options(selectinload(Attempt.answers))
        .order_by(Attempt.deadline, Attempt.id)
        .limit(limit)
        # SKIP LOCKED leaves attempts that a request is answering or submitting right now to
        # that request, which re-checks the deadline itself under the same lock.
        .with_for_update(of=Attempt, skip_locked=True)
    )
    if user_id is not None:
        statement = statement.where(Attempt.user_id == user_id)
    attempts = (await session.scalars(statement)).all()

    quizzes: dict[uuid.UUID, Quiz] = {}
    finished_ids: list[str] = []
    for attempt in attempts:
        if attempt.quiz_id not in quizzes:
            quizzes[attempt.quiz_id] = await load_quiz_with_questions(session, attempt.quiz_id)
        if finish_if_due(attempt, quizzes[attempt.quiz_id], now=now):
            finished_ids.append(str(attempt.id))
    return len(attempts), finished_ids

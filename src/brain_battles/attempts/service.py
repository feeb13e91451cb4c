"""Starting, answering, submitting, reading and deleting attempts; callers own the transaction.

Every change to an attempt happens under its row lock (`lock_attempt`), and the status is
checked only after the lock is taken, so concurrent answers and submits of one attempt run one
after another and a finished attempt is never graded twice.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from brain_battles.attempts.errors import (
    AnswerLockedError,
    AttemptExpiredError,
    AttemptFinishedError,
    AttemptNotFoundError,
    DuplicateQuestionError,
)
from brain_battles.attempts.finishing import (
    FINISHED_STATUSES,
    OVERDUE_FINISH_LIMIT,
    attempt_deadline_now,
    finish_attempt,
    finish_due_attempts,
    finish_if_due,
    load_quiz_with_questions,
    lock_attempt,
    ordered_questions,
)
from brain_battles.attempts.grading import validate_choice
from brain_battles.attempts.models import Attempt, AttemptAnswer, AttemptStatus
from brain_battles.attempts.schemas import SubmittedAnswer
from brain_battles.attempts.timing import attempt_deadline, is_past
from brain_battles.core.timeutils import format_utc, utcnow
from brain_battles.quizzes.access import can_see_answer_key, get_visible_quiz
from brain_battles.quizzes.errors import (
    MaxAttemptsReachedError,
    QuestionNotFoundError,
    QuizClosedError,
    QuizNotOpenError,
)
from brain_battles.quizzes.models import FeedbackMode, Question, Quiz, QuizStatus
from brain_battles.users.models import User

_shuffler = random.SystemRandom()


@dataclass(frozen=True)
class StartedAttempt:
    attempt: Attempt
    quiz: Quiz
    created: bool


@dataclass(frozen=True)
class SavedAnswer:
    answer: AttemptAnswer
    question: Question
    attempt: Attempt
    quiz: Quiz


@dataclass(frozen=True)
class ViewedAttempt:
    attempt: Attempt
    quiz: Quiz
    taker: User
    full_access: bool


def _layout(quiz: Quiz) -> tuple[list[str], dict[str, list[str]]]:
    """Fix the question order and each question's option order for a new attempt."""
    questions = list(quiz.questions)
    if quiz.shuffle_questions:
        _shuffler.shuffle(questions)
    option_order = {}
    for question in questions:
        options = [str(option.id) for option in question.options]
        if quiz.shuffle_options:
            _shuffler.shuffle(options)
        option_order[str(question.id)] = options
    return [str(question.id) for question in questions], option_order


async def _lock_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    # FOR NO KEY UPDATE: it serialises one user's starts, so two concurrent requests cannot both
    # create an attempt, yet it does not block rows that merely reference the user.
    await session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


async def _lock_quiz_shared(session: AsyncSession, quiz_id: uuid.UUID) -> None:
    # FOR SHARE: many takers may start at once, but not while an editor has locked the quiz row
    # FOR UPDATE, so an attempt never starts on questions that are being changed.
    await session.execute(select(Quiz.id).where(Quiz.id == quiz_id).with_for_update(read=True))


async def _expire_due_and_find_current(
    session: AsyncSession, quiz: Quiz, user: User, now: datetime
) -> tuple[Attempt | None, bool]:
    """Finish the caller's overdue attempts at this quiz, then find one still in progress.

    Returns that attempt (or None) and whether any overdue attempt was finished.
    """
    open_attempts = (
        await session.scalars(
            select(Attempt)
            .where(
                Attempt.quiz_id == quiz.id,
                Attempt.user_id == user.id,
                Attempt.status == AttemptStatus.IN_PROGRESS,
            )
            .options(selectinload(Attempt.answers))
            .order_by(Attempt.started_at.desc())
            .with_for_update(of=Attempt)
            .execution_options(populate_existing=True)
        )
    ).all()
    current = None
    expired_any = False
    for attempt in open_attempts:
        if finish_if_due(attempt, quiz, now=now):
            expired_any = True
        elif current is None:
            current = attempt
    return current, expired_any


async def start_attempt(session: AsyncSession, quiz_id: uuid.UUID, user: User) -> StartedAttempt:
    """Start an attempt, or return the caller's attempt still in progress (`created` False).

    An in-progress attempt past its deadline is first finished as expired, and that change is
    kept even when the start is then refused.
    """
    await _lock_user(session, user.id)
    await _lock_quiz_shared(session, quiz_id)
    quiz = await get_visible_quiz(session, quiz_id, user, with_questions=True)
    if quiz.status != QuizStatus.PUBLISHED:
        raise QuizNotOpenError("The quiz is a draft, so it cannot be taken until it is published.")

    now = utcnow()
    current, expired_any = await _expire_due_and_find_current(session, quiz, user, now)
    if current is not None:
        return StartedAttempt(attempt=current, quiz=quiz, created=False)

    if quiz.opens_at is not None and now < quiz.opens_at:
        opens_at = format_utc(quiz.opens_at)
        raise QuizNotOpenError(keep_changes=expired_any, extra={"opens_at": opens_at})
    if quiz.closes_at is not None and now >= quiz.closes_at:
        raise QuizClosedError(keep_changes=expired_any)
    if quiz.max_attempts is not None:
        finished = await session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(
                Attempt.quiz_id == quiz.id,
                Attempt.user_id == user.id,
                Attempt.status.in_(FINISHED_STATUSES),
            )
        )
        if (finished or 0) >= quiz.max_attempts:
            raise MaxAttemptsReachedError(keep_changes=expired_any)

    question_order, option_order = _layout(quiz)
    attempt = Attempt(
        quiz_id=quiz.id,
        user_id=user.id,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline=attempt_deadline(now, quiz.time_limit_seconds, quiz.closes_at),
        question_order=question_order,
        option_order=option_order,
        answers=[],
    )
    session.add(attempt)
    await session.flush()

    return StartedAttempt(attempt=attempt, quiz=quiz, created=True)


async def _lock_own_attempt(
    session: AsyncSession, attempt_id: uuid.UUID, user: User
) -> tuple[Attempt, Quiz]:
    attempt = await lock_attempt(session, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise AttemptNotFoundError()
    quiz = await load_quiz_with_questions(session, attempt.quiz_id)

    return attempt, quiz


def _apply_answer(
    attempt: Attempt,
    quiz: Quiz,
    question_id: uuid.UUID,
    option_ids: Sequence[uuid.UUID],
    now: datetime,
) -> tuple[AttemptAnswer, Question]:
    """Save one answer on an open attempt, or raise the error the answer endpoint documents."""
    question = next(
        (item for item in ordered_questions(attempt, quiz) if item.id == question_id), None
    )
    if question is None:
        raise QuestionNotFoundError()
    answer = next((item for item in attempt.answers if item.question_id == question_id), None)
    if answer is not None and answer.feedback_shown:
        raise AnswerLockedError()
    chosen = [str(option_id) for option_id in option_ids]
    validate_choice(question.kind, chosen, {str(option.id) for option in question.options})

    if answer is None:
        answer = AttemptAnswer(question_id=question.id, option_ids=chosen, answered_at=now)
        attempt.answers.append(answer)
    else:
        answer.option_ids = chosen
        answer.answered_at = now
    # An empty answer reveals nothing, so it stays open even under immediate feedback.
    answer.feedback_shown = quiz.feedback == FeedbackMode.IMMEDIATE and bool(chosen)

    return answer, question


async def save_answer(
    session: AsyncSession,
    attempt_id: uuid.UUID,
    question_id: uuid.UUID,
    option_ids: Sequence[uuid.UUID],
    user: User,
) -> SavedAnswer:
    """Save or replace the caller's answer to one question of their open attempt.

    Past the deadline the attempt is finished as expired (kept) and `attempt_expired` raised.
    An empty `option_ids` clears the answer and, under immediate feedback, shows no feedback
    and does not lock the question.
    """
    attempt, quiz = await _lock_own_attempt(session, attempt_id, user)
    if attempt.status == AttemptStatus.SUBMITTED:
        raise AttemptFinishedError()
    if attempt.status == AttemptStatus.EXPIRED:
        raise AttemptExpiredError()
    now = utcnow()
    if finish_if_due(attempt, quiz, now=now):
        raise AttemptExpiredError()

    answer, question = _apply_answer(attempt, quiz, question_id, option_ids, now)
    await session.flush()

    return SavedAnswer(answer=answer, question=question, attempt=attempt, quiz=quiz)


async def submit_attempt(
    session: AsyncSession,
    attempt_id: uuid.UUID,
    user: User,
    answers: Sequence[SubmittedAnswer] | None,
) -> tuple[Attempt, Quiz]:
    """Save the given answers, then grade and finish the attempt.

    A submitted attempt is returned unchanged and any `answers` are ignored, so concurrent or
    repeated submits all get the one stored result. Past the deadline the attempt is finished
    as expired with the answers saved before it. Then `answers` in the body are rejected with
    `attempt_expired` (the expiry is kept), and a submit without them returns the result.
    """
    attempt, quiz = await _lock_own_attempt(session, attempt_id, user)
    if attempt.status == AttemptStatus.SUBMITTED:
        return attempt, quiz
    now = utcnow()
    if attempt.status == AttemptStatus.EXPIRED or finish_if_due(attempt, quiz, now=now):
        if answers:
            raise AttemptExpiredError("The deadline has passed, so these answers were not saved.")
        return attempt, quiz

    answers = answers or []
    question_ids = [answer.question_id for answer in answers]
    if len(set(question_ids)) != len(question_ids):
        raise DuplicateQuestionError()
    for submitted in answers:
        _apply_answer(attempt, quiz, submitted.question_id, submitted.option_ids, now)
    finish_attempt(attempt, quiz, status=AttemptStatus.SUBMITTED, now=now)
    await session.flush()

    return attempt, quiz


async def get_attempt(session: AsyncSession, attempt_id: uuid.UUID, user: User) -> ViewedAttempt:
    """Load an attempt for its taker, the quiz author or staff, and raise 404 for anyone else.

    An attempt found past its deadline is finished as expired first, so it never reads as in
    progress after its time is up.
    """
    attempt = await session.scalar(
        select(Attempt).where(Attempt.id == attempt_id).options(selectinload(Attempt.answers))
    )
    if attempt is None:
        raise AttemptNotFoundError()
    quiz = await load_quiz_with_questions(session, attempt.quiz_id)
    full_access = can_see_answer_key(quiz, user)
    if attempt.user_id != user.id and not full_access:
        raise AttemptNotFoundError()

    deadline = attempt_deadline_now(attempt, quiz)
    if attempt.status == AttemptStatus.IN_PROGRESS and is_past(deadline, utcnow()):
        locked = await lock_attempt(session, attempt_id)
        if locked is None:
            raise AttemptNotFoundError()
        finish_if_due(locked, quiz, now=utcnow())
        attempt = locked
    taker = await session.get(User, attempt.user_id)
    if taker is None:
        raise AttemptNotFoundError()

    return ViewedAttempt(attempt=attempt, quiz=quiz, taker=taker, full_access=full_access)


async def delete_attempt(session: AsyncSession, attempt_id: uuid.UUID) -> None:
    """Delete an attempt and its answers. The route has already checked the caller's role."""
    result = await session.execute(delete(Attempt).where(Attempt.id == attempt_id))
    if not result.rowcount:
        raise AttemptNotFoundError()


async def list_user_attempts(
    session: AsyncSession, user: User, *, limit: int, offset: int
) -> tuple[list[tuple[Attempt, str]], int]:
    """List the user's attempts, newest first, each with its quiz title.

    Overdue attempts are finished first, so none is listed as in progress past its deadline
    while it waits for the periodic job.
    """
    await finish_due_attempts(session, now=utcnow(), limit=OVERDUE_FINISH_LIMIT, user_id=user.id)
    total = await session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.user_id == user.id)
    )
    rows = (
        await session.execute(
            select(Attempt, Quiz.title)
            .join(Quiz, Quiz.id == Attempt.quiz_id)
            .where(Attempt.user_id == user.id)
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return [(attempt, title) for attempt, title in rows], total or 0

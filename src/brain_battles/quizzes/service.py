"""Quiz, question and option changes. Callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from brain_battles.attempts.models import Attempt
from brain_battles.core.errors import PermissionDeniedError
from brain_battles.core.timeutils import utcnow
from brain_battles.quizzes.access import (
    can_delete,
    can_edit,
    can_see_answer_key,
    get_visible_quiz,
    invitation_accepted_clause,
    is_staff,
    quiz_load_options,
)
from brain_battles.quizzes.errors import (
    QuizHasAttemptsError,
    QuizLockedError,
    QuizNotFoundError,
)
from brain_battles.quizzes.models import (
    Option,
    Question,
    Quiz,
    QuizStatus,
    QuizTag,
    Visibility,
)
from brain_battles.quizzes.rules import (
    LimitExceededError,
    ensure_publishable,
)
from brain_battles.quizzes.schemas import (
    QuestionIn,
    QuizAuthorView,
    QuizCreate,
    QuizTakerView,
    QuizUpdate,
)
from brain_battles.users.models import User
from brain_battles.users.service import escape_like


def serialize_quiz(quiz: Quiz, user: User) -> QuizAuthorView | QuizTakerView:
    """Build the view `user` may see of a quiz loaded with its questions and options."""
    if can_see_answer_key(quiz, user):
        return QuizAuthorView.from_loaded_quiz(quiz)
    return QuizTakerView.from_loaded_quiz(quiz)


async def load_quiz(session: AsyncSession, quiz_id: uuid.UUID) -> Quiz:
    """Flush pending changes and reload the quiz with everything a response shows."""
    await session.flush()
    quiz = await session.scalar(
        select(Quiz)
        .where(Quiz.id == quiz_id)
        .options(*quiz_load_options(with_questions=True))
        .execution_options(populate_existing=True)
    )
    if quiz is None:
        raise QuizNotFoundError()
    return quiz


def build_question(data: QuestionIn, *, position: int) -> Question:
    return Question(
        text=data.text,
        kind=data.kind,
        points=data.points,
        explanation=data.explanation or None,
        position=position,
        options=[
            Option(text=option.text, is_correct=option.is_correct, position=index)
            for index, option in enumerate(data.options)
        ],
    )


def _set_tags(quiz: Quiz, tags: Sequence[str]) -> None:
    # Unchanged tags keep their rows, because deleting and re-adding a row with the same
    # primary key in one flush is needless churn.
    requested = set(tags)
    for row in list(quiz.tag_rows):
        if row.tag not in requested:
            quiz.tag_rows.remove(row)
    present = {row.tag for row in quiz.tag_rows}
    for tag in tags:
        if tag not in present:
            quiz.tag_rows.append(QuizTag(tag=tag))


async def create_quiz(session: AsyncSession, author: User, data: QuizCreate) -> Quiz:
    """Create a draft owned by `author`, with the inline questions in their given order."""
    settings = data.model_dump(exclude={"tags", "questions"})
    quiz = Quiz(
        **settings,
        author_id=author.id,
        status=QuizStatus.DRAFT,
        questions=[
            build_question(question, position=index)
            for index, question in enumerate(data.questions)
        ],
    )
    _set_tags(quiz, data.tags)
    session.add(quiz)
    await session.flush()

    return await load_quiz(session, quiz.id)


def _visible_clause(user: User):
    """Feed condition: published public quizzes, own quizzes and accepted invitations."""
    return or_(
        Quiz.author_id == user.id,
        and_(
            Quiz.status == QuizStatus.PUBLISHED,
            or_(Quiz.visibility == Visibility.PUBLIC, invitation_accepted_clause(user.id)),
        ),
    )


async def list_quizzes(
    session: AsyncSession,
    user: User,
    *,
    mine: bool | None,
    query: str | None,
    tag: str | None,
    author: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Quiz, int]], int]:
    """Return one page of (quiz, question count) pairs, newest first, and the total."""
    statement = select(Quiz)
    if mine:
        statement = statement.where(Quiz.author_id == user.id)
    elif not (mine is False and is_staff(user)):
        statement = statement.where(_visible_clause(user))

    if query:
        pattern = f"%{escape_like(query.lower())}%"
        statement = statement.where(
            or_(
                func.lower(Quiz.title).like(pattern, escape="\\"),
                func.lower(Quiz.description).like(pattern, escape="\\"),
            )
        )
    if tag:
        statement = statement.where(
            exists().where(QuizTag.quiz_id == Quiz.id, QuizTag.tag == tag.strip().lower())
        )
    if author:
        statement = statement.where(_author_clause(author))

    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    quizzes = (
        await session.scalars(
            statement.options(*quiz_load_options(with_questions=False))
            .order_by(Quiz.created_at.desc(), Quiz.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    counts = await _question_counts(session, [quiz.id for quiz in quizzes])

    return [(quiz, counts.get(quiz.id, 0)) for quiz in quizzes], total or 0


def _author_clause(author: str):
    """Match the author by id when `author` parses as a UUID, otherwise by username."""
    author = author.strip()
    try:
        return Quiz.author_id == uuid.UUID(author)
    except ValueError:
        return Quiz.author_id.in_(select(User.id).where(User.username_key == author.lower()))


async def _question_counts(
    session: AsyncSession, quiz_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not quiz_ids:
        return {}
    rows = await session.execute(
        select(Question.quiz_id, func.count(Question.id))
        .where(Question.quiz_id.in_(quiz_ids))
        .group_by(Question.quiz_id)
    )
    return {quiz_id: count for quiz_id, count in rows}


async def get_quiz(session: AsyncSession, quiz_id: uuid.UUID, user: User) -> Quiz:
    return await get_visible_quiz(session, quiz_id, user, with_questions=True)


async def get_editable_quiz(session: AsyncSession, quiz_id: uuid.UUID, user: User) -> Quiz:
    """Load and lock a quiz the user may change: 404 if hidden from them, 403 if only visible."""
    quiz = await get_visible_quiz(session, quiz_id, user, with_questions=True, for_update=True)
    if not can_edit(quiz, user):
        raise PermissionDeniedError("Only the quiz author or an admin can change this quiz.")
    return quiz


def ensure_unlocked(quiz: Quiz) -> None:
    if quiz.editable_until is not None and utcnow() >= quiz.editable_until:
        raise QuizLockedError()


async def ensure_no_attempts(session: AsyncSession, quiz: Quiz) -> None:
    found = await session.scalar(select(Attempt.id).where(Attempt.quiz_id == quiz.id).limit(1))
    if found is not None:
        raise QuizHasAttemptsError()


async def update_quiz(
    session: AsyncSession, quiz_id: uuid.UUID, user: User, data: QuizUpdate
) -> Quiz:
    """Apply the fields present in `data`, checking the schedule against the stored values."""
    quiz = await get_editable_quiz(session, quiz_id, user)
    ensure_unlocked(quiz)

    changes = data.model_dump(exclude_unset=True)
    tags = changes.pop("tags", None)
    opens_at = changes.get("opens_at", quiz.opens_at)
    closes_at = changes.get("closes_at", quiz.closes_at)
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise LimitExceededError(
            "closes_at must be later than opens_at.",
            loc=["body", "closes_at" if "closes_at" in changes else "opens_at"],
            error_type="schedule_order",
        )

    for name, value in changes.items():
        setattr(quiz, name, value)
    if tags is not None:
        _set_tags(quiz, tags)
    quiz.updated_at = utcnow()

    return await load_quiz(session, quiz.id)


async def get_exportable_quiz(session: AsyncSession, quiz_id: uuid.UUID, user: User) -> Quiz:
    """Load a quiz with its answer key for export: author, moderators and admins only."""
    quiz = await get_visible_quiz(session, quiz_id, user, with_questions=True)
    if not can_see_answer_key(quiz, user):
        raise PermissionDeniedError(
            "Only the quiz author, a moderator or an admin can export this quiz."
        )
    return quiz


async def delete_quiz(session: AsyncSession, quiz_id: uuid.UUID, user: User) -> None:
    quiz = await get_visible_quiz(session, quiz_id, user)
    if not can_delete(quiz, user):
        raise PermissionDeniedError(
            "Only the quiz author, a moderator or an admin can delete this quiz."
        )
    await session.delete(quiz)
    await session.flush()


async def publish_quiz(session: AsyncSession, quiz_id: uuid.UUID, user: User) -> Quiz:
    """Publish a complete quiz. Publishing an already published quiz changes nothing."""
    quiz = await get_editable_quiz(session, quiz_id, user)
    if quiz.status == QuizStatus.PUBLISHED:
        return quiz

    ensure_publishable(quiz)
    now = utcnow()
    quiz.status = QuizStatus.PUBLISHED
    quiz.published_at = now
    quiz.updated_at = now

    return await load_quiz(session, quiz.id)

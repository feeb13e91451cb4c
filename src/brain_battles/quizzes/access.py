"""Rules for seeing, editing and taking a quiz, kept in this one module."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from brain_battles.quizzes.errors import QuizNotFoundError
from brain_battles.quizzes.models import (
    Question,
    Quiz,
    QuizInvitation,
    QuizStatus,
    Visibility,
)
from brain_battles.users.models import STAFF_ROLES, Role, User


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


def is_author(quiz: Quiz, user: User) -> bool:
    return quiz.author_id == user.id


def can_see_answer_key(quiz: Quiz, user: User) -> bool:
    return is_author(quiz, user) or is_staff(user)


def can_edit(quiz: Quiz, user: User) -> bool:
    return is_author(quiz, user) or user.role == Role.ADMIN


def can_delete(quiz: Quiz, user: User) -> bool:
    return is_author(quiz, user) or is_staff(user)


def invitation_accepted_clause(user_id: uuid.UUID):
    """SQL condition: `user_id` accepted an invitation to the quiz in the outer query."""
    return exists().where(
        QuizInvitation.quiz_id == Quiz.id, QuizInvitation.accepted_by_id == user_id
    )


async def has_accepted_invitation(
    session: AsyncSession, quiz_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(QuizInvitation.id)
        .where(QuizInvitation.quiz_id == quiz_id, QuizInvitation.accepted_by_id == user_id)
        .limit(1)
    )
    return found is not None


async def can_view(session: AsyncSession, quiz: Quiz, user: User) -> bool:
    """Drafts: author and staff. Private: also invitees who accepted. Public: everyone."""
    if can_see_answer_key(quiz, user):
        return True
    if quiz.status != QuizStatus.PUBLISHED:
        return False
    if quiz.visibility == Visibility.PUBLIC:
        return True
    return await has_accepted_invitation(session, quiz.id, user.id)


def quiz_load_options(*, with_questions: bool):
    options = [selectinload(Quiz.author), selectinload(Quiz.tag_rows)]
    if with_questions:
        options.append(selectinload(Quiz.questions).selectinload(Question.options))
    return options


async def get_visible_quiz(
    session: AsyncSession,
    quiz_id: uuid.UUID,
    user: User,
    *,
    with_questions: bool = False,
    for_update: bool = False,
) -> Quiz:
    """Load a quiz the user may see, or raise 404 as if it did not exist."""
    statement = (
        select(Quiz)
        .where(Quiz.id == quiz_id)
        .options(*quiz_load_options(with_questions=with_questions))
    )
    if for_update:
        statement = statement.with_for_update(of=Quiz)
    quiz = await session.scalar(statement)
    if quiz is None or not await can_view(session, quiz, user):
        raise QuizNotFoundError()
    return quiz

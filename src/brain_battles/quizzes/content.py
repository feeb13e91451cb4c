"""Questions and options of a quiz: add, change, move and delete them."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from brain_battles.core.timeutils import utcnow
from brain_battles.quizzes.errors import OptionNotFoundError, QuestionNotFoundError
from brain_battles.quizzes.models import Option, Question, Quiz
from brain_battles.quizzes.rules import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    LimitExceededError,
    ensure_still_publishable,
    mark_only_correct,
    place_at,
    renumber,
)
from brain_battles.quizzes.schemas import (
    OptionCreate,
    OptionUpdate,
    QuestionCreate,
    QuestionUpdate,
)
from brain_battles.quizzes.service import (
    build_question,
    ensure_no_attempts,
    ensure_unlocked,
    get_editable_quiz,
)
from brain_battles.users.models import User


async def _ensure_content_editable(session: AsyncSession, quiz: Quiz) -> None:
    ensure_unlocked(quiz)
    await ensure_no_attempts(session, quiz)


async def _finish_content_change(session: AsyncSession, quiz: Quiz) -> None:
    """Re-check a published quiz after a question or option change, then write the change."""
    ensure_still_publishable(quiz)
    quiz.updated_at = utcnow()
    await session.flush()


def _find_question(quiz: Quiz, question_id: uuid.UUID) -> Question:
    for question in quiz.questions:
        if question.id == question_id:
            return question
    raise QuestionNotFoundError()


def _find_option(question: Question, option_id: uuid.UUID) -> Option:
    for option in question.options:
        if option.id == option_id:
            return option
    raise OptionNotFoundError()


async def add_question(
    session: AsyncSession, quiz_id: uuid.UUID, user: User, data: QuestionCreate
) -> Question:
    """Insert a question at `data.position` (last when omitted), shifting later ones down."""
    quiz = await get_editable_quiz(session, quiz_id, user)
    await _ensure_content_editable(session, quiz)
    if len(quiz.questions) >= MAX_QUESTIONS:
        raise LimitExceededError(
            f"A quiz has at most {MAX_QUESTIONS} questions.",
            loc=["body"],
            error_type="too_many_questions",
        )

    question = build_question(data, position=len(quiz.questions))
    quiz.questions.append(question)
    place_at(quiz.questions, question, data.position)
    await _finish_content_change(session, quiz)

    return question


async def update_question(
    session: AsyncSession,
    quiz_id: uuid.UUID,
    question_id: uuid.UUID,
    user: User,
    data: QuestionUpdate,
) -> Question:
    quiz = await get_editable_quiz(session, quiz_id, user)
    question = _find_question(quiz, question_id)
    await _ensure_content_editable(session, quiz)

    changes = data.model_dump(exclude_unset=True)
    position = changes.pop("position", None)
    if "explanation" in changes:
        changes["explanation"] = changes["explanation"] or None
    for name, value in changes.items():
        setattr(question, name, value)
    if position is not None:
        place_at(quiz.questions, question, position)
    await _finish_content_change(session, quiz)

    return question


async def delete_question(
    session: AsyncSession, quiz_id: uuid.UUID, question_id: uuid.UUID, user: User
) -> None:
    """Delete a question and close the gap it leaves in the positions."""
    quiz = await get_editable_quiz(session, quiz_id, user)
    question = _find_question(quiz, question_id)
    await _ensure_content_editable(session, quiz)

    quiz.questions.remove(question)
    renumber(quiz.questions)
    await _finish_content_change(session, quiz)


async def add_option(
    session: AsyncSession,
    quiz_id: uuid.UUID,
    question_id: uuid.UUID,
    user: User,
    data: OptionCreate,
) -> Option:
    """Insert an option at `data.position` (last when omitted), shifting later ones down."""
    quiz = await get_editable_quiz(session, quiz_id, user)
    question = _find_question(quiz, question_id)
    await _ensure_content_editable(session, quiz)
    if len(question.options) >= MAX_OPTIONS:
        raise LimitExceededError(
            f"A question has at most {MAX_OPTIONS} options.",
            loc=["body"],
            error_type="too_many_options",
        )

    option = Option(text=data.text, is_correct=data.is_correct, position=len(question.options))
    question.options.append(option)
    place_at(question.options, option, data.position)
    mark_only_correct(question, option)
    await _finish_content_change(session, quiz)

    return option


async def update_option(
    session: AsyncSession,
    quiz_id: uuid.UUID,
    question_id: uuid.UUID,
    option_id: uuid.UUID,
    user: User,
    data: OptionUpdate,
) -> Option:
    quiz = await get_editable_quiz(session, quiz_id, user)
    question = _find_question(quiz, question_id)
    option = _find_option(question, option_id)
    await _ensure_content_editable(session, quiz)

    changes = data.model_dump(exclude_unset=True)
    position = changes.pop("position", None)
    for name, value in changes.items():
        setattr(option, name, value)
    if position is not None:
        place_at(question.options, option, position)
    if changes.get("is_correct"):
        mark_only_correct(question, option)
    await _finish_content_change(session, quiz)

    return option


async def delete_option(
    session: AsyncSession,
    quiz_id: uuid.UUID,
    question_id: uuid.UUID,
    option_id: uuid.UUID,
    user: User,
) -> None:
    quiz = await get_editable_quiz(session, quiz_id, user)
    question = _find_question(quiz, question_id)
    option = _find_option(question, option_id)
    await _ensure_content_editable(session, quiz)

    question.options.remove(option)
    renumber(question.options)
    await _finish_content_change(session, quiz)

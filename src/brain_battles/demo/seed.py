"""Load the demo quizzes from `quizzes.json` and store them under a demo author account.

Seeding is idempotent: the author is looked up by email and each quiz by its title among that
author's quizzes, so a second run adds only what is missing and changes nothing that exists.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brain_battles.core.timeutils import utcnow
from brain_battles.quizzes.models import (
    FeedbackMode,
    Option,
    Question,
    QuestionKind,
    Quiz,
    QuizStatus,
    QuizTag,
    Visibility,
)
from brain_battles.users.models import User
from brain_battles.users.service import create_user, find_by_email

DEMO_AUTHOR_EMAIL = "demo-author@example.com"
DEMO_AUTHOR_USERNAME = "quizmaster"
DEMO_DATA_FILE = "quizzes.json"

MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_TAG_LENGTH = 32


class _DemoModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DemoOption(_DemoModel):
    text: str = Field(min_length=1, max_length=500)
    correct: bool = False


class DemoQuestion(_DemoModel):
    """A question as written in the data file.

    A `true_false` question gives `answer` and gets the options "True" and "False". The other
    kinds list their `options` and mark the correct ones.
    """

    kind: QuestionKind
    text: str = Field(min_length=1, max_length=2000)
    explanation: str | None = None
    points: int = Field(default=1, ge=1)
    options: list[DemoOption] | None = None
    answer: bool | None = None

    @model_validator(mode="after")
    def _check_options(self) -> DemoQuestion:
        if self.kind == QuestionKind.TRUE_FALSE:
            if self.answer is None or self.options is not None:
                raise ValueError("a true_false question needs `answer` and no `options`")
            return self
        if self.answer is not None:
            raise ValueError(f"`answer` is only for true_false questions, not {self.kind}")
        options = self.options or []
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise ValueError(f"a question needs {MIN_OPTIONS} to {MAX_OPTIONS} options")
        correct_count = sum(option.correct for option in options)
        if self.kind == QuestionKind.SINGLE and correct_count != 1:
            raise ValueError("a single question needs exactly one correct option")
        if self.kind == QuestionKind.MULTIPLE and correct_count < 1:
            raise ValueError("a multiple question needs at least one correct option")

        return self

    def option_list(self) -> list[DemoOption]:
        if self.kind == QuestionKind.TRUE_FALSE:
            return [
                DemoOption(text="True", correct=self.answer is True),
                DemoOption(text="False", correct=self.answer is False),
            ]
        return list(self.options or [])


class DemoQuiz(_DemoModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    tags: list[str] = Field(default_factory=list)
    feedback: FeedbackMode = FeedbackMode.ON_SUBMIT
    time_limit_seconds: int | None = Field(default=None, ge=10, le=86400)
    pass_percentage: float | None = Field(default=None, ge=0, le=100)
    shuffle_questions: bool = False
    shuffle_options: bool = False
    questions: list[DemoQuestion] = Field(min_length=1)

    @field_validator("tags")
    @classmethod
    def _normalize_tags(cls, tags: list[str]) -> list[str]:
        normalized = [tag.strip().lower() for tag in tags]
        for tag in normalized:
            if not 1 <= len(tag) <= MAX_TAG_LENGTH:
                raise ValueError(f"tag {tag!r} must be 1 to {MAX_TAG_LENGTH} characters")
        # The tag and the quiz id form the primary key of quiz_tags, so duplicates are dropped.
        return list(dict.fromkeys(normalized))


class DemoCatalog(_DemoModel):
    version: Literal[1]
    quizzes: list[DemoQuiz] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_unique_titles(self) -> DemoCatalog:
        titles = [quiz.title for quiz in self.quizzes]
        if len(titles) != len(set(titles)):
            raise ValueError("quiz titles must be unique, because seeding matches quizzes by title")
        return self


def load_demo_catalog() -> DemoCatalog:
    """Read and validate the packaged data file, raising pydantic.ValidationError if invalid."""
    text = resources.files(__package__).joinpath(DEMO_DATA_FILE).read_text(encoding="utf-8")
    return DemoCatalog.model_validate_json(text)


@dataclass
class SeedResult:
    author: User
    # Set only when this run created the author: the one time the password can be shown.
    new_author_password: str | None
    created_quizzes: list[Quiz] = field(default_factory=list)
    existing_quizzes: dict[str, uuid.UUID] = field(default_factory=dict)


def build_quiz(demo_quiz: DemoQuiz, *, author_id: uuid.UUID) -> Quiz:
    """Build a published public quiz with its tags, questions and options, not yet added."""
    questions = []
    for question_position, demo_question in enumerate(demo_quiz.questions):
        options = [
            Option(text=option.text, is_correct=option.correct, position=option_position)
            for option_position, option in enumerate(demo_question.option_list())
        ]
        questions.append(
            Question(
                text=demo_question.text,
                kind=demo_question.kind,
                points=demo_question.points,
                explanation=demo_question.explanation,
                position=question_position,
                options=options,
            )
        )

    return Quiz(
        author_id=author_id,
        title=demo_quiz.title,
        description=demo_quiz.description,
        visibility=Visibility.PUBLIC,
        status=QuizStatus.PUBLISHED,
        published_at=utcnow(),
        feedback=demo_quiz.feedback,
        time_limit_seconds=demo_quiz.time_limit_seconds,
        pass_percentage=demo_quiz.pass_percentage,
        shuffle_questions=demo_quiz.shuffle_questions,
        shuffle_options=demo_quiz.shuffle_options,
        tag_rows=[QuizTag(tag=tag) for tag in demo_quiz.tags],
        questions=questions,
    )


async def seed_demo(
    session: AsyncSession, *, catalog: DemoCatalog, password: str | None = None
) -> SeedResult:
    """Create the demo author and every catalog quiz that it lacks. The caller commits.

    `password` is used only when the author is created; without one a random password is made.
    Raises UsernameTakenError if another account already has the demo username.
    """
    author = await find_by_email(session, DEMO_AUTHOR_EMAIL)
    new_author_password = None
    if author is None:
        new_author_password = password or secrets.token_urlsafe(12)
        author = await create_user(
            session,
            email=DEMO_AUTHOR_EMAIL,
            username=DEMO_AUTHOR_USERNAME,
            password=new_author_password,
            verified=True,
        )

    rows = await session.execute(select(Quiz.title, Quiz.id).where(Quiz.author_id == author.id))
    existing_ids = {title: quiz_id for title, quiz_id in rows.tuples()}
    result = SeedResult(author=author, new_author_password=new_author_password)
    for demo_quiz in catalog.quizzes:
        if demo_quiz.title in existing_ids:
            result.existing_quizzes[demo_quiz.title] = existing_ids[demo_quiz.title]
            continue
        quiz = build_quiz(demo_quiz, author_id=author.id)
        session.add(quiz)
        result.created_quizzes.append(quiz)

    await session.flush()
    return result

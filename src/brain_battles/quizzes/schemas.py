"""Request and response bodies of the quiz endpoints.

Two families of response models exist on purpose: the author view carries the answer key
(`is_correct`, `explanation`) and the taker view has no such keys at all, so a taker can never
receive them by accident.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
    model_validator,
)

from brain_battles.core.schemas import RequestModel
from brain_battles.core.timeutils import UTCTimestamp, UTCTimestampIn, format_utc
from brain_battles.quizzes.models import (
    FeedbackMode,
    Option,
    Question,
    QuestionKind,
    Quiz,
    QuizStatus,
    Visibility,
)
from brain_battles.quizzes.rules import MAX_OPTIONS, MAX_QUESTIONS

MAX_TAGS = 20
MAX_POINTS = 1000
MAX_ATTEMPTS_LIMIT = 1000


def _reject_nul(value: str) -> str:
    # PostgreSQL text cannot store NUL, so it would fail inside the database instead of here.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _reject_control_characters(value: str) -> str:
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise ValueError("must not contain control characters or line breaks")
    return value


def _dedupe_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_reject_control_characters),
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=5000), AfterValidator(_reject_nul)
]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=32),
    AfterValidator(_reject_control_characters),
]
Tags = Annotated[
    list[Tag],
    Field(max_length=MAX_TAGS, description="At most 20, lower-cased and deduplicated."),
    AfterValidator(_dedupe_tags),
]
TimeLimit = Annotated[
    int, Field(ge=10, le=86400, description="Seconds, or null for an untimed quiz.")
]
MaxAttempts = Annotated[
    int, Field(ge=1, le=MAX_ATTEMPTS_LIMIT, description="Attempts per user, or null for unlimited.")
]
PassPercentage = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
TimestampIn = UTCTimestampIn
# Accepts only timestamps with an offset and writes them back with `Z`, so one model can both
# read an import document and write an export document.
ScheduleTimestamp = Annotated[
    TimestampIn, PlainSerializer(format_utc, return_type=str, when_used="json")
]

QuestionText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_reject_nul),
]
Explanation = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=5000), AfterValidator(_reject_nul)
]
Points = Annotated[int, Field(ge=0, le=MAX_POINTS)]
OptionText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_reject_nul),
]
Position = Annotated[
    int,
    Field(ge=0, le=10_000, description="0-based. A position past the end places the item last."),
]


def _reject_null(value: Any, field_name: str) -> Any:
    if value is None:
        raise ValueError(f"{field_name} may be omitted but not null")
    return value


class OptionIn(RequestModel):
    """An option sent inline with its question, placed by its order in the list."""

    text: OptionText
    is_correct: bool = False


class QuestionIn(RequestModel):
    """A question sent inline with its quiz, placed by its order in the list."""

    text: QuestionText
    kind: QuestionKind
    points: Points = 1
    explanation: Explanation | None = None
    options: list[OptionIn] = Field(default_factory=list, max_length=MAX_OPTIONS)


class QuestionCreate(QuestionIn):
    position: Position | None = None


class QuestionUpdate(RequestModel):
    text: QuestionText | None = None
    kind: QuestionKind | None = None
    points: Points | None = None
    explanation: Explanation | None = None
    position: Position | None = None

    @field_validator("text", "kind", "points", "position")
    @classmethod
    def _not_null(cls, value: Any, info: Any) -> Any:
        return _reject_null(value, info.field_name)


class OptionCreate(OptionIn):
    position: Position | None = None


class OptionUpdate(RequestModel):
    text: OptionText | None = None
    is_correct: bool | None = None
    position: Position | None = None

    @field_validator("text", "is_correct", "position")
    @classmethod
    def _not_null(cls, value: Any, info: Any) -> Any:
        return _reject_null(value, info.field_name)


class QuizSettings(RequestModel):
    """Every quiz field a client sets. `status` changes only through publishing."""

    title: Title
    description: Description = ""
    visibility: Visibility = Visibility.PUBLIC
    tags: Tags = Field(default_factory=list)
    time_limit_seconds: TimeLimit | None = None
    opens_at: ScheduleTimestamp | None = None
    closes_at: ScheduleTimestamp | None = None
    editable_until: ScheduleTimestamp | None = None
    max_attempts: MaxAttempts | None = None
    shuffle_questions: bool = False
    shuffle_options: bool = False
    feedback: FeedbackMode = FeedbackMode.ON_SUBMIT
    pass_percentage: PassPercentage | None = None

    @model_validator(mode="after")
    def _check_schedule(self) -> QuizSettings:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be later than opens_at")
        return self


class QuizCreate(QuizSettings):
    questions: list[QuestionIn] = Field(default_factory=list, max_length=MAX_QUESTIONS)


class QuizUpdate(RequestModel):
    """A partial update: only the fields present in the body change."""

    title: Title | None = None
    description: Description | None = None
    visibility: Visibility | None = None
    tags: Tags | None = None
    time_limit_seconds: TimeLimit | None = None
    opens_at: TimestampIn | None = None
    closes_at: TimestampIn | None = None
    editable_until: TimestampIn | None = None
    max_attempts: MaxAttempts | None = None
    shuffle_questions: bool | None = None
    shuffle_options: bool | None = None
    feedback: FeedbackMode | None = None
    pass_percentage: PassPercentage | None = None

    @field_validator(
        "title",
        "description",
        "visibility",
        "tags",
        "shuffle_questions",
        "shuffle_options",
        "feedback",
    )
    @classmethod
    def _not_null(cls, value: Any, info: Any) -> Any:
        return _reject_null(value, info.field_name)


class AuthorOut(BaseModel):
    id: uuid.UUID
    username: str


class OptionTakerView(BaseModel):
    id: uuid.UUID
    text: str
    position: int

    @classmethod
    def from_option(cls, option: Option) -> OptionTakerView:
        return cls(id=option.id, text=option.text, position=option.position)


class OptionAuthorView(BaseModel):
    id: uuid.UUID
    text: str
    is_correct: bool
    position: int

    @classmethod
    def from_option(cls, option: Option) -> OptionAuthorView:
        return cls(
            id=option.id, text=option.text, is_correct=option.is_correct, position=option.position
        )


class QuestionTakerView(BaseModel):
    id: uuid.UUID
    text: str
    kind: QuestionKind
    points: int
    position: int
    options: list[OptionTakerView]

    @classmethod
    def from_question(cls, question: Question) -> QuestionTakerView:
        return cls(
            id=question.id,
            text=question.text,
            kind=question.kind,
            points=question.points,
            position=question.position,
            options=[OptionTakerView.from_option(option) for option in question.options],
        )


class QuestionAuthorView(BaseModel):
    id: uuid.UUID
    text: str
    kind: QuestionKind
    points: int
    explanation: str | None
    position: int
    options: list[OptionAuthorView]

    @classmethod
    def from_question(cls, question: Question) -> QuestionAuthorView:
        return cls(
            id=question.id,
            text=question.text,
            kind=question.kind,
            points=question.points,
            explanation=question.explanation,
            position=question.position,
            options=[OptionAuthorView.from_option(option) for option in question.options],
        )


class QuizSummary(BaseModel):
    """A quiz without its questions, as listed by `GET /quizzes`."""

    id: uuid.UUID
    title: str
    description: str
    visibility: Visibility
    tags: list[str]
    time_limit_seconds: int | None
    opens_at: UTCTimestamp | None
    closes_at: UTCTimestamp | None
    editable_until: UTCTimestamp | None
    max_attempts: int | None
    shuffle_questions: bool
    shuffle_options: bool
    feedback: FeedbackMode
    pass_percentage: float | None
    status: QuizStatus
    published_at: UTCTimestamp | None
    author: AuthorOut
    question_count: int
    created_at: UTCTimestamp
    updated_at: UTCTimestamp

    @classmethod
    def from_quiz(cls, quiz: Quiz, *, question_count: int) -> QuizSummary:
        return cls(**quiz_fields(quiz, question_count=question_count))


class QuizTakerView(QuizSummary):
    """A quiz as a taker sees it: no `is_correct` and no `explanation` anywhere."""

    questions: list[QuestionTakerView]

    @classmethod
    def from_loaded_quiz(cls, quiz: Quiz) -> QuizTakerView:
        return cls(
            **quiz_fields(quiz, question_count=len(quiz.questions)),
            questions=[QuestionTakerView.from_question(question) for question in quiz.questions],
        )


class QuizAuthorView(QuizSummary):
    """A quiz with its answer key, for the author, moderators and admins."""

    questions: list[QuestionAuthorView]

    @classmethod
    def from_loaded_quiz(cls, quiz: Quiz) -> QuizAuthorView:
        return cls(
            **quiz_fields(quiz, question_count=len(quiz.questions)),
            questions=[QuestionAuthorView.from_question(question) for question in quiz.questions],
        )


def quiz_fields(quiz: Quiz, *, question_count: int) -> dict[str, Any]:
    """Collect the summary fields of a quiz loaded with its author and tags."""
    return {
        "id": quiz.id,
        "title": quiz.title,
        "description": quiz.description,
        "visibility": quiz.visibility,
        "tags": sorted(quiz.tags),
        "time_limit_seconds": quiz.time_limit_seconds,
        "opens_at": quiz.opens_at,
        "closes_at": quiz.closes_at,
        "editable_until": quiz.editable_until,
        "max_attempts": quiz.max_attempts,
        "shuffle_questions": quiz.shuffle_questions,
        "shuffle_options": quiz.shuffle_options,
        "feedback": quiz.feedback,
        "pass_percentage": quiz.pass_percentage,
        "status": quiz.status,
        "published_at": quiz.published_at,
        "author": AuthorOut(id=quiz.author.id, username=quiz.author.username),
        "question_count": question_count,
        "created_at": quiz.created_at,
        "updated_at": quiz.updated_at,
    }

"""The versioned export document of a quiz, and reading it back for an import.

The document contains settings, questions and options in order, with the answer key, but no ids
or timestamps of this database, so it can be imported into any Brain Battles instance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from brain_battles.core.errors import UnprocessableError
from brain_battles.core.timeutils import UTCTimestamp, utcnow
from brain_battles.quizzes.models import Quiz
from brain_battles.quizzes.rules import MAX_QUESTIONS, option_rule_violations
from brain_battles.quizzes.schemas import OptionIn, QuestionIn, QuizCreate, QuizSettings

DOCUMENT_FORMAT = "brain-battles.quiz"
DOCUMENT_VERSION = 1
ENVELOPE_KEYS = frozenset({"format", "version", "exported_at", "quiz"})


class InvalidImportError(UnprocessableError):
    code = "invalid_import"
    title = "Invalid import document"
    detail = "The document cannot be imported. See `problems` for each defect."


@dataclass(frozen=True)
class ImportProblem:
    """One defect of an import document, with `position` the question's index or None."""

    position: int | None
    loc: list[str | int]
    message: str


class DocumentQuiz(QuizSettings):
    questions: list[QuestionIn] = Field(default_factory=list, max_length=MAX_QUESTIONS)


class QuizDocument(BaseModel):
    """A quiz as exported, which `POST /quizzes/import` reads back."""

    format: Literal["brain-battles.quiz"] = DOCUMENT_FORMAT
    version: Literal[1] = DOCUMENT_VERSION
    exported_at: UTCTimestamp
    quiz: DocumentQuiz


def export_document(quiz: Quiz) -> QuizDocument:
    """Build the document of a quiz loaded with its questions and options."""
    questions = [
        QuestionIn(
            text=question.text,
            kind=question.kind,
            points=question.points,
            explanation=question.explanation,
            options=[
                OptionIn(text=option.text, is_correct=option.is_correct)
                for option in question.options
            ],
        )
        for question in quiz.questions
    ]
    return QuizDocument(
        exported_at=utcnow(),
        quiz=DocumentQuiz(
            title=quiz.title,
            description=quiz.description,
            visibility=quiz.visibility,
            tags=sorted(quiz.tags),
            time_limit_seconds=quiz.time_limit_seconds,
            opens_at=quiz.opens_at,
            closes_at=quiz.closes_at,
            editable_until=quiz.editable_until,
            max_attempts=quiz.max_attempts,
            shuffle_questions=quiz.shuffle_questions,
            shuffle_options=quiz.shuffle_options,
            feedback=quiz.feedback,
            pass_percentage=quiz.pass_percentage,
            questions=questions,
        ),
    )


def _reject(problems: list[ImportProblem]) -> InvalidImportError:
    return InvalidImportError(extra={"problems": [asdict(problem) for problem in problems]})


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_envelope(document: dict[str, Any]) -> list[ImportProblem]:
    problems = []
    document_format = document.get("format")
    if document_format != DOCUMENT_FORMAT:
        problems.append(
            ImportProblem(
                position=None,
                loc=["format"],
                message=f"unknown format {_short_repr(document_format)}, "
                f"expected {DOCUMENT_FORMAT!r}",
            )
        )
    version = document.get("version")
    # `True == 1` in Python, so the type is checked as well as the value.
    if type(version) is not int or version != DOCUMENT_VERSION:
        problems.append(
            ImportProblem(
                position=None,
                loc=["version"],
                message=f"unsupported version {_short_repr(version)}, expected 1",
            )
        )
    for key in sorted(set(document) - ENVELOPE_KEYS):
        problems.append(ImportProblem(position=None, loc=[key], message="unknown field"))
    if not isinstance(document.get("quiz"), dict):
        problems.append(ImportProblem(position=None, loc=["quiz"], message="must be an object"))
    return problems


def _settings_problems(
    raw_quiz: dict[str, Any],
) -> tuple[QuizSettings | None, list[ImportProblem]]:
    raw_settings = {key: value for key, value in raw_quiz.items() if key != "questions"}
    try:
        return QuizSettings.model_validate(raw_settings), []
    except ValidationError as exc:
        return None, [
            ImportProblem(position=None, loc=["quiz", *error["loc"]], message=error["msg"])
            for error in exc.errors()
        ]


def _question_problems(
    index: int, raw_question: Any
) -> tuple[QuestionIn | None, list[ImportProblem]]:
    loc: list[str | int] = ["quiz", "questions", index]
    try:
        question = QuestionIn.model_validate(raw_question)
    except ValidationError as exc:
        return None, [
            ImportProblem(position=index, loc=[*loc, *error["loc"]], message=error["msg"])
            for error in exc.errors()
        ]

    violations = option_rule_violations(question.kind, question.options)
    return question, [
        ImportProblem(position=index, loc=[*loc, "options"], message=message)
        for message in violations
    ]


def parse_document(document: dict[str, Any]) -> QuizCreate:
    """Validate an import document and return it as a quiz to create.

    Collects every problem before raising `invalid_import`, so one response lists each
    invalid question. Imported questions must already obey the option rules. Problems of the
    envelope (`format`, `version`, unknown keys) are reported without reading the quiz,
    because a document of another format cannot be read field by field.
    """
    problems = _check_envelope(document)
    if problems:
        raise _reject(problems)

    raw_quiz: dict[str, Any] = document["quiz"]
    settings, problems = _settings_problems(raw_quiz)

    raw_questions = raw_quiz.get("questions", [])
    if not isinstance(raw_questions, list):
        problems.append(
            ImportProblem(position=None, loc=["quiz", "questions"], message="must be a list")
        )
        raw_questions = []
    elif len(raw_questions) > MAX_QUESTIONS:
        problems.append(
            ImportProblem(
                position=None,
                loc=["quiz", "questions"],
                message=f"a quiz has at most {MAX_QUESTIONS} questions, "
                f"but the document has {len(raw_questions)}",
            )
        )
        raw_questions = []

    questions = []
    for index, raw_question in enumerate(raw_questions):
        question, question_problems = _question_problems(index, raw_question)
        problems.extend(question_problems)
        if question is not None:
            questions.append(question)

    if problems or settings is None:
        raise _reject(problems)
    return QuizCreate(**dict(settings), questions=questions)

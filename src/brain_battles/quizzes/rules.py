"""Option rules for questions and the checks that decide whether a quiz can be published."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from operator import attrgetter
from typing import Any, Protocol

from brain_battles.core.errors import UnprocessableError
from brain_battles.quizzes.errors import QuizIncompleteError
from brain_battles.quizzes.models import Question, QuestionKind, Quiz, QuizStatus

MIN_OPTIONS = 2
MAX_OPTIONS = 10
TRUE_FALSE_OPTIONS = 2
# A hard cap even for drafts, so one quiz cannot grow without bound through the question endpoint.
MAX_QUESTIONS = 200

SINGLE_ANSWER_KINDS = (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE)


class LimitExceededError(UnprocessableError):
    """A 422 shaped like a request validation error, for limits that need the stored data."""

    def __init__(self, message: str, *, loc: Sequence[str | int], error_type: str) -> None:
        super().__init__(
            message,
            extra={"errors": [{"loc": list(loc), "msg": message, "type": error_type}]},
        )


class OptionLike(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def is_correct(self) -> bool: ...


class HasPosition(Protocol):
    position: int


@dataclass(frozen=True)
class PublishProblem:
    """One reason a quiz cannot be published, with `position` None for quiz-wide problems."""

    position: int | None
    question_id: uuid.UUID | None
    message: str


def option_rule_violations(kind: QuestionKind, options: Sequence[OptionLike]) -> list[str]:
    """List every way the options break the rules for `kind`, or nothing when they are valid."""
    messages = []
    count = len(options)
    if kind == QuestionKind.TRUE_FALSE:
        if count != TRUE_FALSE_OPTIONS:
            messages.append(f"a true_false question needs exactly 2 options, but it has {count}")
    elif not MIN_OPTIONS <= count <= MAX_OPTIONS:
        messages.append(f"a question needs 2 to 10 options, but it has {count}")

    correct = sum(1 for option in options if option.is_correct)
    if kind in SINGLE_ANSWER_KINDS and correct != 1:
        messages.append(f"a {kind} question needs exactly one correct option, but it has {correct}")
    elif kind == QuestionKind.MULTIPLE and correct == 0:
        messages.append("a multiple question needs at least one correct option, but it has none")

    # Two options a taker cannot tell apart make the question unanswerable.
    seen: set[str] = set()
    for option in options:
        key = " ".join(option.text.split()).casefold()
        if key in seen:
            messages.append(f"two options have the same text {option.text.strip()!r}")
        seen.add(key)

    return messages


def publish_problems(quiz: Quiz) -> list[PublishProblem]:
    """Check a quiz loaded with its questions and options against the publishing rules."""
    if not quiz.questions:
        return [
            PublishProblem(position=None, question_id=None, message="the quiz has no questions")
        ]

    problems = []
    if sum(question.points for question in quiz.questions) == 0:
        # A quiz worth nothing would grade every attempt 0/0 and drag down takers' averages.
        problems.append(
            PublishProblem(
                position=None,
                question_id=None,
                message="the questions are worth 0 points in total; give at least one points",
            )
        )
    for question in sorted(quiz.questions, key=attrgetter("position")):
        for message in option_rule_violations(question.kind, question.options):
            problems.append(
                PublishProblem(position=question.position, question_id=question.id, message=message)
            )
    return problems


def problems_payload(problems: Iterable[PublishProblem]) -> dict[str, Any]:
    return {"problems": [asdict(problem) for problem in problems]}


def ensure_publishable(quiz: Quiz) -> None:
    """Raise `quiz_incomplete` listing every problem unless the quiz can be published."""
    problems = publish_problems(quiz)
    if problems:
        raise QuizIncompleteError(extra=problems_payload(problems))


def ensure_still_publishable(quiz: Quiz) -> None:
    """Reject a change that would leave a published quiz in a state it could not be published in."""
    if quiz.status != QuizStatus.PUBLISHED:
        return
    problems = publish_problems(quiz)
    if problems:
        raise QuizIncompleteError(
            "The change would leave this published quiz incomplete. See `problems`.",
            extra=problems_payload(problems),
        )


def place_at(items: Iterable[HasPosition], item: HasPosition, position: int | None) -> None:
    """Move `item` to `position` among `items` and renumber them 0, 1, 2, ...

    `items` may or may not contain `item`. None or a position past the end places it last.
    """
    ordered = [other for other in sorted(items, key=attrgetter("position")) if other is not item]
    index = len(ordered) if position is None else min(position, len(ordered))
    ordered.insert(index, item)
    _number_in_order(ordered)


def renumber(items: Iterable[HasPosition]) -> None:
    """Close gaps so that positions run 0, 1, 2, ... keeping the current relative order."""
    _number_in_order(sorted(items, key=attrgetter("position")))


def _number_in_order(ordered: Sequence[HasPosition]) -> None:
    for index, item in enumerate(ordered):
        if item.position != index:
            item.position = index


def mark_only_correct(question: Question, option: OptionLike) -> None:
    """Unmark every other option of a single-answer question when `option` becomes correct.

    Without this, moving the answer of a published `single` question would need an
    intermediate state with zero or two correct options, which publishing forbids.
    """
    if question.kind not in SINGLE_ANSWER_KINDS or not option.is_correct:
        return
    for other in question.options:
        if other is not option and other.is_correct:
            other.is_correct = False

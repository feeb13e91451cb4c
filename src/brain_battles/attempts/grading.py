"""Answer checks and scoring: pure functions that never touch the database."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from brain_battles.attempts.errors import (
    DuplicateOptionError,
    InvalidOptionError,
    TooManyOptionsError,
)
from brain_battles.quizzes.models import QuestionKind

SINGLE_CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE)


@dataclass(frozen=True)
class QuestionKey:
    """The answer key of one question, as grading needs it."""

    question_id: str
    kind: QuestionKind
    points: int
    correct_option_ids: frozenset[str]


@dataclass(frozen=True)
class AnswerGrade:
    question_id: str
    correct: bool
    points_awarded: int


@dataclass(frozen=True)
class AttemptGrade:
    score: int
    max_score: int
    percentage: float
    correct_count: int
    question_count: int
    # One entry per question of the attempt, answered or not.
    answers: dict[str, AnswerGrade]


def validate_choice(
    kind: QuestionKind, option_ids: Sequence[str], valid_option_ids: Collection[str]
) -> None:
    """Raise a 422 error unless `option_ids` is an acceptable answer to the question.

    An empty list is acceptable: it leaves the question unanswered.
    """
    if len(set(option_ids)) != len(option_ids):
        raise DuplicateOptionError()
    unknown = [option_id for option_id in option_ids if option_id not in valid_option_ids]
    if unknown:
        raise InvalidOptionError(
            f"Option {unknown[0]} is not an option of this question.",
            extra={"option_ids": unknown},
        )
    if kind in SINGLE_CHOICE_KINDS and len(option_ids) > 1:
        raise TooManyOptionsError()


def is_answer_correct(key: QuestionKey, option_ids: Collection[str]) -> bool:
    """Check that the chosen options are exactly the correct ones.

    `single` and `true_false` also need exactly one chosen option, so a broken key with two
    correct options can never be matched. An empty choice is never correct.
    """
    chosen = frozenset(option_ids)
    if not chosen or chosen != key.correct_option_ids:
        return False
    return key.kind == QuestionKind.MULTIPLE or len(chosen) == 1


def grade_answer(key: QuestionKey, option_ids: Collection[str]) -> AnswerGrade:
    correct = is_answer_correct(key, option_ids)
    return AnswerGrade(
        question_id=key.question_id,
        correct=correct,
        points_awarded=key.points if correct else 0,
    )


def percentage_of(score: int, max_score: int) -> float:
    """Return the score as a percentage of `max_score`, rounded to 2 decimals (0 if it is 0)."""
    if max_score <= 0:
        return 0.0
    return round(score / max_score * 100, 2)


def is_passed(percentage: float, pass_percentage: float | None) -> bool | None:
    """Return whether the percentage reaches the pass mark, or None when the quiz has none."""
    if pass_percentage is None:
        return None
    return percentage >= pass_percentage


def grade_attempt(
    keys: Sequence[QuestionKey], chosen_by_question: Mapping[str, Collection[str]]
) -> AttemptGrade:
    """Grade every question of an attempt. A question missing from the mapping scores 0.

    Choices for questions not among `keys` are ignored.
    """
    grades = {
        key.question_id: grade_answer(key, chosen_by_question.get(key.question_id, ()))
        for key in keys
    }
    score = sum(grade.points_awarded for grade in grades.values())
    max_score = sum(key.points for key in keys)
    return AttemptGrade(
        score=score,
        max_score=max_score,
        percentage=percentage_of(score, max_score),
        correct_count=sum(1 for grade in grades.values() if grade.correct),
        question_count=len(keys),
        answers=grades,
    )

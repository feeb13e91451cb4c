"""Unit tests of the pure grading and deadline functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from brain_battles.attempts.errors import (
    DuplicateOptionError,
    InvalidOptionError,
    TooManyOptionsError,
)
from brain_battles.attempts.grading import (
    QuestionKey,
    grade_answer,
    grade_attempt,
    is_answer_correct,
    is_passed,
    percentage_of,
    validate_choice,
)
from brain_battles.attempts.timing import attempt_deadline, effective_deadline, is_past
from brain_battles.quizzes.models import QuestionKind

SINGLE = QuestionKey("q1", QuestionKind.SINGLE, 1, frozenset({"a"}))
TRUE_FALSE = QuestionKey("q2", QuestionKind.TRUE_FALSE, 1, frozenset({"t"}))
MULTIPLE = QuestionKey("q3", QuestionKind.MULTIPLE, 2, frozenset({"m1", "m2"}))
ALL_CORRECT_MULTIPLE = QuestionKey("q4", QuestionKind.MULTIPLE, 3, frozenset({"x", "y"}))
NOON = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def test_single_correct_option_full_points() -> None:
    grade = grade_answer(SINGLE, ["a"])

    assert grade.correct is True
    assert grade.points_awarded == 1


def test_single_wrong_option_zero() -> None:
    grade = grade_answer(SINGLE, ["b"])

    assert grade.correct is False
    assert grade.points_awarded == 0


def test_single_two_options_never_correct() -> None:
    broken_key = QuestionKey("q", QuestionKind.SINGLE, 1, frozenset({"a", "b"}))

    assert is_answer_correct(broken_key, ["a", "b"]) is False


def test_true_false_correct_and_wrong() -> None:
    assert grade_answer(TRUE_FALSE, ["t"]).points_awarded == 1
    assert grade_answer(TRUE_FALSE, ["f"]).points_awarded == 0


def test_multiple_exact_set_full_points() -> None:
    grade = grade_answer(MULTIPLE, ["m2", "m1"])

    assert grade.correct is True
    assert grade.points_awarded == 2


def test_multiple_subset_zero() -> None:
    assert grade_answer(MULTIPLE, ["m1"]).points_awarded == 0


def test_multiple_superset_zero() -> None:
    assert grade_answer(MULTIPLE, ["m1", "m2", "w"]).points_awarded == 0


def test_multiple_every_option_scores_nothing() -> None:
    every_option = ["m1", "m2", "w1", "w2"]

    assert grade_answer(MULTIPLE, every_option).points_awarded == 0


def test_multiple_every_option_when_all_correct() -> None:
    assert grade_answer(ALL_CORRECT_MULTIPLE, ["x", "y"]).points_awarded == 3


def test_unanswered_scores_zero() -> None:
    for key in (SINGLE, TRUE_FALSE, MULTIPLE):
        grade = grade_answer(key, [])
        assert grade.correct is False
        assert grade.points_awarded == 0


def test_attempt_totals() -> None:
    grade = grade_attempt(
        [SINGLE, TRUE_FALSE, MULTIPLE], {"q1": ["a"], "q2": ["f"], "q3": ["m1", "m2"]}
    )

    assert grade.score == 3
    assert grade.max_score == 4
    assert grade.percentage == 75.0
    assert grade.correct_count == 2
    assert grade.question_count == 3
    assert grade.answers["q2"].correct is False


def test_attempt_empty_submission_zero() -> None:
    grade = grade_attempt([SINGLE, MULTIPLE], {})

    assert grade.score == 0
    assert grade.max_score == 3
    assert grade.percentage == 0.0
    assert grade.correct_count == 0
    assert set(grade.answers) == {"q1", "q3"}


def test_attempt_ignores_unknown_questions() -> None:
    grade = grade_attempt([SINGLE], {"q1": ["a"], "elsewhere": ["z"]})

    assert grade.score == 1
    assert set(grade.answers) == {"q1"}


def test_percentage_zero_max_score() -> None:
    assert percentage_of(0, 0) == 0.0


def test_percentage_rounds_to_two_decimals() -> None:
    assert percentage_of(2, 3) == 66.67


def test_passed_against_pass_mark() -> None:
    assert is_passed(60.0, 60.0) is True
    assert is_passed(59.99, 60.0) is False


def test_passed_null_without_pass_mark() -> None:
    assert is_passed(100.0, None) is None


def test_validate_choice_accepts_empty() -> None:
    validate_choice(QuestionKind.SINGLE, [], {"a", "b"})


def test_validate_choice_unknown_option() -> None:
    with pytest.raises(InvalidOptionError) as raised:
        validate_choice(QuestionKind.MULTIPLE, ["a", "zzz"], {"a", "b"})

    assert raised.value.extra == {"option_ids": ["zzz"]}


def test_validate_choice_duplicate_option() -> None:
    with pytest.raises(DuplicateOptionError):
        validate_choice(QuestionKind.MULTIPLE, ["a", "a"], {"a", "b"})


@pytest.mark.parametrize("kind", [QuestionKind.SINGLE, QuestionKind.TRUE_FALSE])
def test_validate_choice_single_kind_two_options(kind: QuestionKind) -> None:
    with pytest.raises(TooManyOptionsError):
        validate_choice(kind, ["a", "b"], {"a", "b"})


def test_validate_choice_multiple_two_options() -> None:
    validate_choice(QuestionKind.MULTIPLE, ["a", "b"], {"a", "b", "c"})


def test_deadline_time_limit_only() -> None:
    assert attempt_deadline(NOON, 60, None) == NOON + timedelta(seconds=60)


def test_deadline_closes_at_earlier() -> None:
    closes_at = NOON + timedelta(seconds=30)

    assert attempt_deadline(NOON, 60, closes_at) == closes_at


def test_deadline_time_limit_earlier() -> None:
    closes_at = NOON + timedelta(hours=1)

    assert attempt_deadline(NOON, 60, closes_at) == NOON + timedelta(seconds=60)


def test_deadline_untimed_is_none() -> None:
    assert attempt_deadline(NOON, None, None) is None


def test_effective_deadline_closes_at_moved_earlier() -> None:
    moved = NOON - timedelta(minutes=1)

    assert effective_deadline(NOON, moved) == moved
    assert effective_deadline(NOON, None) == NOON


def test_is_past_boundaries() -> None:
    assert is_past(NOON, NOON) is True
    assert is_past(NOON, NOON - timedelta(microseconds=1)) is False
    assert is_past(None, NOON) is False

"""Response bodies built from an attempt and its quiz, with the review the viewer may see."""

from __future__ import annotations

import uuid
from datetime import datetime

from brain_battles.attempts.finishing import (
    FINISHED_STATUSES,
    attempt_deadline_now,
    ordered_options,
    ordered_questions,
    question_key,
)
from brain_battles.attempts.grading import is_answer_correct
from brain_battles.attempts.models import Attempt, AttemptAnswer
from brain_battles.attempts.schemas import (
    AnswerOut,
    AttemptOut,
    AttemptResult,
    ReviewItem,
    ReviewOption,
    SubmitResult,
    TakerOption,
    TakerQuestion,
    UserRef,
)
from brain_battles.quizzes.models import FeedbackMode, Question, Quiz
from brain_battles.users.models import User


def review_visibility(
    quiz: Quiz, *, full_access: bool, now: datetime
) -> tuple[bool, datetime | None]:
    """Decide whether the per-question review is shown, and when a hidden one will be.

    The author and staff (`full_access`) always see it. Takers see it under `immediate` and
    `on_submit`, and under `after_close` once `closes_at` has passed. Under `never`, or under
    `after_close` without a `closes_at`, takers never see it.
    """
    if full_access or quiz.feedback in (FeedbackMode.IMMEDIATE, FeedbackMode.ON_SUBMIT):
        return True, None
    if quiz.feedback == FeedbackMode.AFTER_CLOSE and quiz.closes_at is not None:
        if now >= quiz.closes_at:
            return True, None
        return False, quiz.closes_at
    return False, None


def taker_questions(attempt: Attempt, quiz: Quiz) -> list[TakerQuestion]:
    return [
        TakerQuestion(
            id=question.id,
            text=question.text,
            kind=question.kind,
            points=question.points,
            position=position,
            options=[
                TakerOption(id=option.id, text=option.text, position=option_position)
                for option_position, option in enumerate(ordered_options(attempt, question))
            ],
        )
        for position, question in enumerate(ordered_questions(attempt, quiz))
    ]


def correct_option_ids(attempt: Attempt, question: Question) -> list[uuid.UUID]:
    return [option.id for option in ordered_options(attempt, question) if option.is_correct]


def answer_out(attempt: Attempt, answer: AttemptAnswer, question: Question | None) -> AnswerOut:
    """Describe a saved answer, with the feedback fields set only once feedback was shown.

    Routes serialise with `exclude_unset`, so the unset feedback fields are left out entirely.
    """
    body = AnswerOut(
        question_id=answer.question_id,
        option_ids=[uuid.UUID(option_id) for option_id in answer.option_ids],
        answered_at=answer.answered_at,
        locked=answer.feedback_shown,
    )
    if answer.feedback_shown and question is not None:
        body.correct = is_answer_correct(question_key(question), answer.option_ids)
        body.correct_option_ids = correct_option_ids(attempt, question)
        body.explanation = question.explanation
    return body


def review_items(attempt: Attempt, quiz: Quiz) -> list[ReviewItem]:
    answers = {answer.question_id: answer for answer in attempt.answers}
    items = []
    for question in ordered_questions(attempt, quiz):
        answer = answers.get(question.id)
        chosen = answer.option_ids if answer else []
        options = ordered_options(attempt, question)
        items.append(
            ReviewItem(
                question_id=question.id,
                text=question.text,
                kind=question.kind,
                points=question.points,
                points_awarded=(answer.points_awarded or 0) if answer else 0,
                correct=bool(answer and answer.is_correct),
                chosen_option_ids=[uuid.UUID(option_id) for option_id in chosen],
                correct_option_ids=[option.id for option in options if option.is_correct],
                explanation=question.explanation,
                options=[
                    ReviewOption(
                        id=option.id,
                        text=option.text,
                        is_correct=option.is_correct,
                        chosen=str(option.id) in chosen,
                    )
                    for option in options
                ],
            )
        )
    return items


def _result_fields(attempt: Attempt, quiz: Quiz, *, full_access: bool, now: datetime) -> dict:
    show_review, review_available_at = review_visibility(quiz, full_access=full_access, now=now)
    return {
        "score": attempt.score or 0,
        "max_score": attempt.max_score or 0,
        "percentage": attempt.percentage or 0.0,
        "passed": attempt.passed,
        "correct_count": attempt.correct_count or 0,
        "question_count": attempt.question_count or 0,
        "duration_seconds": attempt.duration_seconds or 0.0,
        "review": review_items(attempt, quiz) if show_review else None,
        "review_available_at": review_available_at,
    }


def attempt_result(
    attempt: Attempt, quiz: Quiz, *, full_access: bool, now: datetime
) -> AttemptResult | None:
    """Return the result of a finished attempt, or None while it is in progress."""
    if attempt.status not in FINISHED_STATUSES:
        return None
    return AttemptResult(**_result_fields(attempt, quiz, full_access=full_access, now=now))


def submit_result(
    attempt: Attempt, quiz: Quiz, *, full_access: bool, now: datetime
) -> SubmitResult:
    assert attempt.finished_at is not None
    return SubmitResult(
        attempt_id=attempt.id,
        quiz_id=attempt.quiz_id,
        status=attempt.status,
        finished_at=attempt.finished_at,
        **_result_fields(attempt, quiz, full_access=full_access, now=now),
    )


def attempt_out(
    attempt: Attempt, quiz: Quiz, taker: User, *, full_access: bool, now: datetime
) -> AttemptOut:
    """Describe an attempt: its state, taker-view questions, saved answers and any result."""
    questions = {question.id: question for question in quiz.questions}
    order = {question_id: index for index, question_id in enumerate(attempt.question_order)}
    answers = sorted(
        attempt.answers, key=lambda answer: order.get(str(answer.question_id), len(order))
    )
    return AttemptOut(
        id=attempt.id,
        quiz_id=attempt.quiz_id,
        quiz_title=quiz.title,
        user=UserRef(id=taker.id, username=taker.username),
        status=attempt.status,
        started_at=attempt.started_at,
        deadline=attempt_deadline_now(attempt, quiz),
        finished_at=attempt.finished_at,
        questions=taker_questions(attempt, quiz),
        answers=[
            answer_out(attempt, answer, questions.get(answer.question_id)) for answer in answers
        ],
        result=attempt_result(attempt, quiz, full_access=full_access, now=now),
    )

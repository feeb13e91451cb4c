"""Leaderboards and statistics computed from finished attempts (submitted or expired)."""

from __future__ import annotations

import statistics
import uuid
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brain_battles.attempts.errors import QuizStatsForbiddenError
from brain_battles.attempts.finishing import (
    FINISHED_STATUSES,
    OVERDUE_FINISH_LIMIT,
    finish_due_attempts,
)
from brain_battles.attempts.grading import is_passed
from brain_battles.attempts.models import Attempt, AttemptAnswer, AttemptStatus
from brain_battles.attempts.schemas import (
    HistogramBucket,
    LeaderboardEntry,
    OptionStats,
    QuestionStats,
    QuizStats,
    RecentResult,
    TagAverage,
    UserRef,
    UserStats,
)
from brain_battles.core.timeutils import utcnow
from brain_battles.quizzes.access import can_see_answer_key, get_visible_quiz
from brain_battles.quizzes.models import Quiz, QuizTag
from brain_battles.users.models import User

HISTOGRAM_BUCKETS = 10
RECENT_RESULTS = 10


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


async def leaderboard(
    session: AsyncSession, quiz_id: uuid.UUID, user: User, *, limit: int, offset: int
) -> tuple[list[LeaderboardEntry], int]:
    """Rank each user's best finished attempt of a quiz the caller can see.

    Best means the highest score, then the shortest duration, then the earliest finish.
    Entries equal on all three share a rank.
    """
    quiz = await get_visible_quiz(session, quiz_id, user)
    best_first = (
        Attempt.score.desc(),
        Attempt.duration_seconds.asc(),
        Attempt.finished_at.asc(),
    )
    per_user = (
        select(
            Attempt.id.label("attempt_id"),
            Attempt.user_id,
            Attempt.score,
            Attempt.max_score,
            Attempt.percentage,
            Attempt.duration_seconds,
            Attempt.finished_at,
            func.row_number()
            .over(partition_by=Attempt.user_id, order_by=(*best_first, Attempt.id))
            .label("place_for_user"),
        )
        .where(Attempt.quiz_id == quiz.id, Attempt.status.in_(FINISHED_STATUSES))
        .subquery()
    )
    best = select(per_user).where(per_user.c.place_for_user == 1).subquery()
    ranked = select(
        best,
        func.rank()
        .over(
            order_by=(
                best.c.score.desc(),
                best.c.duration_seconds.asc(),
                best.c.finished_at.asc(),
            )
        )
        .label("rank"),
    ).subquery()

    total = await session.scalar(select(func.count()).select_from(best))
    rows = (
        await session.execute(
            select(ranked, User.username)
            .join(User, User.id == ranked.c.user_id)
            .order_by(ranked.c.rank, ranked.c.user_id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    entries = [
        LeaderboardEntry(
            rank=row.rank,
            user=UserRef(id=row.user_id, username=row.username),
            attempt_id=row.attempt_id,
            score=row.score,
            max_score=row.max_score,
            percentage=row.percentage,
            duration_seconds=row.duration_seconds,
            finished_at=row.finished_at,
        )
        for row in rows
    ]
    return entries, total or 0


def score_histogram(percentages: list[float]) -> list[HistogramBucket]:
    """Count percentages in 10 buckets of 10 points; 100 falls into the last bucket."""
    width = 100 // HISTOGRAM_BUCKETS
    counts = Counter(min(int(value // width), HISTOGRAM_BUCKETS - 1) for value in percentages)
    return [
        HistogramBucket(lower=index * width, upper=(index + 1) * width, count=counts[index])
        for index in range(HISTOGRAM_BUCKETS)
    ]


async def _question_stats(
    session: AsyncSession, quiz: Quiz, finished_attempts: int
) -> list[QuestionStats]:
    # NOTE: this reads one row per saved answer of the quiz's finished attempts into memory,
    # because option picks live in a JSON list that SQLite and PostgreSQL aggregate differently.
    answers = (
        await session.execute(
            select(AttemptAnswer.question_id, AttemptAnswer.option_ids, AttemptAnswer.is_correct)
            .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
            .where(Attempt.quiz_id == quiz.id, Attempt.status.in_(FINISHED_STATUSES))
        )
    ).all()
    answered: Counter[uuid.UUID] = Counter()
    correct: Counter[uuid.UUID] = Counter()
    picked: Counter[str] = Counter()
    for question_id, option_ids, is_correct in answers:
        if option_ids:
            answered[question_id] += 1
        if is_correct:
            correct[question_id] += 1
        picked.update(option_ids)

    return [
        QuestionStats(
            question_id=question.id,
            text=question.text,
            kind=question.kind,
            position=question.position,
            answered=answered[question.id],
            correct=correct[question.id],
            correct_rate=(
                round(correct[question.id] / finished_attempts, 4) if finished_attempts else None
            ),
            options=[
                OptionStats(
                    option_id=option.id,
                    text=option.text,
                    is_correct=option.is_correct,
                    picked=picked[str(option.id)],
                )
                for option in question.options
            ],
        )
        for question in quiz.questions
    ]


async def quiz_stats(session: AsyncSession, quiz_id: uuid.UUID, user: User) -> QuizStats:
    """Summarise the finished attempts of a quiz for its author, moderators and admins.

    Others who can see the quiz get 403; those who cannot get 404. The pass rate applies the
    quiz's current `pass_percentage`.
    """
    quiz = await get_visible_quiz(session, quiz_id, user, with_questions=True)
    if not can_see_answer_key(quiz, user):
        raise QuizStatsForbiddenError()

    rows = (
        await session.execute(
            select(Attempt.user_id, Attempt.percentage).where(
                Attempt.quiz_id == quiz.id, Attempt.status.in_(FINISHED_STATUSES)
            )
        )
    ).all()
    in_progress = await session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.IN_PROGRESS)
    )
    percentages = [float(row.percentage or 0.0) for row in rows]
    count = len(percentages)
    pass_rate = None
    if quiz.pass_percentage is not None and count:
        passed = sum(1 for value in percentages if is_passed(value, quiz.pass_percentage))
        pass_rate = round(passed / count, 4)

    return QuizStats(
        quiz_id=quiz.id,
        attempts=count,
        in_progress=in_progress or 0,
        participants=len({row.user_id for row in rows}),
        mean=_round(statistics.fmean(percentages)) if count else None,
        median=_round(statistics.median(percentages)) if count else None,
        min=min(percentages) if count else None,
        max=max(percentages) if count else None,
        pass_rate=pass_rate,
        score_histogram=score_histogram(percentages),
        questions=await _question_stats(session, quiz, count),
    )


async def user_stats(session: AsyncSession, user: User) -> UserStats:
    """Summarise the caller's finished attempts, finishing overdue ones first."""
    await finish_due_attempts(session, now=utcnow(), limit=OVERDUE_FINISH_LIMIT, user_id=user.id)
    mine = (Attempt.user_id == user.id, Attempt.status.in_(FINISHED_STATUSES))
    totals = (
        await session.execute(
            select(
                func.count(func.distinct(Attempt.quiz_id)),
                func.count(Attempt.id),
                func.avg(Attempt.percentage),
                func.max(Attempt.percentage),
            ).where(*mine)
        )
    ).one()
    tag_rows = (
        await session.execute(
            select(QuizTag.tag, func.count(Attempt.id), func.avg(Attempt.percentage))
            .join(QuizTag, QuizTag.quiz_id == Attempt.quiz_id)
            .where(*mine)
            .group_by(QuizTag.tag)
            .order_by(QuizTag.tag)
        )
    ).all()
    recent_rows = (
        await session.execute(
            select(Attempt, Quiz.title)
            .join(Quiz, Quiz.id == Attempt.quiz_id)
            .where(*mine)
            .order_by(Attempt.finished_at.desc(), Attempt.id.desc())
            .limit(RECENT_RESULTS)
        )
    ).all()

    quizzes_taken, attempts, average, best = totals
    return UserStats(
        quizzes_taken=quizzes_taken,
        attempts=attempts,
        average_percentage=_round(average),
        best_percentage=_round(best),
        per_tag=[
            TagAverage(tag=tag, attempts=count, average_percentage=_round(tag_average) or 0.0)
            for tag, count, tag_average in tag_rows
        ],
        last_results=[
            RecentResult(
                attempt_id=attempt.id,
                quiz_id=attempt.quiz_id,
                quiz_title=title,
                status=attempt.status,
                finished_at=attempt.finished_at,
                score=attempt.score or 0,
                max_score=attempt.max_score or 0,
                percentage=attempt.percentage or 0.0,
                passed=attempt.passed,
            )
            for attempt, title in recent_rows
        ],
    )

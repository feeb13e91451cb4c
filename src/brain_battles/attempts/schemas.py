"""Request and response bodies of the attempt, leaderboard and statistics endpoints."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from brain_battles.attempts.models import AttemptStatus
from brain_battles.core.schemas import RequestModel
from brain_battles.core.timeutils import UTCTimestamp
from brain_battles.quizzes.models import QuestionKind

# Every question has at most 10 options, so a longer list can never be a valid answer.
MAX_OPTIONS_PER_ANSWER = 10


class AnswerIn(RequestModel):
    option_ids: list[uuid.UUID] = Field(
        max_length=MAX_OPTIONS_PER_ANSWER,
        description="Chosen option ids; an empty list clears the answer.",
    )


class SubmittedAnswer(AnswerIn):
    question_id: uuid.UUID


class SubmitIn(RequestModel):
    answers: list[SubmittedAnswer] | None = Field(
        default=None,
        description="Answers saved before grading, under the same rules as the answer endpoint.",
    )


class UserRef(BaseModel):
    id: uuid.UUID
    username: str


class TakerOption(BaseModel):
    id: uuid.UUID
    text: str
    position: int = Field(description="Place of the option in this attempt, from 0.")


class TakerQuestion(BaseModel):
    """A question as the taker sees it: no answer key and no explanation."""

    id: uuid.UUID
    text: str
    kind: QuestionKind
    points: int
    position: int = Field(description="Place of the question in this attempt, from 0.")
    options: list[TakerOption]


class AnswerOut(BaseModel):
    """A saved answer; the feedback fields are present only once feedback has been shown."""

    question_id: uuid.UUID
    option_ids: list[uuid.UUID]
    answered_at: UTCTimestamp
    locked: bool = Field(description="True once feedback was shown, so the answer is final.")
    correct: bool | None = None
    correct_option_ids: list[uuid.UUID] | None = None
    explanation: str | None = None


class ReviewOption(BaseModel):
    id: uuid.UUID
    text: str
    is_correct: bool
    chosen: bool


class ReviewItem(BaseModel):
    question_id: uuid.UUID
    text: str
    kind: QuestionKind
    points: int
    points_awarded: int
    correct: bool
    chosen_option_ids: list[uuid.UUID]
    correct_option_ids: list[uuid.UUID]
    explanation: str | None
    options: list[ReviewOption]


class AttemptResult(BaseModel):
    score: int
    max_score: int
    percentage: float = Field(description="score / max_score * 100, rounded to 2 decimals.")
    passed: bool | None = Field(description="Null when the quiz sets no pass_percentage.")
    correct_count: int
    question_count: int
    duration_seconds: float
    review: list[ReviewItem] | None = Field(
        description="Per-question review, or null while the quiz's feedback setting hides it."
    )
    review_available_at: UTCTimestamp | None = Field(
        default=None,
        description="For `after_close` feedback: when the hidden review becomes visible.",
    )


class SubmitResult(AttemptResult):
    attempt_id: uuid.UUID
    quiz_id: uuid.UUID
    status: AttemptStatus
    finished_at: UTCTimestamp


class AttemptOut(BaseModel):
    id: uuid.UUID
    quiz_id: uuid.UUID
    quiz_title: str
    user: UserRef
    status: AttemptStatus
    started_at: UTCTimestamp
    deadline: UTCTimestamp | None = Field(
        description="When the attempt ends on the server clock; null when untimed."
    )
    finished_at: UTCTimestamp | None
    questions: list[TakerQuestion]
    answers: list[AnswerOut]
    result: AttemptResult | None = Field(description="Set once the attempt is finished.")


class AttemptSummary(BaseModel):
    id: uuid.UUID
    quiz_id: uuid.UUID
    quiz_title: str
    status: AttemptStatus
    started_at: UTCTimestamp
    deadline: UTCTimestamp | None
    finished_at: UTCTimestamp | None
    score: int | None
    max_score: int | None
    percentage: float | None
    passed: bool | None


class LeaderboardEntry(BaseModel):
    rank: int
    user: UserRef
    attempt_id: uuid.UUID
    score: int
    max_score: int
    percentage: float
    duration_seconds: float
    finished_at: UTCTimestamp


class HistogramBucket(BaseModel):
    lower: int = Field(description="Lowest percentage in the bucket (inclusive).")
    upper: int = Field(description="Upper percentage bound; exclusive except for 100.")
    count: int


class OptionStats(BaseModel):
    option_id: uuid.UUID
    text: str
    is_correct: bool
    picked: int = Field(description="Finished attempts that chose this option.")


class QuestionStats(BaseModel):
    question_id: uuid.UUID
    text: str
    kind: QuestionKind
    position: int
    answered: int = Field(description="Finished attempts that answered the question.")
    correct: int
    correct_rate: float | None = Field(
        description="Share of finished attempts, from 0 to 1, that answered correctly."
    )
    options: list[OptionStats]


class QuizStats(BaseModel):
    quiz_id: uuid.UUID
    attempts: int = Field(description="Finished attempts.")
    in_progress: int
    participants: int = Field(description="Users with at least one finished attempt.")
    mean: float | None = Field(description="Mean percentage of finished attempts.")
    median: float | None
    min: float | None
    max: float | None
    pass_rate: float | None = Field(
        description="Share of finished attempts, from 0 to 1, that reach the quiz's current "
        "pass_percentage; null without pass_percentage or attempts."
    )
    score_histogram: list[HistogramBucket] = Field(
        description="Finished attempts counted in 10 percentage buckets."
    )
    questions: list[QuestionStats]


class TagAverage(BaseModel):
    tag: str
    attempts: int
    average_percentage: float


class RecentResult(BaseModel):
    attempt_id: uuid.UUID
    quiz_id: uuid.UUID
    quiz_title: str
    status: AttemptStatus
    finished_at: UTCTimestamp
    score: int
    max_score: int
    percentage: float
    passed: bool | None


class UserStats(BaseModel):
    quizzes_taken: int = Field(description="Distinct quizzes with a finished attempt.")
    attempts: int = Field(description="Finished attempts.")
    average_percentage: float | None
    best_percentage: float | None
    per_tag: list[TagAverage]
    last_results: list[RecentResult] = Field(description="The 10 latest finished attempts.")

"""Attempts at a quiz and the answers saved in them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brain_battles.core.database import Base, UUIDPrimaryKey
from brain_battles.core.timeutils import UTCDateTime, utcnow


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    # Finished by the deadline (or `closes_at`) with the answers saved before it.
    EXPIRED = "expired"


class Attempt(UUIDPrimaryKey, Base):
    __tablename__ = "attempts"
    __table_args__ = (
        # At most one attempt in progress per taker and quiz, whatever the request timing.
        Index(
            "uq_attempts_one_in_progress",
            "quiz_id",
            "user_id",
            unique=True,
            postgresql_where=text("status = 'in_progress'"),
            sqlite_where=text("status = 'in_progress'"),
        ),
    )

    quiz_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quizzes.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AttemptStatus] = mapped_column(
        Enum(
            AttemptStatus,
            name="attempt_status",
            native_enum=False,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=AttemptStatus.IN_PROGRESS,
        index=True,
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None only for an untimed quiz without `closes_at`.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Question ids in the order this taker sees them, and option ids per question.
    question_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    option_order: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)

    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    percentage: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    correct_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    question_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)

    answers: Mapped[list[AttemptAnswer]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class AttemptAnswer(UUIDPrimaryKey, Base):
    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    option_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set once `immediate` feedback has been shown, after which the answer is locked.
    feedback_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    # Filled in by grading when the attempt finishes.
    is_correct: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    points_awarded: Mapped[int | None] = mapped_column(Integer, nullable=True)

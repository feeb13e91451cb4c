"""Quizzes, their questions, options, tags and invitations."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brain_battles.core.database import Base, Timestamped, UUIDPrimaryKey
from brain_battles.core.timeutils import UTCDateTime, utcnow
from brain_battles.users.models import User


def _str_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class QuizStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class FeedbackMode(enum.StrEnum):
    IMMEDIATE = "immediate"
    ON_SUBMIT = "on_submit"
    AFTER_CLOSE = "after_close"
    NEVER = "never"


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"


class Quiz(UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "quizzes"

    author_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(
        _str_enum(Visibility, "quiz_visibility"), default=Visibility.PUBLIC
    )
    status: Mapped[QuizStatus] = mapped_column(
        _str_enum(QuizStatus, "quiz_status"), default=QuizStatus.DRAFT, index=True
    )
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    editable_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    max_attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=False)
    feedback: Mapped[FeedbackMode] = mapped_column(
        _str_enum(FeedbackMode, "quiz_feedback"), default=FeedbackMode.ON_SUBMIT
    )
    pass_percentage: Mapped[float | None] = mapped_column(nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    author: Mapped[User] = relationship(lazy="raise")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Question.position",
    )
    tag_rows: Mapped[list[QuizTag]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True, order_by="QuizTag.tag"
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


class QuizTag(Base):
    __tablename__ = "quiz_tags"

    quiz_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True
    )
    # Lower-cased, so the `tag` filter matches regardless of case.
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Question(UUIDPrimaryKey, Base):
    __tablename__ = "questions"

    quiz_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quizzes.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[QuestionKind] = mapped_column(_str_enum(QuestionKind, "question_kind"))
    points: Mapped[int] = mapped_column(Integer, default=1)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    quiz: Mapped[Quiz] = relationship(back_populates="questions", lazy="raise")
    options: Mapped[list[Option]] = relationship(
        back_populates="question",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Option.position",
    )


class Option(UUIDPrimaryKey, Base):
    __tablename__ = "options"

    question_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    question: Mapped[Question] = relationship(back_populates="options", lazy="raise")


class QuizInvitation(UUIDPrimaryKey, Base):
    """An emailed invitation to a private quiz; accepting it grants the caller access."""

    __tablename__ = "quiz_invitations"
    __table_args__ = (UniqueConstraint("quiz_id", "email"),)

    quiz_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quizzes.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

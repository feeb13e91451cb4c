"""Import every table, so Alembic and `Base.metadata` see the whole schema."""

from brain_battles.attempts.models import Attempt, AttemptAnswer
from brain_battles.auth.models import AuthSession, OneTimeCode, RefreshToken
from brain_battles.core.database import Base
from brain_battles.quizzes.models import Option, Question, Quiz, QuizInvitation, QuizTag
from brain_battles.users.models import User

__all__ = [
    "Attempt",
    "AttemptAnswer",
    "AuthSession",
    "Base",
    "OneTimeCode",
    "Option",
    "Question",
    "Quiz",
    "QuizInvitation",
    "QuizTag",
    "RefreshToken",
    "User",
]

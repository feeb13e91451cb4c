"""Errors of the attempts domain, each with the stable `code` clients match on."""

from brain_battles.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableError,
)


class AttemptNotFoundError(NotFoundError):
    code = "attempt_not_found"
    detail = "The attempt does not exist."


class AttemptExpiredError(ConflictError):
    code = "attempt_expired"
    title = "Attempt expired"
    detail = (
        "The attempt's deadline has passed, so it no longer accepts answers; "
        "it was finished with the answers saved before the deadline."
    )
    # The request finishes the attempt before it raises this, and that must be stored.
    keep_changes = True


class AttemptFinishedError(ConflictError):
    code = "attempt_finished"
    title = "Attempt finished"
    detail = "The attempt has been submitted, so it no longer accepts answers."


class AnswerLockedError(ConflictError):
    code = "answer_locked"
    title = "Answer locked"
    detail = "Feedback for this question has been shown, so its answer can no longer change."


class InvalidOptionError(UnprocessableError):
    code = "invalid_option"
    title = "Invalid option"
    detail = "An option id does not belong to the question."


class DuplicateOptionError(UnprocessableError):
    code = "duplicate_option"
    title = "Duplicate option"
    detail = "An option id appears more than once in `option_ids`."


class TooManyOptionsError(UnprocessableError):
    code = "too_many_options"
    title = "Too many options"
    detail = "A single-choice or true/false question takes at most one option."


class DuplicateQuestionError(UnprocessableError):
    code = "duplicate_question"
    title = "Duplicate question"
    detail = "A question id appears more than once in `answers`."


class QuizStatsForbiddenError(PermissionDeniedError):
    detail = "Only the quiz author, moderators and admins may read the quiz statistics."

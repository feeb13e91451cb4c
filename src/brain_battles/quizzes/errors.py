from brain_battles.core.errors import ConflictError, NotFoundError, UnprocessableError


class QuizNotFoundError(NotFoundError):
    code = "quiz_not_found"
    detail = "The quiz does not exist."


class QuestionNotFoundError(NotFoundError):
    code = "question_not_found"
    detail = "The question does not exist in this quiz."


class OptionNotFoundError(NotFoundError):
    code = "option_not_found"
    detail = "The option does not exist in this question."


class QuizLockedError(ConflictError):
    code = "quiz_locked"
    title = "Quiz locked"
    detail = "The quiz can no longer be edited: its editable_until time has passed."


class QuizHasAttemptsError(ConflictError):
    code = "quiz_has_attempts"
    title = "Quiz has attempts"
    detail = "The quiz already has attempts, so its questions and options cannot change."


class QuizIncompleteError(UnprocessableError):
    code = "quiz_incomplete"
    title = "Quiz incomplete"
    detail = "The quiz cannot be published yet; see `problems`."


class QuizNotOpenError(ConflictError):
    code = "quiz_not_open"
    title = "Quiz not open"
    detail = "The quiz is not open yet."


class QuizClosedError(ConflictError):
    code = "quiz_closed"
    title = "Quiz closed"
    detail = "The quiz is closed."


class MaxAttemptsReachedError(ConflictError):
    code = "max_attempts_reached"
    title = "Maximum attempts reached"
    detail = "You have used every attempt this quiz allows."

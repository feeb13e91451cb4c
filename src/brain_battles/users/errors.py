from brain_battles.core.errors import AppError, ConflictError, NotFoundError


class UsernameTakenError(ConflictError):
    code = "username_taken"
    title = "Username taken"
    detail = "That username is already taken; choose another."


class EmailTakenError(ConflictError):
    code = "email_taken"
    title = "Email taken"
    detail = "An account with that email address already exists."


class UserNotFoundError(NotFoundError):
    code = "user_not_found"
    detail = "The user does not exist."


class InvalidPasswordError(AppError):
    status_code = 400
    code = "invalid_password"
    title = "Invalid password"
    detail = "The password is incorrect."

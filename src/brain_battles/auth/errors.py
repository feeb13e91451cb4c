from brain_battles.core.errors import AppError, NotAuthenticatedError, PermissionDeniedError


class InvalidCredentialsError(NotAuthenticatedError):
    code = "invalid_credentials"
    detail = "Incorrect email or password."


class EmailNotVerifiedError(PermissionDeniedError):
    code = "email_not_verified"
    title = "Email not verified"
    detail = "Verify your email address with the emailed code before logging in."


class AccountDisabledError(PermissionDeniedError):
    code = "account_disabled"
    title = "Account disabled"
    detail = "This account has been deactivated."


class InvalidCodeError(AppError):
    status_code = 400
    code = "invalid_code"
    title = "Invalid code"
    detail = "The code is wrong, expired or already used; request a new one."


class InvalidRefreshTokenError(NotAuthenticatedError):
    code = "invalid_refresh_token"
    detail = "The refresh token is invalid, expired or already used; log in again."

    def __init__(self, *, keep_changes: bool = False) -> None:
        super().__init__()
        self.keep_changes = keep_changes

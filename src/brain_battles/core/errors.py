"""One application error base, rendered as RFC 9457 problem details with a stable `code`."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://brain-battles.dev/problems/"

logger = structlog.get_logger(__name__)


class AppError(Exception):
    """Base for every error the API reports on purpose.

    Subclasses set `status_code`, `code` and `title`; an instance may give a specific `detail`.
    """

    status_code: int = 400
    code: str = "bad_request"
    title: str = "Bad request"
    detail: str = "The request could not be processed."
    # Commit the request's changes even though this error is returned.
    keep_changes: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        keep_changes: bool | None = None,
    ) -> None:
        super().__init__(detail or self.detail)
        if keep_changes is not None:
            self.keep_changes = keep_changes
        self.detail = detail or self.detail
        self.headers = headers or {}
        self.extra = extra or {}


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"
    title = "Not found"
    detail = "The resource does not exist."


class NotAuthenticatedError(AppError):
    status_code = 401
    code = "not_authenticated"
    title = "Not authenticated"
    detail = "Missing or invalid credentials."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class PermissionDeniedError(AppError):
    status_code = 403
    code = "permission_denied"
    title = "Forbidden"
    detail = "You are not allowed to do this."


class ConflictError(AppError):
    status_code = 409
    code = "conflict"
    title = "Conflict"


class UnprocessableError(AppError):
    status_code = 422
    code = "validation_error"
    title = "Unprocessable content"


class RateLimitedError(AppError):
    status_code = 429
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(
            detail or f"Too many requests. Try again in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if extra:
        body.update(extra)
    return JSONResponse(
        jsonable_encoder(body),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type")}
        for error in exc.errors()
    ]


_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


# Titles in the same sentence case as the application's own errors.
_TITLES = {413: "Content too large"}


def _sentence_case(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "Error"
    return phrase[:1] + phrase[1:].lower()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(
            status=exc.status_code,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            instance=request.url.path,
            headers=exc.headers,
            extra=exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            status=422,
            code="validation_error",
            title="Unprocessable content",
            detail="The request is invalid; see `errors` for each problem.",
            instance=request.url.path,
            extra={"errors": _validation_errors(exc)},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        phrase = _TITLES.get(status) or _sentence_case(status)
        detail = exc.detail if isinstance(exc.detail, str) else phrase
        return problem_response(
            status=status,
            code=_STATUS_CODES.get(status, "http_error"),
            title=phrase,
            detail=detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

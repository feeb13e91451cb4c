"""Pure ASGI middleware: request ids and the request body size limit."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from brain_battles.core.errors import problem_response

MAX_BODY_BYTES = 1024 * 1024
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

logger = structlog.get_logger("brain_battles.http")


class RequestIdMiddleware:
    """Bind a request id to every log line and echo it as `X-Request-ID`.

    A well-formed id sent by the client is kept, so one id follows a call across services.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
        # Cleared at the start rather than the end, so the error handler outside this
        # middleware and the access log still see the id.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_code = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status_code, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_code = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("request.unhandled_error", method=scope["method"], path=scope["path"])
            if response_started:
                raise
            # Handled here, not by Starlette's outermost handler, so the 500 carries the
            # request id and the connection stays open for the client's next request.
            response = problem_response(
                status=500,
                code="internal_error",
                title="Internal server error",
                detail=f"An unexpected error occurred; quote request id {request_id}.",
                instance=scope["path"],
            )
            await response(scope, receive, send_with_id)
        finally:
            logger.info(
                "http.request",
                method=scope["method"],
                path=scope["path"],
                status=status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )


class _BodyTooLarge(HTTPException):
    # An HTTPException, because FastAPI turns any other error raised while reading the body
    # into a 400; this one passes through to the problem handler as a 413.
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is larger than {max_bytes} bytes.")


class BodySizeLimitMiddleware:
    """Reject request bodies over `max_bytes` with 413, by header and while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return

        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            status=413,
            code="payload_too_large",
            title="Content too large",
            detail=f"The request body is larger than {self.max_bytes} bytes.",
            instance=scope["path"],
        )
        await response(scope, receive, send)

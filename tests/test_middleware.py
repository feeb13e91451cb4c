"""Request ids and unexpected errors, on a bare app that can be made to fail on purpose."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from brain_battles.core.errors import install_error_handlers
from brain_battles.core.middleware import BodySizeLimitMiddleware, RequestIdMiddleware


def _failing_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("deliberate failure")

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return body

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=100)
    app.add_middleware(RequestIdMiddleware)
    return app


async def test_unhandled_error_is_problem(caplog) -> None:
    caplog.set_level(logging.INFO)
    transport = ASGITransport(app=_failing_app(), raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/boom", headers={"X-Request-ID": "trace-500"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["X-Request-ID"] == "trace-500"
    assert response.json()["code"] == "internal_error"
    assert "trace-500" in response.json()["detail"]
    assert "deliberate failure" not in response.text
    error_events = [
        record.msg
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == "request.unhandled_error"
    ]
    assert len(error_events) == 1
    assert error_events[0]["request_id"] == "trace-500"


async def test_chunked_body_over_limit_413() -> None:
    transport = ASGITransport(app=_failing_app())

    async def chunks():
        for _ in range(5):
            yield b'{"padding": "' + b"x" * 40 + b'"}'

    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/echo", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert response.json()["title"] == "Content too large"


async def test_declared_length_over_limit_413() -> None:
    transport = ASGITransport(app=_failing_app())
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/echo", json={"padding": "x" * 200})
    assert response.status_code == 413
    assert response.json()["title"] == "Content too large"


async def test_not_found_title_sentence_case() -> None:
    transport = ASGITransport(app=_failing_app())
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        missing = await client.get("/nowhere")
        wrong_method = await client.delete("/boom")
    assert missing.json()["title"] == "Not found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["title"] == "Method not allowed"
    assert wrong_method.json()["code"] == "method_not_allowed"

"""The ASGI application: `uvicorn brain_battles.main:app`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from brain_battles.attempts.router import router as attempts_router
from brain_battles.auth.router import router as auth_router
from brain_battles.core.config import Settings, get_settings
from brain_battles.core.errors import install_error_handlers
from brain_battles.core.logging import configure_logging
from brain_battles.core.middleware import BodySizeLimitMiddleware, RequestIdMiddleware
from brain_battles.core.openapi import install_problem_openapi
from brain_battles.core.services import build_services
from brain_battles.health import router as health_router
from brain_battles.periodic import run_periodic_jobs
from brain_battles.quizzes.invitation_router import router as invitations_router
from brain_battles.quizzes.router import router as quizzes_router
from brain_battles.users.router import router as users_router

logger = structlog.get_logger(__name__)

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_services(settings)
        app.state.services = services
        periodic = None
        if services.redis is None:
            periodic = asyncio.create_task(run_periodic_jobs(services.job_queue))
        try:
            yield
        finally:
            if periodic is not None:
                periodic.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await periodic
            await services.close()
            logger.info("services.stopped")

    app = FastAPI(
        title="Brain Battles API",
        version="1.0.0",
        description=(
            "Quizzes with server-side timing and grading. Sign up with an emailed code, "
            "log in for a bearer token (the Authorize button takes your email and password)."
        ),
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_problem_openapi(app)

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(auth_router)
    api.include_router(users_router)
    api.include_router(quizzes_router)
    api.include_router(invitations_router)
    api.include_router(attempts_router)
    app.include_router(api)
    app.include_router(health_router)

    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(BodySizeLimitMiddleware)
    # Added last, so it wraps everything and every response and log line gets the id.
    app.add_middleware(RequestIdMiddleware)
    return app


def _create_default_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)


app = _create_default_app()

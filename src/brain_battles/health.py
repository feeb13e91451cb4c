"""Liveness and readiness probes, outside `/api/v1`."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from brain_battles.core.dependencies import ServicesDep

router = APIRouter(tags=["operations"])
logger = structlog.get_logger(__name__)

READINESS_TIMEOUT_SECONDS = 3.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Report that the process is alive; checks no dependency."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "A dependency is unreachable"}})
async def readyz(services: ServicesDep) -> JSONResponse:
    """Report whether the database and Redis (when configured) respond."""
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            async with services.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        logger.warning("readiness.database_failed", error=str(exc))
        checks["database"] = "unreachable"
    if services.redis is not None:
        try:
            async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
                await services.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            logger.warning("readiness.redis_failed", error=str(exc))
            checks["redis"] = "unreachable"
    else:
        checks["redis"] = "not configured"
    ready = all(value != "unreachable" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )

"""Measure the service's hot paths on this machine and print a Markdown table.

Runs the real app in-process over httpx's ASGI transport, on a throwaway PostgreSQL database
with Redis for jobs and rate limits. Emails go to a local SMTP sink. Usage, from the repo root:

    .venv/bin/python benchmarks/run.py [--takers 200]

Needs the same PostgreSQL and Redis as the test suite (TEST_DATABASE_URL, TEST_REDIS_URL).
Figures are recorded in docs/benchmarks.md; they are not asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The app configures logging when imported; keep its per-request lines out of the table.
os.environ.setdefault("LOG_LEVEL", "WARNING")

from arq.connections import RedisSettings  # noqa: E402
from arq.worker import Worker  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from httpx import ASGITransport, AsyncClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from brain_battles.core.config import Settings  # noqa: E402
from brain_battles.core.database import create_engine, create_session_factory  # noqa: E402
from brain_battles.core.security import hash_password  # noqa: E402
from brain_battles.main import create_app  # noqa: E402
from brain_battles.tasks import JOB_FUNCTIONS, build_job_context  # noqa: E402
from tests.conftest import run_migrations  # noqa: E402
from tests.helpers import API, bearer, extract_code  # noqa: E402
from tests.smtp_capture import Mailbox, start_smtp_server  # noqa: E402

ADMIN_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "benchmark password"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def timed(samples: list[float], call: Callable[[], Awaitable[Any]]) -> Any:
    started = time.perf_counter()
    result = await call()
    samples.append((time.perf_counter() - started) * 1000)
    return result


def row(name: str, samples: list[float]) -> str:
    return (
        f"| {name} | {len(samples)} | {statistics.mean(samples):.1f} | "
        f"{percentile(samples, 0.5):.1f} | {percentile(samples, 0.95):.1f} |"
    )


def quiz_body(question_count: int) -> dict[str, Any]:
    return {
        "title": "Benchmark quiz",
        "visibility": "public",
        "time_limit_seconds": 3600,
        "questions": [
            {
                "text": f"Question {index}",
                "kind": "single",
                "options": [
                    {"text": f"Option {option}", "is_correct": option == 0} for option in range(4)
                ],
            }
            for index in range(question_count)
        ],
    }


async def make_user(client: AsyncClient, mailbox: Mailbox) -> dict[str, str]:
    email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
    username = f"bench_{uuid.uuid4().hex[:10]}"
    await client.post(
        f"{API}/auth/signup", json={"email": email, "username": username, "password": PASSWORD}
    )
    code = extract_code(await mailbox.wait_for(email, timeout=30))
    verified = await client.post(f"{API}/auth/verify-email", json={"email": email, "code": code})
    return {"email": email, **bearer(verified.json()["access_token"])}


async def run(takers: int) -> None:
    name = f"brain_battles_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    mailbox = Mailbox()
    controller = start_smtp_server(mailbox)
    try:
        await asyncio.to_thread(run_migrations, database_url)
        settings = Settings(
            _env_file=None,
            environment="test",
            secret_key="benchmark-secret-key-" + "x" * 32,
            database_url=database_url,
            redis_url=REDIS_URL,
            mail_backend="smtp",
            smtp_host="127.0.0.1",
            smtp_port=controller.port,
            job_queue_name=f"brain-battles-bench-{name}",
            redis_key_prefix=f"brain-battles-bench-{name}",
        )
        await measure(settings, mailbox, takers)
    finally:
        controller.stop()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def measure(settings: Settings, mailbox: Mailbox, takers: int) -> None:
    engine = create_engine(settings.database_url)
    context = build_job_context(settings, create_session_factory(engine))

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx.update(context)

    worker = Worker(
        functions=list(JOB_FUNCTIONS.values()),
        redis_settings=RedisSettings.from_dsn(REDIS_URL),
        queue_name=settings.job_queue_name,
        on_startup=on_startup,
        handle_signals=False,
        poll_delay=0.05,
    )
    worker_task = asyncio.create_task(worker.async_run())
    app = create_app(settings)
    lines = ["| operation | n | mean ms | p50 ms | p95 ms |", "|---|---|---|---|---|"]

    hashes: list[float] = []
    for _ in range(20):
        await timed(hashes, lambda: hash_password(PASSWORD))
    lines.append(row("Argon2id hash (thread)", hashes))

    async with LifespanManager(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench") as client:
            author = await make_user(client, mailbox)
            created = await client.post(f"{API}/quizzes", json=quiz_body(20), headers=author)
            quiz = created.json()
            await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=author)

            users = [await make_user(client, mailbox) for _ in range(min(takers, 30))]

            logins: list[float] = []
            health_during_logins: list[float] = []

            async def login(user: dict[str, str]) -> None:
                await timed(
                    logins,
                    lambda: client.post(
                        f"{API}/auth/login", json={"email": user["email"], "password": PASSWORD}
                    ),
                )

            async def probe_health() -> None:
                for _ in range(40):
                    await timed(health_during_logins, lambda: client.get("/healthz"))
                    await asyncio.sleep(0.01)

            await asyncio.gather(probe_health(), *(login(user) for user in users))
            lines.append(row(f"login, {len(users)} at once", logins))
            lines.append(row("/healthz while those logins run", health_during_logins))

            starts: list[float] = []
            submits: list[float] = []
            for index in range(takers):
                user = users[index % len(users)]
                attempt = (
                    await timed(
                        starts,
                        lambda user=user: client.post(
                            f"{API}/quizzes/{quiz['id']}/attempts", headers=user
                        ),
                    )
                ).json()
                answers = [
                    {"question_id": q["id"], "option_ids": [q["options"][index % 4]["id"]]}
                    for q in attempt["questions"]
                ]
                await timed(
                    submits,
                    lambda user=user, attempt=attempt, answers=answers: client.post(
                        f"{API}/attempts/{attempt['id']}/submit",
                        json={"answers": answers},
                        headers=user,
                    ),
                )
            lines.append(row("start attempt (20 questions)", starts))
            lines.append(row("submit 20 answers and grade", submits))

            boards: list[float] = []
            stats: list[float] = []
            for _ in range(20):
                await timed(
                    boards,
                    lambda: client.get(f"{API}/quizzes/{quiz['id']}/leaderboard", headers=author),
                )
                await timed(
                    stats, lambda: client.get(f"{API}/quizzes/{quiz['id']}/stats", headers=author)
                )
            lines.append(row(f"leaderboard over {takers} attempts", boards))
            lines.append(row(f"quiz stats over {takers} attempts", stats))

    worker_task.cancel()
    await asyncio.gather(worker_task, return_exceptions=True)
    await worker.close()
    await engine.dispose()
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\n".join(lines))
    print(f"\nPeak resident memory of the benchmark process: {max_rss_mib:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takers", type=int, default=200, help="attempts to submit (default 200)")
    args = parser.parse_args()
    asyncio.run(run(args.takers))


if __name__ == "__main__":
    main()

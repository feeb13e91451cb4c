"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from brain_battles.core.database import create_engine
from brain_battles.models import Base
from tests.conftest import ROOT, run_migrations


def _schema_differences(connection: Connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


async def _differences(database_url: str) -> list:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_schema_differences)
    finally:
        await engine.dispose()


async def test_postgres_schema_matches_models(database_url: str) -> None:
    assert await _differences(database_url) == []


async def test_sqlite_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
    await asyncio.to_thread(run_migrations, url)
    assert await _differences(url) == []

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["database_url"] = url
    config.attributes["configure_logging"] = False
    await asyncio.to_thread(command.downgrade, config, "base")
    await asyncio.to_thread(run_migrations, url)
    assert await _differences(url) == []

"""Migrations and models agree, and migrations go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from api.core.db import is_ours
from api.models import Base


async def test_models_match_migrations(engine: AsyncEngine) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": is_ours}
        )
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


def test_downgrade_and_upgrade_again(tmp_path: object) -> None:
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    from api.core.settings import REPO_ROOT

    assert isinstance(tmp_path, Path)
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["database_url"] = f"sqlite:///{tmp_path / 'm.db'}"
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")

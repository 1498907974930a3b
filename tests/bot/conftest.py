"""Fixtures for tests of the bot that run once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import fresh_pg_database


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty database of each backend (a temp file, or a new PG database)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{(tmp_path / 'mlorg.sqlite3').as_posix()}"
        return
    with fresh_pg_database() as url:
        yield url

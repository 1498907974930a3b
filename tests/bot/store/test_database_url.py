"""Database URLs as operators write them, and the errors they get when one is unusable."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store import StoreError, default_database_url, normalize_database_url
from bot.store.db import build_engine


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///mlorg.sqlite3", "sqlite+aiosqlite:///mlorg.sqlite3"),
        ("sqlite:////var/lib/mlorg/db.sqlite3", "sqlite+aiosqlite:////var/lib/mlorg/db.sqlite3"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://bot:s3cret@db:5432/mlorg", "postgresql+asyncpg://bot:s3cret@db:5432/mlorg"),
        ("postgres://bot:s3cret@db/mlorg", "postgresql+asyncpg://bot:s3cret@db/mlorg"),
        ("PostgreSQL://db/mlorg", "postgresql+asyncpg://db/mlorg"),
        ("  postgresql://db/mlorg\n", "postgresql+asyncpg://db/mlorg"),
        (
            "postgresql://bot:p%40ss@db/mlorg?ssl=require",
            "postgresql+asyncpg://bot:p%40ss@db/mlorg?ssl=require",
        ),
    ],
)
def test_plain_urls_are_mapped_to_the_async_drivers(url: str, expected: str) -> None:
    assert normalize_database_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:///mlorg.sqlite3",
        "sqlite+aiosqlite:///:memory:",
        "postgresql+asyncpg://bot:s3cret@db:5432/mlorg",
    ],
)
def test_urls_that_already_name_an_async_driver_are_left_alone(url: str) -> None:
    assert normalize_database_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "mlorg.sqlite3",
        "mysql://bot:s3cret@db/mlorg",
        "postgresql+psycopg2://bot:s3cret@db/mlorg",
        "sqlite+pysqlite:///mlorg.sqlite3",
        "http://example.com/db",
        "postgresql://bot:s3cret@db:port/mlorg",
        "sqlite://bot:s3cret@somehost/mlorg.sqlite3",
    ],
)
def test_unusable_urls_are_refused_with_one_friendly_line(url: str) -> None:
    with pytest.raises(ValueError, match="sqlite:///") as raised:
        normalize_database_url(url)
    message = str(raised.value)
    assert "\n" not in message
    assert "s3cret" not in message
    assert isinstance(raised.value, StoreError)
    # No chained parser error in the traceback either: it might quote the URL.
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None or raised.value.__suppress_context__


_PASSWORDS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*;,=", min_size=1
)
_BROKEN_URL_SHAPES = [
    "mysql://admin:{}@db.internal/mlorg",
    "postgresql://admin:{}@db.internal:notaport/mlorg",
    "postgresql+psycopg2://admin:{}@db.internal/mlorg",
    "admin:{}@db.internal/mlorg",
    "sqlite://admin:{}@db.internal/mlorg.sqlite3",
    "postgres+asyncpg://admin:{}@db.internal/mlorg",
]


@settings(database=None)  # keep no example database in the working tree
@given(password=_PASSWORDS, shape=st.sampled_from(_BROKEN_URL_SHAPES))
def test_a_password_never_appears_in_a_url_error(password: str, shape: str) -> None:
    secret = f"PW{password}XQ"  # a marker no fixed message contains
    with pytest.raises(ValueError, match="database URL") as raised:
        normalize_database_url(shape.format(secret))
    assert secret not in str(raised.value)
    assert secret not in repr(raised.value)


def test_the_default_database_is_a_sqlite_file_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    url = default_database_url()

    assert url == f"sqlite+aiosqlite:///{(tmp_path / 'mlorg.sqlite3').as_posix()}"
    assert normalize_database_url(url) == url


async def test_a_postgresql_engine_gets_a_modest_pre_pinged_pool() -> None:
    engine = build_engine("postgresql://bot@127.0.0.1/mlorg")
    try:
        pool = engine.sync_engine.pool
        assert pool.size() == 5  # type: ignore[attr-defined]
        assert pool._max_overflow == 5  # type: ignore[attr-defined]
        assert pool._pre_ping
    finally:
        await engine.dispose()

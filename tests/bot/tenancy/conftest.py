"""A migrated store on each backend (the storage contract's fixtures)."""

from __future__ import annotations

from tests.bot.store.conftest import open_store, sql_audit, store

__all__ = ["open_store", "sql_audit", "store"]

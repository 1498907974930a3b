"""The operator's commands: they open the app's database (migrated first, closed after).

``outbox`` lists and retries leadership posts, ``export`` writes anonymised CSVs, and
``questions`` lists what mlorg could not answer. A database problem is one line naming
``DATABASE_URL``, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from bot.operator import export, export_charts, list_outbox, list_questions, open_store, retry_outbox
from bot.settings import ConfigError, Settings, load_settings
from bot.store import Store, StoreError
from knowledge import load_knowledge

__all__ = ["export_data", "on_store", "outbox", "questions"]


async def on_store(settings: Settings, work: Callable[[Store], Awaitable[int]]) -> int:
    """Run an operator command on the app's database: migrated first, closed after, and a
    database problem reported as one line naming DATABASE_URL."""
    store = open_store(settings)
    try:
        await store.migrate()
        return await work(store)
    except StoreError as error:
        raise ConfigError(f"DATABASE_URL: {error}") from None
    finally:
        await store.close()


def _print_lines(lines: Sequence[str]) -> int:
    for line in lines:
        print(line)
    return 0


async def outbox(args: argparse.Namespace) -> int:
    async def work(store: Store) -> int:
        if args.outbox_command == "retry":
            if not args.item and not args.all:
                print("Name an item id, or use --all to retry every failed item.", file=sys.stderr)
                return 1
            count = await retry_outbox(store, None if args.all else args.item)
            if count == 0:
                print("No failed item matched; nothing was changed.", file=sys.stderr)
                return 1
            print(f"{count} item(s) queued again; a running mlorg delivers them.")
            return 0
        return _print_lines(await list_outbox(store, show_all=getattr(args, "all", False)))

    return await on_store(load_settings(), work)


async def export_data(directory: Path, *, charts: Path | None = None) -> int:
    settings = load_settings()
    kb = load_knowledge(settings.mlorg_knowledge_dir)

    async def work(store: Store) -> int:
        lines = await export(store, kb, directory)
        if charts is not None:
            lines += await export_charts(store, kb, charts)
        return _print_lines(lines)

    return await on_store(settings, work)


async def questions() -> int:
    async def work(store: Store) -> int:
        return _print_lines(await list_questions(store))

    return await on_store(load_settings(), work)

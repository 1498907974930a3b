"""Purging the workspaces that left mlorg once their grace period is over.

A departure is a row in ``workspace_installs`` with its ``purge_after`` date (see
:mod:`bot.store.installs`), so this survives restarts: the retention job calls
:func:`purge_due` at start-up and then on its schedule, and whichever replica gets there
first purges (the store deletes the departure record and the data in one transaction, only
while the departure is still due). What is logged is the workspace id and row counts per
table, never what the rows said.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.store import Install, Purged, Store

__all__ = ["log_purge", "purge_departed", "purge_due"]

log = logging.getLogger(__name__)


def log_purge(label: str, purged: Purged, *, why: str) -> None:
    """One line an operator can audit: who was purged, why, and how many rows of each kind."""
    teams = ",".join(purged.team_ids)
    log.info(
        "purged workspace %s (%s; teams %s): %d rows: %s", label, why, teams, purged.total, purged.describe()
    )


async def purge_departed(store: Store, install: Install, now: datetime) -> Purged | None:
    """Purge one departure if it is still due at ``now``; None if it was reinstalled or
    another replica purged it first."""
    purged = await store.purge_departure(install.team_id, install.enterprise_id, now)
    if purged is not None:
        log_purge(install.label, purged, why="uninstalled, grace period over")
    return purged


async def purge_due(store: Store, now: datetime) -> list[Purged]:
    """Purge every departure whose grace period is over at ``now``; return what each deleted."""
    done: list[Purged] = []
    for install in await store.installs.due(now):
        purged = await purge_departed(store, install, now)
        if purged is not None:
            done.append(purged)
    return done

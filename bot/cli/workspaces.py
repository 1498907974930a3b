"""``mlorg workspaces``: who installed mlorg and who left; ``mlorg workspaces purge TEAM`` deletes one
now; ``mlorg workspaces rekey`` re-encrypts the stored tokens after a new key is put first.

The list is what ``workspace_installs`` records (OAuth installs, and departures in either mode);
tokens are never shown. A purge asks first (or takes ``--yes``), says how many rows of each kind
it deleted, and an id mlorg does not know is one line and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.cli.operator_commands import on_store
from bot.settings import Settings, load_settings
from bot.store import Install, Store

__all__ = ["render_installs", "workspaces"]

_HEADERS = ("TEAM", "NAME", "INSTALLED AT", "STATUS", "PURGE AFTER")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "-"


def _row(install: Install) -> tuple[str, ...]:
    team = f"{install.enterprise_id} (org-wide)" if not install.team_id else install.team_id
    status = install.status if install.active else f"uninstalled {_when(install.uninstalled_at)}"
    return (team, install.team_name or "-", _when(install.installed_at), status, _when(install.purge_after))


def render_installs(installs: Sequence[Install]) -> list[str]:
    """A plain-text table, columns padded to their widest cell."""
    if not installs:
        return [
            "No installations recorded yet: mlorg records each OAuth install, and any workspace that "
            "uninstalls it."
        ]
    rows = [_HEADERS, *(_row(install) for install in installs)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADERS))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def _confirm(question: str, ask: Callable[[str], str]) -> bool:
    try:
        return ask(question).strip().lower() in ("y", "yes")
    except EOFError:  # no terminal to answer from: the safe answer is no
        return False


async def _purge(store: Store, name: str, *, yes: bool, ask: Callable[[str], str]) -> int:
    name = name.strip()
    if not name:
        print(
            "Name a workspace: a team id such as T012AB3CD, as 'mlorg workspaces' lists it.", file=sys.stderr
        )
        return 1
    known = await store.installs.find(name)
    org_wide = [install for install in known if not install.team_id]
    team, enterprise = ("", org_wide[0].enterprise_id) if org_wide else (name, None)
    counted = await store.count_workspace(team, enterprise)
    if not known and counted.total == 0:
        print(
            f"mlorg knows no workspace {name!r}: 'mlorg workspaces' lists the ones it knows.", file=sys.stderr
        )
        return 1
    installed = [install for install in known if install.active]
    what = f"{counted.total} rows ({counted.describe()})" if counted.total else "its installation record"
    print(
        f"Workspace {name}{' (org-wide: ' + ', '.join(counted.team_ids) + ')' if org_wide else ''}: {what}."
    )
    if installed:
        print(
            "mlorg is still installed there: its tokens go too, so it stops answering until it is reinstalled."
        )
    if not yes and not _confirm("Delete all of it now? This cannot be undone. [y/N] ", ask):
        print("Nothing was deleted.", file=sys.stderr)
        return 1
    purged = await store.purge_workspace(team, enterprise)
    print(f"Purged {name}: {purged.total} rows deleted ({purged.describe()}).")
    return 0


async def _rekey(store: Store, settings: Settings) -> int:
    """Rewrite every stored token under the first key, the step that lets an old key be dropped."""
    if not settings.encryption_keys:
        print(
            "MLORG_ENCRYPTION_KEY is not set: expected the Fernet keys, the new one first "
            "(MLORG_ENCRYPTION_KEY=NEW,OLD).",
            file=sys.stderr,
        )
        return 1
    # Imported here: only this command needs cryptography.
    from bot.tenancy.crypto import TokenCipher
    from bot.tenancy.stores import EncryptedInstallationStore

    installations = EncryptedInstallationStore(
        client_id=settings.slack_client_id or "",
        engine=store.engine,
        cipher=TokenCipher(settings.encryption_keys),
    )
    rewritten = await installations.rotate_keys()
    print(
        f"Re-encrypted {rewritten} token record{'s' if rewritten != 1 else ''} (installations and bots) "
        "under the first key of MLORG_ENCRYPTION_KEY. Tokens no listed key opens were left as they are (their workspaces "
        "must add mlorg again); the other keys can now be removed."
    )
    return 0


async def workspaces(args: argparse.Namespace, *, ask: Callable[[str], str] | None = None) -> int:
    """``mlorg workspaces [list]`` or ``mlorg workspaces purge TEAM [--yes]``; ``ask`` reads
    the confirmation (the terminal's ``input`` unless given)."""

    async def work(store: Store) -> int:
        if getattr(args, "workspaces_command", None) == "purge":
            return await _purge(store, args.team, yes=args.yes, ask=ask or input)
        if getattr(args, "workspaces_command", None) == "rekey":
            return await _rekey(store, settings)
        for line in render_installs(await store.installs.list()):
            print(line)
        return 0

    settings = load_settings()
    return await on_store(settings, work)

"""``mlorg try --workspaces 2`` with mlorg itself: installed in both workspaces through OAuth, each kept apart.

The sandbox plays Slack for two workspaces: its "Allow" page and ``oauth.v2.access`` issue each
workspace its own token, and mlorg runs in OAuth mode (``SLACK_CLIENT_ID``,
``SLACK_CLIENT_SECRET``, ``MLORG_ENCRYPTION_KEY``, ``SLACK_API_URL`` pointing at the sandbox).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.sandbox.runner import Sandbox
from bot.sandbox.workspace import BOT, WORKSPACES, Workspace

ACME, GLOBEX = WORKSPACES[0][0], WORKSPACES[1][0]


async def until(ws: Workspace, done: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Wait for the workspace to reach ``done`` (checked at every change), or fail saying what never came."""
    changes = ws.listen()
    try:
        async with asyncio.timeout(timeout):
            while not done():
                await changes.get()
    except TimeoutError:
        raise AssertionError(f"{ws.team_id}: {what} never happened") from None
    finally:
        ws.unlisten(changes)


async def test_try_with_two_workspaces_installs_mlorg_in_each_and_keeps_them_apart(tmp_path: Path) -> None:
    sandbox = Sandbox(tmp_path / "try", port=0, workspaces=2)
    try:
        await sandbox.start()
        assert sandbox.oauth is not None and set(sandbox.oauth.installed) == {ACME, GLOBEX}
        acme, globex = sandbox.tenant(ACME), sandbox.tenant(GLOBEX)
        for tenant, link in zip(sandbox.tenants, sandbox.links, strict=True):
            assert link.status.startswith("mlorg installed through OAuth"), link.status
            # Includes "the Add to Slack link goes to slack.com": the authorization URL must follow SLACK_API_URL.
            assert not tenant.ws.warnings, [w.text for w in tenant.ws.warnings]
        assert acme.api.token != globex.api.token

        # A question in Globex's DM is answered there, with Globex's token; Acme sees nothing of it.
        globex_dm, acme_dm = globex.ws.dm_of("U0MIA"), acme.ws.dm_of("U0MIA")
        assert globex_dm is not None and acme_dm is not None
        assert (await globex.delivery.say("U0MIA", globex_dm.id, "what is an embedded ML team?")).ok
        await until(
            globex.ws,
            lambda: any(m.user == BOT.id for m in globex.ws.messages[globex_dm.id]),
            "mlorg's answer in Mia's DM",
        )
        assert not acme.ws.messages[acme_dm.id]
        assert "chat.postMessage" not in [t.kind for t in acme.ws.traffic]

        # Each workspace's Home tab is published in that workspace only.
        assert (await acme.delivery.open_app("U0LEAD")).ok
        await until(acme.ws, lambda: "U0LEAD" in acme.ws.homes, "Lee's Home tab")
        assert "U0LEAD" not in globex.ws.homes

        # A slash command answers in its own workspace.
        assert (await globex.delivery.command("U0MAX", "C0GENERAL", "/mlorg help")).ok
        await until(globex.ws, lambda: bool(globex.ws.messages["C0GENERAL"]), "the help card")
        assert not acme.ws.messages["C0GENERAL"]

        # A reset empties every workspace and the database, and installs mlorg in each again.
        await sandbox.reset()
        assert all(link.status.startswith("mlorg installed through OAuth") for link in sandbox.links)
        assert not globex.ws.messages["C0GENERAL"]
        assert (await globex.delivery.command("U0MAX", "C0GENERAL", "/mlorg help")).ok
        await until(globex.ws, lambda: bool(globex.ws.messages["C0GENERAL"]), "the help card after a reset")
    finally:
        await sandbox.stop()

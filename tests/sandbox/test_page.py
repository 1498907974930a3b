"""The page's server side: fragments per person, the warnings panel, traffic, the control API, package data."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path
from typing import Any

import aiohttp

from bot.sandbox.runner import Sandbox
from tests.sandbox.driver import Driver

ROOT = Path(__file__).resolve().parents[2]


async def screen(sandbox: Sandbox, **query: str) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{sandbox.url}/ui/screen", params={**query, "traffic": "1"}) as response,
    ):
        return dict(await response.json())


async def test_what_slack_would_reject_is_shown_in_the_page_and_the_log(sandbox: Sandbox) -> None:
    too_long = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 200}}]
    answer = await sandbox.api.handle_args(
        "chat.postMessage", {"channel": "C0GENERAL", "text": "x", "blocks": too_long}
    )
    assert answer["error"] == "invalid_blocks"
    fragments = (await screen(sandbox, user="U0MIA", conv="C0GENERAL"))["fragments"]
    assert (
        'data-testid="slack-warning"' in fragments["warnings"]["html"]
        and "at most 150" in fragments["warnings"]["html"]
    )
    async with aiohttp.ClientSession() as session, session.get(f"{sandbox.url}/control/log") as response:
        log = await response.json()
    assert "block 0 (header): header text is 200 characters; at most 150" in [
        w["text"] for w in log["warnings"]
    ]


async def test_each_person_sees_their_own_view(sandbox: Sandbox, people: Driver) -> None:
    await people.command("U0MIA", "C0GENERAL", "help")
    mia = (await screen(sandbox, user="U0MIA", conv="C0GENERAL"))["fragments"]
    lee = (await screen(sandbox, user="U0LEE", conv="C0GENERAL"))["fragments"]
    assert (
        "Only visible to you" in mia["messages"]["html"]
        and "Only visible to you" not in lee["messages"]["html"]
    )
    assert 'data-testid="channel-leadership"' not in mia["sidebar"]["html"]  # private, and Mia is not in it
    assert "slash command /mlorg" in mia["traffic"]["html"]


async def test_the_control_api_posts_as_a_person_and_resets(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{sandbox.url}/control/post", json={"user": "U0MAX", "channel": "ml-platform", "text": "hi all"}
        ) as response:
            assert (await response.json())["ok"]
        async with session.post(
            f"{sandbox.url}/control/post", json={"user": "nobody", "text": "x"}
        ) as response:
            assert response.status == 400
        async with session.get(
            f"{sandbox.url}/control/messages", params={"channel": "ml-platform"}
        ) as response:
            assert [m["text"] for m in (await response.json())["messages"]] == ["hi all"]
        async with session.post(f"{sandbox.url}/control/reset") as response:
            assert (await response.json())["ok"]
        async with session.get(
            f"{sandbox.url}/control/messages", params={"channel": "ml-platform"}
        ) as response:
            assert (await response.json())["messages"] == []
        async with session.get(f"{sandbox.url}/static/app.js") as response:
            assert response.status == 200 and "EventSource" in await response.text()


def test_the_page_files_are_declared_as_package_data() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["bot"]
    shipped = [
        p.relative_to(ROOT / "bot").as_posix() for p in (ROOT / "bot" / "sandbox" / "static").iterdir()
    ]
    shipped.append("sandbox/app_manifest.yml")
    assert [name for name in shipped if not any(fnmatch.fnmatch(name, p) for p in patterns)] == []

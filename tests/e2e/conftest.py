"""Fixtures: a fake Slack, the real app serving HTTP on 127.0.0.1, and a signed-request client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.sandbox.render import Ctx, render_blocks
from bot.sandbox.workspace import Workspace
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import SECRETS, SIGNING_SECRET, RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import SlackPlatform


@pytest.fixture(autouse=True)
def no_secret_in_the_logs(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> Iterator[None]:
    """Every end-to-end test doubles as a leak check: the credentials the suite gave the app
    appear nowhere in what the app logged, in process (caplog, at INFO as ``mlorg serve`` logs)
    or in the output files of ``mlorg serve`` children, which run in ``tmp_path``."""
    caplog.set_level(logging.INFO)
    yield
    formatter = logging.Formatter()
    outputs = {
        f"in-process logs ({when})": "\n".join(
            record.getMessage() + (formatter.formatException(record.exc_info) if record.exc_info else "")
            for record in caplog.get_records(when)
        )
        for when in ("setup", "call", "teardown")
    }
    for path in tmp_path.rglob("*.log"):
        outputs[path.name] = path.read_text(errors="replace")
    for where, text in outputs.items():
        leaked = [secret[:6] + "…" for secret in SECRETS if secret in text]
        assert not leaked, f"secrets {leaked} appear in {where}"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()
    assert_the_sandbox_page_draws(fake)


def assert_the_sandbox_page_draws(fake: FakeSlack) -> None:
    """Every message, modal and Home tab the app sent in this test draws in ``mlorg try``'s page.

    The whole end-to-end suite is the catalogue of what the app emits, so a block or element
    type the page cannot render fails here, in the test that first produced it.
    """
    ctx = Ctx(Workspace(), viewer="U0001")
    for call in fake.calls:
        drawn = render_blocks(call.blocks, ctx)
        assert "render-warning" not in drawn, (
            f"{call.method}: {drawn[drawn.index('render-warning') - 12 :][:200]}"
        )


@pytest.fixture
async def app(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path))).start()
    yield running
    await running.stop()


@pytest.fixture
async def slack(app: RunningApp, fake_slack: FakeSlack) -> AsyncIterator[SlackPlatform]:
    async with SlackPlatform(app.url, SIGNING_SECRET, fake_slack.response_url()) as platform:
        yield platform

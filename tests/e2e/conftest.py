"""Fixtures: a fake Slack, the real app serving HTTP on 127.0.0.1, and a signed-request client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import SIGNING_SECRET, RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import SlackPlatform


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def app(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path))).start()
    yield running
    await running.stop()


@pytest.fixture
async def slack(app: RunningApp, fake_slack: FakeSlack) -> AsyncIterator[SlackPlatform]:
    async with SlackPlatform(app.url, SIGNING_SECRET, fake_slack.response_url()) as platform:
        yield platform

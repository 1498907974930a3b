"""A fake Slack on 127.0.0.1 and a client talking to it, as the app's would."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from tests.e2e.fake_slack import FakeSlack


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


@pytest.fixture
def client(fake_slack: FakeSlack) -> AsyncWebClient:
    # No retry handlers, like the outbox's client: each failure is seen as it happens.
    return AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url, timeout=5)

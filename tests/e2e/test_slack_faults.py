"""Slack's Web API hanging or failing never holds up an ack and never loses (or doubles) a summary.

The fake Slack is scripted to hang (answer nothing until the app gives up), to answer 5xx, or
to rate-limit with ``Retry-After``. The app's Web API timeout is shortened to one second for
these tests (production waits ten), so "longer than the client timeout" takes a second; the
outbox backoff is shortened the same way as in ``test_outbox_delivery.py``. Whether an ack
came before a hang ended is read from the order of events in the fake's timeline, not from
a clock.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

import bot.app
from bot.http import BoundedRateLimitRetryHandler
from tests.e2e.fake_slack import HANG, FakeSlack, Scripted
from tests.e2e.harness import RunningApp, make_settings, sqlite_url
from tests.e2e.slack_client import SlackPlatform, find_button
from tests.e2e.test_diagnose import (
    EMBEDDED,
    ME,
    click,
    click_through,
    current_view,
    open_diagnosis,
    stored_flow,
    view_of,
)
from tests.e2e.test_summary import (
    ADMIN,
    LEAD,
    accepted_with,
    item_for_preview,
    item_id_of,
    post_summary,
    posts_to,
    store_of,
    wait_status,
)

#: The app's Web API timeout in these tests, in seconds.
CLIENT_TIMEOUT = 1
#: The outbox's backoff: 50 ms, 100 ms, ... instead of 1 s, 2 s, ...
FAST = 0.05


@pytest.fixture
async def app(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningApp]:
    assert bot.app.API_TIMEOUT_SECONDS == 10, "the production timeout changed; update the docstring"
    monkeypatch.setattr(bot.app, "API_TIMEOUT_SECONDS", CLIENT_TIMEOUT)
    running = await RunningApp(make_settings(fake_slack, sqlite_url(tmp_path), mlorg_admins=ADMIN)).start()
    assert running.mlorg is not None
    running.mlorg.outbox_worker.base_delay = FAST
    running.mlorg.outbox_worker.interval = FAST
    yield running
    await running.stop()


async def healthy(app: RunningApp) -> bool:
    async with aiohttp.ClientSession() as session, session.get(f"{app.base_url}/healthz") as response:
        return response.status == 200 and (await response.json())["ok"] is True


def first_answer(view: dict[str, Any]) -> dict[str, Any]:
    return find_button(view["blocks"], EMBEDDED[0])


# -- a hung Slack does not hold up the ack ----------------------------------------------------------


async def test_a_click_is_acked_while_views_update_hangs_past_the_client_timeout(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    question_1 = await open_diagnosis(slack, fake_slack)
    fake_slack.script("views.update", HANG)

    ack = await click(slack, first_answer(question_1), view=question_1)
    fake_slack.mark("ack")
    await fake_slack.wait_mark("gave up:views.update", timeout=10 * CLIENT_TIMEOUT)

    assert ack.status == 200 and ack.body == ""
    assert fake_slack.timeline.index("ack") < fake_slack.timeline.index("gave up:views.update")
    # The answer was kept although the redraw never arrived.
    assert (await stored_flow(app, question_1)).step == 1
    # Still healthy: the same (stale) button now redraws the modal where the flow really is.
    assert await healthy(app)
    before = len(fake_slack.calls_to("views.update"))
    await click(slack, first_answer(question_1), view=question_1)
    redrawn = view_of((await fake_slack.wait_for("views.update", before + 1))[-1])
    assert "Question 2 of" in json.dumps(redrawn)
    assert (await stored_flow(app, question_1)).step == 1


async def test_a_click_is_acked_while_chat_post_message_hangs_past_the_client_timeout(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    await open_diagnosis(slack, fake_slack, channel="C0SHARE")
    result = await click_through(slack, fake_slack, ME, EMBEDDED)
    fake_slack.script("chat.postMessage", HANG)

    ack = await click(
        slack, find_button(result["blocks"], "Share in channel"), view=current_view(fake_slack, ME)
    )
    fake_slack.mark("ack")
    await fake_slack.wait_mark("gave up:chat.postMessage", timeout=10 * CLIENT_TIMEOUT)

    assert ack.status == 200 and ack.body == ""
    assert fake_slack.timeline.index("ack") < fake_slack.timeline.index("gave up:chat.postMessage")
    assert fake_slack.accepted == [], "the hung post never reached the channel"
    assert await healthy(app)
    # The next request is served as usual.
    other = await open_diagnosis(slack, fake_slack, user="U0OTHER")
    assert "Question 1 of" in json.dumps(other)


# -- a failing Slack does not lose or double a summary -----------------------------------------------


async def test_a_summary_whose_post_meets_server_errors_then_a_429_is_posted_exactly_once(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    fake_slack.script(
        "chat.postMessage",
        Scripted(500, {"ok": False, "error": "internal_error"}),
        Scripted(503, {"ok": False, "error": "service_unavailable"}),
        Scripted(500, {"ok": False, "error": "internal_error"}),
        Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}),
    )
    store = store_of(app)

    item = await item_for_preview(store, await post_summary(slack, fake_slack))
    delivered = await wait_status(store, item.item_id, "delivered", timeout=20)
    await fake_slack.settle()

    attempts = posts_to(fake_slack, LEAD)
    assert len(attempts) == 5 and delivered.attempts == 5
    assert {item_id_of(p) for p in attempts} == {item.item_id}
    (accepted,) = accepted_with(fake_slack, item.item_id)
    assert delivered.message_ts == accepted["ts"]
    assert fake_slack.posts(ADMIN) == [], "a delivered summary needs no apology"


async def test_a_summary_slack_took_but_never_confirmed_is_not_posted_again(
    app: RunningApp, slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    # Slack puts the message in the channel, then the answer never comes (the app times out).
    fake_slack.script("chat.postMessage", Scripted(hang=True, accept=True))
    store = store_of(app)

    item = await item_for_preview(store, await post_summary(slack, fake_slack))
    delivered = await wait_status(store, item.item_id, "delivered", timeout=10 * CLIENT_TIMEOUT)
    await fake_slack.settle()

    assert "gave up:chat.postMessage" in fake_slack.timeline
    assert len(posts_to(fake_slack, LEAD)) == 1, "the second attempt looked at the channel instead of posting"
    (accepted,) = accepted_with(fake_slack, item.item_id)
    assert delivered.message_ts == accepted["ts"]
    assert fake_slack.calls_to("conversations.history")


# -- how long the app waits -------------------------------------------------------------------------


async def test_a_short_retry_after_is_waited_out_in_process_and_a_long_one_is_not() -> None:
    handler = BoundedRateLimitRetryHandler(
        max_retry_count=3, max_wait_seconds=bot.app.MAX_RETRY_AFTER_SECONDS
    )
    request = HttpRequest(method="POST", url="https://slack.test/api/chat.update", headers={})

    async def retries(status: int, retry_after: str | None) -> bool:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        response = HttpResponse(status_code=status, headers=headers)
        return await handler.can_retry_async(state=RetryState(), request=request, response=response)

    assert await retries(429, "3")
    assert await retries(429, None)
    assert not await retries(429, "3600"), "an hour's wait would pin the task that made the call"
    assert not await retries(500, None), "server errors belong to their own handler"


# -- a failure right after the ack keeps the ack ----------------------------------------------------


async def test_a_modal_submission_that_fails_right_after_its_ack_still_gets_that_ack(
    app: RunningApp, slack: SlackPlatform
) -> None:
    """Bolt resets an ack already given when the listener then fails; within its 10 ms polling
    window that became a 404 three seconds later (Slack: "We had some trouble connecting")."""
    assert app.mlorg is not None

    @app.mlorg.bolt.view("test_fails_after_ack")
    async def fails_after_ack(ack: Any) -> None:
        await ack()
        raise RuntimeError("a bug after the ack")

    payload = {
        "type": "view_submission",
        "team": {"id": "T0001", "domain": "fake"},
        "user": {"id": ME, "team_id": "T0001"},
        "api_app_id": "A0001",
        "view": {"id": "VTEST", "callback_id": "test_fails_after_ack", "type": "modal", "blocks": []},
    }
    for _ in range(3):
        submitted = await slack.interact(payload)
        assert (submitted.status, submitted.body) == (200, "")

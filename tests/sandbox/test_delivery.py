"""Delivery: requests signed as Slack signs them, shaped as Slack shapes them, acks applied as Slack applies them.

A small fake app records what arrives (checking each signature with slack_sdk's own
verifier) and answers what a test scripts, so each rule is shown on its own.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.delivery import Delivery
from bot.sandbox.manifest import load_manifest
from bot.sandbox.responses import ResponseUrls
from bot.sandbox.surfaces import ApiError, Triggers, Views
from bot.sandbox.workspace import BOT, Message, Workspace

SECRET = "delivery-test-secret"


@dataclass
class FakeApp:
    received: list[dict[str, Any]] = field(default_factory=list)
    replies: list[tuple[int, str, float]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.text()
        verified = SignatureVerifier(SECRET).is_valid_request(raw, dict(request.headers))
        if request.content_type == "application/json":
            body: dict[str, Any] = json.loads(raw)
        else:
            body = dict(parse_qsl(raw))
            if "payload" in body:
                body = json.loads(body["payload"])
        self.received.append({"body": body, "verified": verified, "headers": dict(request.headers)})
        status, text, delay = self.replies.pop(0) if self.replies else (200, "", 0.0)
        await asyncio.sleep(delay)
        return web.Response(
            status=status,
            text=text,
            content_type="application/json" if text.startswith("{") else "text/plain",
        )


@pytest.fixture
async def fake_app() -> AsyncIterator[FakeApp]:
    app = FakeApp()
    server = web.Application()
    server.router.add_post("/slack/events", app.handle)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    app.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events"  # type: ignore[union-attr]
    yield app
    await runner.cleanup()


@pytest.fixture
def ws() -> Workspace:
    return Workspace()


@pytest.fixture
async def delivery(ws: Workspace, fake_app: FakeApp) -> AsyncIterator[Delivery]:
    views = Views(ws)
    sent = Delivery(
        ws,
        views,
        Triggers(),
        ResponseUrls(ws, "http://127.0.0.1:1"),
        load_manifest(),
        app_url=fake_app.url,
        signing_secret=SECRET,
        ack_seconds=0.5,
        retry_delays=(0.05,),
    )
    yield sent
    await sent.shutdown()


async def test_a_command_is_signed_and_shaped_like_slacks(delivery: Delivery, fake_app: FakeApp) -> None:
    await delivery.command("U0MIA", "C0GENERAL", "/mlorg summary #leadership <b>&</b> @lee")
    arrived = fake_app.received[0]
    assert arrived["verified"]
    body = arrived["body"]
    assert body["command"] == "/mlorg" and body["user_id"] == "U0MIA" and body["channel_name"] == "general"
    # should_escape: channel and user references, and &<> escaped
    assert body["text"] == "summary <#C0LEADERSHIP|leadership> &lt;b&gt;&amp;&lt;/b&gt; <@U0LEAD>"
    assert body["response_url"].startswith("http://127.0.0.1:1/response/") and body["trigger_id"]


async def test_an_ack_with_a_message_is_shown_privately_or_to_everyone(
    delivery: Delivery, fake_app: FakeApp, ws: Workspace
) -> None:
    fake_app.replies = [
        (200, json.dumps({"text": "just you"}), 0.0),
        (200, json.dumps({"response_type": "in_channel", "text": "all"}), 0.0),
    ]
    await delivery.command("U0MIA", "C0GENERAL", "/mlorg help")
    await delivery.command("U0MIA", "C0GENERAL", "/mlorg shout")
    private, command, public = ws.messages["C0GENERAL"]
    assert private.visible_to == "U0MIA" and private.text == "just you"
    assert (
        command.user == "U0MIA" and command.text == "/mlorg shout"
    )  # an in_channel answer shows the command
    assert public.visible_to is None and public.user == BOT.id


async def test_a_slow_ack_is_shown_as_slack_shows_it(
    delivery: Delivery, fake_app: FakeApp, ws: Workspace
) -> None:
    fake_app.replies = [(200, "", 1.0), (500, "", 0.0)]
    outcome = await delivery.command("U0MIA", "C0GENERAL", "/mlorg help")
    assert outcome.error == "operation_timeout"
    assert ws.messages["C0GENERAL"][-1].text == '/mlorg failed with the error "operation_timeout"'
    assert ws.messages["C0GENERAL"][-1].visible_to == "U0MIA" and ws.messages["C0GENERAL"][-1].from_slackbot
    await delivery.command("U0MIA", "C0GENERAL", "/mlorg help")
    assert ws.messages["C0GENERAL"][-1].text == '/mlorg failed with the error "dispatch_failed"'


async def test_an_unknown_command_never_reaches_the_app(
    delivery: Delivery, fake_app: FakeApp, ws: Workspace
) -> None:
    await delivery.command("U0MIA", "C0GENERAL", "/giphy cats")
    assert fake_app.received == [] and "not a valid command" in ws.messages["C0GENERAL"][-1].text


async def test_a_mention_is_an_app_mention_event(
    delivery: Delivery, fake_app: FakeApp, ws: Workspace
) -> None:
    await delivery.say("U0MIA", "C0GENERAL", "hey @mlorg, what is R&D?")
    event = fake_app.received[0]["body"]
    assert event["type"] == "event_callback" and event["event"]["type"] == "app_mention"
    assert event["event"]["text"] == "hey <@U0MLORG>, what is R&amp;D?"
    assert ws.messages["C0GENERAL"][-1].user == "U0MIA"
    await delivery.say("U0MIA", "C0GENERAL", "no mention here")
    assert len(fake_app.received) == 1  # mlorg subscribes to no channel messages


async def test_a_failed_event_is_retried_with_the_retry_header(delivery: Delivery, fake_app: FakeApp) -> None:
    fake_app.replies = [(500, "", 0.0)]
    await delivery.say("U0MIA", "C0GENERAL", "@mlorg hello")
    for _ in range(40):
        if len(fake_app.received) == 2:
            break
        await asyncio.sleep(0.05)
    retry = fake_app.received[1]
    assert (
        retry["headers"]["X-Slack-Retry-Num"] == "1"
        and retry["body"]["event_id"] == fake_app.received[0]["body"]["event_id"]
    )


async def test_a_direct_message_reaches_the_app_as_message_im(
    delivery: Delivery, fake_app: FakeApp, ws: Workspace
) -> None:
    dm = ws.dm_of("U0MIA")
    assert dm is not None
    outcome = await delivery.say("U0MIA", dm.id, "hello")
    assert outcome.error is None
    [received] = fake_app.received
    event = received["body"]["event"]
    assert (event["type"], event["channel_type"], event["channel"], event["text"]) == (
        "message",
        "im",
        dm.id,
        "hello",
    )
    assert received["verified"]


async def test_clicks_carry_what_slack_sends(delivery: Delivery, fake_app: FakeApp, ws: Workspace) -> None:
    blocks = [
        {
            "type": "actions",
            "block_id": "b1",
            "elements": [
                {
                    "type": "button",
                    "action_id": "go",
                    "text": {"type": "plain_text", "text": "Go"},
                    "value": "v1",
                },
                {
                    "type": "static_select",
                    "action_id": "pick",
                    "options": [{"text": {"type": "plain_text", "text": "One"}, "value": "1"}],
                },
                {
                    "type": "checkboxes",
                    "action_id": "tick",
                    "options": [{"text": {"type": "plain_text", "text": "A"}, "value": "a"}],
                },
            ],
        },
    ]
    message = ws.add(Message("5.000001", "C0GENERAL", BOT.id, "pick", blocks, visible_to="U0MIA"))
    await delivery.click_message("U0MIA", "C0GENERAL", message.ts, "b1", "go")
    await delivery.click_message("U0MIA", "C0GENERAL", message.ts, "b1", "pick", "1")
    await delivery.click_message("U0MIA", "C0GENERAL", message.ts, "b1", "tick", ["a"])
    button, select, boxes = (r["body"] for r in fake_app.received)
    assert button["type"] == "block_actions" and button["actions"][0]["value"] == "v1"
    assert button["container"] == {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": "C0GENERAL",
        "is_ephemeral": True,
    }
    assert "message" not in button  # Slack sends no copy of an ephemeral message
    assert button["response_url"] and button["trigger_id"]
    assert select["actions"][0]["selected_option"]["value"] == "1"
    assert boxes["actions"][0]["selected_options"][0]["value"] == "a"
    with pytest.raises(ApiError):  # nobody outside the channel can click in it
        await delivery.click_message("U0NOBODY", "C0GENERAL", message.ts, "b1", "go")
    assert (
        await delivery.click_message("U0MAX", "C0GENERAL", message.ts, "b1", "go")
    ).error == "message_not_found"


FORM = {
    "type": "modal",
    "callback_id": "form",
    "notify_on_close": True,
    "title": {"type": "plain_text", "text": "Form"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "name"},
        },
        {
            "type": "input",
            "block_id": "size",
            "label": {"type": "plain_text", "text": "Size"},
            "element": {
                "type": "number_input",
                "action_id": "size",
                "is_decimal_allowed": False,
                "min_value": "3",
            },
        },
    ],
}


async def test_required_fields_are_checked_before_anything_is_sent(
    delivery: Delivery, fake_app: FakeApp
) -> None:
    view = delivery.views.open("U0MIA", FORM)
    outcome = await delivery.submit("U0MIA", view["id"], {"name": {"name": ""}, "size": {"size": "2"}})
    assert outcome.error == "required_fields" and fake_app.received == []
    assert view["errors"] == {
        "name": "Please complete this required field.",
        "size": "Please enter a number of at least 3.",
    }


async def test_submission_acks_update_push_show_errors_or_close(
    delivery: Delivery, fake_app: FakeApp
) -> None:
    views = delivery.views
    view = views.open("U0MIA", FORM)
    state = {"name": {"name": "Ada"}, "size": {"size": "4"}}
    fake_app.replies = [
        (200, json.dumps({"response_action": "errors", "errors": {"name": "Taken"}}), 0.0),
        (
            200,
            json.dumps(
                {
                    "response_action": "push",
                    "view": {**FORM, "title": {"type": "plain_text", "text": "Step 2"}},
                }
            ),
            0.0,
        ),
        (200, "", 0.0),
        (200, json.dumps({"response_action": "clear"}), 0.0),
    ]
    await delivery.submit("U0MIA", view["id"], state)
    submitted = fake_app.received[0]["body"]
    assert submitted["type"] == "view_submission"
    assert submitted["view"]["state"]["values"]["name"]["name"] == {
        "type": "plain_text_input",
        "value": "Ada",
    }
    assert view["errors"] == {"name": "Taken"} and views.top("U0MIA") is view
    await delivery.submit("U0MIA", view["id"], state)
    pushed = views.top("U0MIA")
    assert (
        pushed is not None
        and pushed["title"]["text"] == "Step 2"
        and pushed["previous_view_id"] == view["id"]
    )
    await delivery.submit("U0MIA", pushed["id"], state)  # an empty ack closes that view only
    assert views.top("U0MIA") is view
    await delivery.submit("U0MIA", view["id"], state)
    assert views.top("U0MIA") is None


async def test_closing_a_modal_sends_view_closed_when_asked(delivery: Delivery, fake_app: FakeApp) -> None:
    view = delivery.views.open("U0MIA", FORM)
    await delivery.close("U0MIA", view["id"])
    closed = fake_app.received[0]["body"]
    assert (
        closed["type"] == "view_closed"
        and closed["view"]["id"] == view["id"]
        and closed["is_cleared"] is False
    )
    quiet = delivery.views.open("U0MIA", {**FORM, "notify_on_close": False})
    await delivery.close("U0MIA", quiet["id"], clear=True)
    assert len(fake_app.received) == 1


async def test_opening_the_home_tab_is_app_home_opened(
    delivery: Delivery, fake_app: FakeApp, ws: Workspace
) -> None:
    await delivery.open_app("U0MIA", "home")
    event = fake_app.received[0]["body"]["event"]
    assert event == {
        **event,
        "type": "app_home_opened",
        "user": "U0MIA",
        "tab": "home",
        "channel": ws.dm_of("U0MIA").id,
    }  # type: ignore[union-attr]

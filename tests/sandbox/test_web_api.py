"""The Web API stand-in answers as Slack does: the same arguments, the same errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.sandbox.surfaces import TRIGGER_SECONDS, ApiError, Triggers, Views
from bot.sandbox.web_api import METHODS, WebApi
from bot.sandbox.workspace import BOT, Channel, Workspace

TOKEN = "xoxb-test"
SCOPES = frozenset({"chat:write", "chat:write.public"})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ws() -> Workspace:
    workspace = Workspace()
    workspace.channels["C0QUIET"] = Channel("C0QUIET", "quiet", {"U0MIA"})  # mlorg is not a member
    workspace.messages["C0QUIET"] = []
    return workspace


@pytest.fixture
def api(ws: Workspace, clock: Clock) -> WebApi:
    return WebApi(ws, Views(ws), Triggers(clock), TOKEN, scopes=SCOPES)


async def fails(call: Any, code: str) -> ApiError:
    with pytest.raises(ApiError) as raised:
        await call
    assert raised.value.code == code
    return raised.value


MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": [{"type": "divider"}]}


async def test_post_message_lands_in_the_channel_with_block_ids(api: WebApi, ws: Workspace) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    answer = await api.chat_post_message({"channel": "C0GENERAL", "text": "hi", "blocks": json.dumps(blocks)})
    message = ws.find("C0GENERAL", answer["ts"])
    assert message is not None and message.user == BOT.id
    assert message.blocks[0]["block_id"]  # Slack fills in the block_id the app left out
    assert answer["message"]["blocks"] == message.blocks


async def test_a_channel_can_be_named_by_name_or_a_person(api: WebApi, ws: Workspace) -> None:
    await api.chat_post_message({"channel": "#ml-platform", "text": "by name"})
    assert ws.messages["C0MLPLATFORM"][-1].text == "by name"
    answer = await api.chat_post_message({"channel": "U0MIA", "text": "a DM"})
    assert answer["channel"] == ws.dm_of("U0MIA").id  # type: ignore[union-attr]


async def test_channel_errors(api: WebApi) -> None:
    await fails(api.chat_post_message({"channel": "C0NOPE", "text": "x"}), "channel_not_found")
    await fails(api.chat_post_message({"text": "x"}), "channel_not_found")
    # Public but not a member: chat:write.public lets mlorg post; reading history needs membership.
    await api.chat_post_message({"channel": "C0QUIET", "text": "x"})
    await fails(api.conversations_history({"channel": "C0QUIET"}), "not_in_channel")


async def test_without_chat_write_public_mlorg_must_be_invited(ws: Workspace, clock: Clock) -> None:
    api = WebApi(ws, Views(ws), Triggers(clock), TOKEN, scopes=frozenset({"chat:write"}))
    await fails(api.chat_post_message({"channel": "C0QUIET", "text": "x"}), "not_in_channel")


async def test_a_private_channel_mlorg_is_not_in_does_not_exist_for_it(api: WebApi, ws: Workspace) -> None:
    ws.channels["C0LEADERSHIP"].members.discard(BOT.id)
    await fails(api.chat_post_message({"channel": "C0LEADERSHIP", "text": "x"}), "channel_not_found")


async def test_content_errors_and_the_page_is_told(api: WebApi, ws: Workspace) -> None:
    await fails(api.chat_post_message({"channel": "C0GENERAL"}), "no_text")
    await fails(api.chat_post_message({"channel": "C0GENERAL", "text": "x" * 40_001}), "msg_too_long")
    error = await fails(
        api.chat_post_message(
            {
                "channel": "C0GENERAL",
                "text": "x",
                "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            }
        ),
        "invalid_blocks",
    )
    assert "150" in error.body()["response_metadata"]["messages"][0]
    assert any("150" in w.text for w in ws.warnings)


async def test_ephemeral_needs_a_member(api: WebApi, ws: Workspace) -> None:
    answer = await api.chat_post_ephemeral({"channel": "C0LEADERSHIP", "user": "U0LEAD", "text": "psst"})
    assert ws.find("C0LEADERSHIP", answer["message_ts"]).visible_to == "U0LEAD"  # type: ignore[union-attr]
    await fails(
        api.chat_post_ephemeral({"channel": "C0LEADERSHIP", "user": "U0MIA", "text": "x"}),
        "user_not_in_channel",
    )
    await fails(
        api.chat_post_ephemeral({"channel": "C0GENERAL", "user": "U0NOBODY", "text": "x"}), "user_not_found"
    )


async def test_update_and_delete_only_mlorgs_own_messages(api: WebApi, ws: Workspace) -> None:
    ts = (await api.chat_post_message({"channel": "C0GENERAL", "text": "v1"}))["ts"]
    await api.chat_update({"channel": "C0GENERAL", "ts": ts, "text": "v2"})
    assert ws.find("C0GENERAL", ts).text == "v2"  # type: ignore[union-attr]
    await fails(api.chat_update({"channel": "C0GENERAL", "ts": "1.2", "text": "x"}), "message_not_found")
    ws.messages["C0GENERAL"].append(type(ws.messages["C0GENERAL"][0])("9.9", "C0GENERAL", "U0MIA", "mine"))
    await fails(api.chat_update({"channel": "C0GENERAL", "ts": "9.9", "text": "x"}), "cant_update_message")
    await fails(api.chat_delete({"channel": "C0GENERAL", "ts": "9.9"}), "cant_delete_message")
    await api.chat_delete({"channel": "C0GENERAL", "ts": ts})
    assert ws.find("C0GENERAL", ts) is None


async def test_a_trigger_opens_one_modal_within_three_seconds(api: WebApi, clock: Clock) -> None:
    trigger = api.triggers.issue("U0MIA")
    opened = await api.views_open({"trigger_id": trigger, "view": json.dumps(MODAL)})
    assert opened["view"]["id"].startswith("V") and opened["view"]["hash"]
    await fails(api.views_open({"trigger_id": trigger, "view": MODAL}), "exchanged_trigger_id")
    late = api.triggers.issue("U0MIA")
    clock.now += TRIGGER_SECONDS + 0.1
    await fails(api.views_open({"trigger_id": late, "view": MODAL}), "expired_trigger_id")
    await fails(api.views_open({"trigger_id": "1.2.3", "view": MODAL}), "invalid_trigger_id")


async def test_views_push_needs_a_modal_and_stops_at_three(api: WebApi) -> None:
    await fails(api.views_push({"trigger_id": api.triggers.issue("U0MIA"), "view": MODAL}), "not_found")
    root = (await api.views_open({"trigger_id": api.triggers.issue("U0MIA"), "view": MODAL}))["view"]
    for _ in range(2):
        await api.views_push({"trigger_id": api.triggers.issue("U0MIA", view_id=root["id"]), "view": MODAL})
    await fails(
        api.views_push({"trigger_id": api.triggers.issue("U0MIA", view_id=root["id"]), "view": MODAL}),
        "push_limit_reached",
    )


async def test_views_update_needs_the_view_and_its_hash(api: WebApi) -> None:
    view = (await api.views_open({"trigger_id": api.triggers.issue("U0MIA"), "view": MODAL}))["view"]
    await fails(api.views_update({"view_id": "V0NOPE", "view": MODAL}), "not_found")
    await fails(api.views_update({"view_id": view["id"], "hash": "stale", "view": MODAL}), "hash_conflict")
    updated = await api.views_update({"view_id": view["id"], "hash": view["hash"], "view": MODAL})
    assert updated["view"]["id"] == view["id"] and updated["view"]["hash"] != view["hash"]


async def test_broken_views_are_invalid_arguments(api: WebApi, ws: Workspace) -> None:
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "A title far longer than 24"}}
    await fails(
        api.views_open({"trigger_id": api.triggers.issue("U0MIA"), "view": long_title}), "invalid_arguments"
    )
    assert any("title" in w.text for w in ws.warnings)
    await fails(api.views_publish({"user_id": "U0MIA", "view": MODAL}), "invalid_arguments")  # not a home


async def test_home_tabs_are_published_per_person(api: WebApi, ws: Workspace) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    first = await api.views_publish({"user_id": "U0MIA", "view": home})
    again = await api.views_publish({"user_id": "U0MIA", "view": home})
    assert first["view"]["id"] == again["view"]["id"] and set(ws.homes) == {"U0MIA"}
    await fails(api.views_publish({"user_id": "U0NOBODY", "view": home}), "user_not_found")


async def test_users_info_says_who_is_an_admin(api: WebApi) -> None:
    assert (await api.users_info({"user": "U0ADMIN"}))["user"]["is_admin"] is True
    assert (await api.users_info({"user": "U0MIA"}))["user"]["is_admin"] is False
    await fails(api.users_info({"user": "U0NOBODY"}), "user_not_found")


async def test_history_returns_metadata_only_when_asked(api: WebApi) -> None:
    await api.chat_post_message(
        {
            "channel": "C0GENERAL",
            "text": "x",
            "metadata": json.dumps({"event_type": "e", "event_payload": {"a": 1}}),
        }
    )
    plain = await api.conversations_history({"channel": "C0GENERAL"})
    full = await api.conversations_history({"channel": "C0GENERAL", "include_all_metadata": "true"})
    assert "metadata" not in plain["messages"][0] and full["messages"][0]["metadata"]["event_type"] == "e"


async def test_over_http_the_token_is_checked(api: WebApi) -> None:
    app = web.Application()
    app.router.add_route("*", "/api/{method}", api.handle)
    async with TestClient(TestServer(app)) as client:

        async def call(method: str, token: str | None) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await client.post(f"/api/{method}", json={}, headers=headers)
            return dict(await response.json())

        assert (await call("auth.test", TOKEN))["user_id"] == BOT.id
        assert (await call("auth.test", None))["error"] == "not_authed"
        assert (await call("auth.test", "xoxb-wrong"))["error"] == "invalid_auth"
        assert (await call("chat.scheduleMessage", TOKEN))["error"] == "unknown_method"
    assert "auth.test" in METHODS

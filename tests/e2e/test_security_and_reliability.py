"""What Slack's platform rules demand, proven end to end.

Bad signatures change nothing; retried events are answered once; a rate-limited or
failing Web API still delivers; hostile text is echoed inert; the Home tab works.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from knowledge import Archetype, load_knowledge
from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.e2e.harness import SIGNING_SECRET
from tests.e2e.slack_client import AppResponse, SlackPlatform, find_button, sign

KB = load_knowledge()
RESPONSE_URL = "response_url:r1"
HOSTILE = "<!channel> <https://evil.example|click me> & <@U999>"
STALE_SECONDS = 6 * 60


def mention(text: str, *, ts: str = "1700000100.000100", channel: str = "C0001") -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": "U0001",
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }


def rnd() -> Archetype:
    topic = KB.get("rnd")
    assert isinstance(topic, Archetype)
    return topic


async def assert_nothing_reached_slack(fake_slack: FakeSlack) -> None:
    await fake_slack.settle()
    assert fake_slack.posts() == []
    assert fake_slack.calls_to(RESPONSE_URL) == []
    assert fake_slack.calls_to("views.publish") == []


def assert_inert(response: AppResponse) -> None:
    """The raw JSON Slack would render holds no live mention or link from the user's text."""
    for raw in ("<!channel>", "<https://evil", "<@U999>", "|click me>"):
        assert raw not in response.text
        assert raw not in response.body


# -- signatures ------------------------------------------------------------------------------------

BAD_REQUESTS: dict[str, dict[str, Any]] = {
    "forged": {"signature": "v0=" + "0" * 64},
    "signed with another secret": {"signature": "__other__"},
    "stale": {"timestamp": "__stale__"},
    "unsigned": {"signed": False},
}


def bad_request_kwargs(kind: str, body: str) -> dict[str, Any]:
    kw = dict(BAD_REQUESTS[kind])
    if kw.get("signature") == "__other__":
        now = int(time.time())
        kw = {"timestamp": now, "signature": sign("not-the-signing-secret", body, now)}
    if kw.get("timestamp") == "__stale__":
        old = int(time.time()) - STALE_SECONDS
        kw = {"timestamp": old, "signature": sign(SIGNING_SECRET, body, old)}  # correctly signed, too old
    return kw


@pytest.mark.parametrize("kind", list(BAD_REQUESTS))
async def test_a_badly_signed_command_gets_401_and_changes_nothing(
    slack: SlackPlatform, fake_slack: FakeSlack, kind: str
) -> None:
    body = slack.command_body("explain rnd")

    response = await slack.send(body, "application/x-www-form-urlencoded", **bad_request_kwargs(kind, body))

    assert response.status == 401
    assert "Research and development" not in response.body
    await assert_nothing_reached_slack(fake_slack)


@pytest.mark.parametrize("kind", list(BAD_REQUESTS))
async def test_a_badly_signed_share_click_gets_401_and_posts_nothing(
    slack: SlackPlatform, fake_slack: FakeSlack, kind: str
) -> None:
    card = await slack.command("explain rnd")
    payload = slack.action_payload(find_button(card.blocks, "Share in channel"))
    body = urlencode({"payload": json.dumps(payload)})

    response = await slack.send(body, "application/x-www-form-urlencoded", **bad_request_kwargs(kind, body))

    assert response.status == 401
    await assert_nothing_reached_slack(fake_slack)


@pytest.mark.parametrize("kind", list(BAD_REQUESTS))
async def test_a_badly_signed_event_gets_401_and_does_not_claim_its_event_id(
    slack: SlackPlatform, fake_slack: FakeSlack, kind: str
) -> None:
    event = mention("<@UBOT> what's the downside of an R&D org?")
    body = json.dumps(slack.event_body(event, event_id="EvFORGED1"))

    response = await slack.send(body, "application/json", **bad_request_kwargs(kind, body))

    assert response.status == 401
    await assert_nothing_reached_slack(fake_slack)
    # The genuine delivery of the same event id is still answered: the forgery claimed nothing.
    genuine = await slack.event(event, event_id="EvFORGED1")
    assert genuine.status == 200
    [post] = await fake_slack.wait_for("chat.postMessage")
    assert rnd().challenges[0] in post.text


async def test_url_verification_answers_the_challenge_when_signed(slack: SlackPlatform) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "legacy"})

    response = await slack.send(body, "application/json")

    assert response.status == 200
    assert response.json == {"challenge": "abc123"}


async def test_url_verification_unsigned_gets_401(slack: SlackPlatform) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "legacy"})

    response = await slack.send(body, "application/json", signed=False)

    assert response.status == 401
    assert "abc123" not in response.body


# -- events are answered once ------------------------------------------------------------------------


async def test_a_mention_delivered_three_times_is_answered_once_in_its_thread(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    event = mention("<@UBOT> what's the downside of an R&D org?", ts="1700000200.000200")

    first = await slack.event(event, event_id="EvTRIPLE")
    second = await slack.event(event, event_id="EvTRIPLE", retry_num=1)
    third = await slack.event(event, event_id="EvTRIPLE", retry_num=2)

    assert [first.status, second.status, third.status] == [200, 200, 200]
    await fake_slack.wait_for("chat.postMessage")
    await fake_slack.settle()
    [post] = fake_slack.posts()
    assert post.args["channel"] == "C0001"
    assert post.args["thread_ts"] == "1700000200.000200"
    assert "challenges" in post.text
    for challenge in rnd().challenges:
        assert challenge in post.text
    assert "link_names" not in post.args


async def test_a_mention_inside_a_thread_answers_in_that_thread(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    event = {**mention("<@UBOT> who typically has an R&D org?", ts="1700000300.000300")}
    event["thread_ts"] = "1700000000.000001"

    await slack.event(event)

    [post] = await fake_slack.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == "1700000000.000001"
    for organization in rnd().typical_organizations:
        assert organization in post.text


async def test_two_different_events_are_both_answered(slack: SlackPlatform, fake_slack: FakeSlack) -> None:
    await slack.event(mention("<@UBOT> what's the downside of an R&D org?", ts="1.1"), event_id="EvONE")
    await slack.event(mention("<@UBOT> what are the strengths of R&D?", ts="2.2"), event_id="EvTWO")

    posts = await fake_slack.wait_for("chat.postMessage", 2)
    await fake_slack.settle()
    assert len(fake_slack.posts()) == 2
    by_thread = {p.args["thread_ts"]: p for p in posts}
    assert rnd().challenges[0] in by_thread["1.1"].text
    assert rnd().strengths[0] in by_thread["2.2"].text


async def test_a_mention_naming_no_topic_says_what_it_can_answer(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    await slack.event(mention("<@UBOT> hello <!channel>"))

    [post] = await fake_slack.wait_for("chat.postMessage")
    assert "five archetypes and three team-design dimensions" in post.text
    assert "<!channel>" not in post.text


# -- the Web API fails, then works --------------------------------------------------------------------


async def test_share_survives_a_429_then_a_500_and_is_delivered_once(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    fake_slack.script(
        "chat.postMessage",
        Scripted(status=429, headers={"Retry-After": "1"}, body={"ok": False, "error": "ratelimited"}),
        Scripted(status=500, body={"ok": False, "error": "internal_error"}),
    )
    card = await slack.command("explain rnd")

    click = await slack.click(find_button(card.blocks, "Share in channel"))

    assert click.status == 200
    confirmation = await fake_slack.wait_for(RESPONSE_URL, timeout=15)
    assert "Shared in channel" in confirmation[0].text
    attempts = fake_slack.posts()
    assert len(attempts) == 3
    assert all(a.args == attempts[0].args for a in attempts), "each retry sends the same message"
    assert "Shared by <@U0001>" in attempts[-1].text
    await fake_slack.settle()
    assert len(fake_slack.posts()) == 3
    assert "went wrong" not in " ".join(c.text for c in fake_slack.calls_to(RESPONSE_URL))


async def test_a_web_api_that_keeps_failing_gets_a_brief_apology_without_internals(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    failure = Scripted(body={"ok": False, "error": "fatal_error"})
    fake_slack.script("chat.postMessage", failure)
    card = await slack.command("explain rnd")

    # Not asserted: the click's HTTP status. The share handler acks, then fails within
    # milliseconds against this instant fake; Bolt 1.30's runner then resets ack.response to
    # None before its 10 ms poll sees it and answers 404 after 3 s (an upstream race; against
    # the real Slack API the call takes long enough for the ack to go out first).
    await slack.click(find_button(card.blocks, "Share in channel"))

    [apology] = await fake_slack.wait_for(RESPONSE_URL)
    assert "Something went wrong" in apology.text
    assert "fatal_error" not in apology.text and "Traceback" not in apology.text
    assert apology.args.get("response_type") == "ephemeral"


# -- hostile text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (f"explain {HOSTILE}", "&lt;!channel&gt; &lt;https://evil.example|click me&gt; &amp; &lt;@U999&gt;"),
        (HOSTILE, "&lt;!channel&gt;"),
        (f"{HOSTILE} explain", "&lt;!channel&gt;"),
        (f"compare rnd vs {HOSTILE}", "&lt;!channel&gt;"),
        (f"compare {HOSTILE}", "&lt;!channel&gt;"),
    ],
)
async def test_hostile_text_is_echoed_escaped(
    slack: SlackPlatform, fake_slack: FakeSlack, text: str, escaped: str
) -> None:
    response = await slack.command(text)

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert escaped in response.text
    assert_inert(response)
    await fake_slack.settle()
    assert fake_slack.posts() == []


@pytest.mark.parametrize(
    "text",
    [
        "explain " + "r&d " * 2500,
        "x" * 10_000,
        "compare " + "rnd " * 2500,
        "compare rnd" + " " * 10_000 + "independent",
        "explain \x00\x01\x07\x1b[31m\u202e\ufeff",
        "\x00\x1b\x7f",
        "compare \x00 vs \x1b",
        "explain " + "\u0301" * 5000,
    ],
)
async def test_very_long_or_control_text_gets_a_friendly_answer(slack: SlackPlatform, text: str) -> None:
    started = time.monotonic()
    response = await slack.command(text)

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert response.text.strip()
    assert "went wrong" not in response.text
    assert len(response.blocks) <= 50
    assert time.monotonic() - started < 3, "Slack needs the ack within 3 seconds"


# -- the Home tab ------------------------------------------------------------------------------------


async def test_opening_the_home_tab_publishes_the_framework_for_that_user(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    opened = {"type": "app_home_opened", "user": "U0042", "channel": "D0042", "tab": "home"}

    response = await slack.event(opened)

    assert response.status == 200
    [publish] = await fake_slack.wait_for("views.publish")
    assert publish.args["user_id"] == "U0042"
    view = publish.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    for topic in KB.topics:
        assert topic.name in publish.text


async def test_opening_the_messages_tab_publishes_nothing(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    await slack.event({"type": "app_home_opened", "user": "U0042", "channel": "D0042", "tab": "messages"})

    await fake_slack.settle()
    assert fake_slack.calls_to("views.publish") == []


async def test_opening_a_topic_from_the_home_tab_shows_its_card_in_a_modal(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    await slack.event({"type": "app_home_opened", "user": "U0042", "channel": "D0042", "tab": "home"})
    [publish] = await fake_slack.wait_for("views.publish")
    home = publish.args["view"]
    home = json.loads(home) if isinstance(home, str) else home
    open_button = next(
        {**b["accessory"], "block_id": b.get("block_id", "b1")}
        for b in home["blocks"]
        if (b.get("accessory") or {}).get("value") == "independent"
    )
    assert open_button["text"]["text"] == "Open"

    click = await slack.click(open_button, user="U0042", view={"id": "VHOME", "type": "home", **home})

    assert click.status == 200
    [opened] = await fake_slack.wait_for("views.open")
    assert opened.args["trigger_id"].endswith(".trigger")
    modal = opened.args["view"]
    modal = json.loads(modal) if isinstance(modal, str) else modal
    assert modal["type"] == "modal"
    assert 0 < len(modal["title"]["text"]) <= 24
    assert len(modal["blocks"]) <= 100
    independent = KB.get("independent")
    assert isinstance(independent, Archetype)
    for fact in (*independent.strengths, *independent.challenges):
        assert fact in opened.text
    assert not any(b["type"] == "actions" for b in modal["blocks"]), "a modal card has no Share button"


# -- text as Slack really delivers it: typed &, < and > arrive as entities ---------------------------


async def test_a_command_slack_escaped_is_read_as_typed_and_echoed_escaped_once(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    card = await slack.command("explain r&amp;d")
    assert "Research and development" in card.text, card.text

    unknown = await slack.command("explain &lt;!channel&gt; &amp; co")
    assert "&lt;!channel&gt; &amp; co" in unknown.text
    assert "&amp;lt;" not in unknown.text and "&amp;amp;" not in unknown.text, "escaped twice"
    assert_inert(unknown)


async def test_a_mention_slack_escaped_is_understood(slack: SlackPlatform, fake_slack: FakeSlack) -> None:
    await slack.event(mention("<@UBOT> tell me about R&amp;D", ts="1700000100.000201"))
    await slack.event(mention("<@UBOT> tell me about nothing in particular", ts="1700000100.000202"))

    posts = await fake_slack.wait_for("chat.postMessage", 2)
    by_thread = {p.args.get("thread_ts"): p.text for p in posts}
    understood, generic = by_thread["1700000100.000201"], by_thread["1700000100.000202"]
    assert understood != generic, "R&amp;D was not read as R&D"
    assert rnd().short_name in understood


# -- unreadable bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("\udcff\udcfe not utf-8", "application/json"),
        ('{"type": "event_callback", "ev', "application/json"),
        ("[1, 2]", "application/json"),
        ('{"team": 5, "type": "block_actions"}', "application/json"),
        ("payload=%7B%22type%22", "application/x-www-form-urlencoded"),
        # Shapes Bolt's own matchers index into: these raised inside Bolt's dispatch (500).
        ('{"type": "block_actions", "actions": null}', "application/json"),
        ('{"type": "block_actions", "actions": []}', "application/json"),
        ('{"type": "block_actions", "actions": [{"action_id": 7}]}', "application/json"),
        ('{"type": "view_submission", "view": ["callback_id"]}', "application/json"),
        ('{"type": "event_callback", "event": "message"}', "application/json"),
        ('{"type": "block_actions", "actions": [{}]}', "application/json"),
        ('{"type": "view_submission", "view": {"callback_id": "mlorg_config"}}', "application/json"),
    ],
)
async def test_a_signed_body_that_is_not_a_slack_payload_gets_400_not_500(
    slack: SlackPlatform, fake_slack: FakeSlack, body: str, content_type: str
) -> None:
    """Bolt parses the body while building its request, before any listener: bytes that are
    not UTF-8, truncated JSON or a wrong shape used to raise there, and aiohttp answered 500."""
    response = await slack.send(body, content_type)

    assert response.status == 400
    await assert_nothing_reached_slack(fake_slack)


async def test_a_malformed_body_with_a_bad_signature_gets_401_not_400(slack: SlackPlatform) -> None:
    response = await slack.send("[1, 2]", "application/json", signature="v0=" + "0" * 64)

    assert response.status == 401


async def test_a_signed_event_that_names_no_workspace_gets_400_and_claims_nothing(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    """The de-duplication middleware claimed (\"\", event_id), which the store refuses with
    ValueError: a 500 (found by tests/e2e/test_fuzz.py)."""
    body = slack.event_body(mention("<@UBOT> what is an R&D org?"), event_id="EvNOTEAM")
    del body["team_id"], body["authorizations"]

    response = await slack.send(json.dumps(body), "application/json")

    assert response.status == 400
    await assert_nothing_reached_slack(fake_slack)


async def test_a_command_without_a_response_url_is_answered_in_its_ack_without_an_error(
    slack: SlackPlatform, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """``/mlorg quiz`` answers later through respond, which Bolt makes raise ValueError when the
    body has no response_url (found by tests/e2e/test_fuzz.py)."""
    body = "&".join(p for p in slack.command_body("quiz end").split("&") if not p.startswith("response_url="))

    response = await slack.send(body, "application/x-www-form-urlencoded")
    await fake_slack.settle()

    assert response.status == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("url", [{"url": "https://hooks.slack.com/x"}, "0", "hooks.slack.com/x"])
async def test_an_interaction_whose_response_url_is_not_a_url_gets_400(
    slack: SlackPlatform, url: Any
) -> None:
    card = await slack.command("explain")
    payload = slack.action_payload(find_button(card.blocks, "Explain"))
    payload["response_url"] = url

    response = await slack.interact(payload)

    assert response.status == 400

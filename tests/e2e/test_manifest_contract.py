"""Every command and event in app_manifest.yml reaches a listener in the running app."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from tests.e2e.fake_slack import FakeSlack
from tests.e2e.harness import RunningApp
from tests.e2e.slack_client import SlackPlatform

MANIFEST = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "app_manifest.yml").read_text(encoding="utf-8")
)


async def test_every_manifest_command_is_answered(slack: SlackPlatform) -> None:
    for entry in MANIFEST["features"]["slash_commands"]:
        body = slack.command_body("help", command=entry["command"])
        response = await slack.send(body, "application/x-www-form-urlencoded")
        assert response.status == 200, entry["command"]
        assert "/mlorg explain" in response.text


async def test_a_command_missing_from_the_manifest_is_not_handled(slack: SlackPlatform) -> None:
    body = slack.command_body("help", command="/not-mlorg")
    response = await slack.send(body, "application/x-www-form-urlencoded")
    assert response.status == 404


async def test_every_manifest_event_has_a_listener(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    samples = {
        "app_mention": {
            "type": "app_mention",
            "user": "U0001",
            "text": "<@UBOT> explain rnd",
            "ts": "1.000001",
            "channel": "C0001",
        },
        "app_home_opened": {"type": "app_home_opened", "user": "U0001", "channel": "D0001", "tab": "home"},
        "message.im": {
            "type": "message",
            "channel_type": "im",
            "user": "U0001",
            "text": "what is R&D?",
            "ts": "1.000002",
            "channel": "D0001",
        },
    }
    expected_call = {
        "app_mention": "chat.postMessage",
        "app_home_opened": "views.publish",
        "message.im": "chat.postMessage",
    }
    #: Events whose effect is a row, not a Slack call: each workspace leaves, its departure dated.
    departures = {
        "app_uninstalled": ("T0LEAVES", {"type": "app_uninstalled"}),
        "tokens_revoked": ("T0REVOKES", {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}),
    }
    for name in MANIFEST["settings"]["event_subscriptions"]["bot_events"]:
        if name in departures:
            team, event = departures[name]
            async with SlackPlatform(app.url, slack.secret, slack.response_url, team_id=team) as leaving:
                assert (await leaving.event(event)).status == 200, name
            await departed(app, team)
            continue
        before = len(fake_slack.calls_to(expected_call[name]))
        response = await slack.event(samples[name])
        assert response.status == 200, name
        await fake_slack.wait_for(expected_call[name], before + 1)


async def departed(app: RunningApp, team: str, timeout: float = 10.0) -> None:
    """Wait until the workspace's departure is recorded (the listener's effect)."""
    assert app.mlorg is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (install := await app.mlorg.store.installs.get(team, "")) is None or install.active:
        assert loop.time() < deadline, f"no departure recorded for {team}"
        await asyncio.sleep(0.02)

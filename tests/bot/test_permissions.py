"""Permission checks run before the ack, so they must be quick, bounded and cached per (team, user).

A fake Web API client stands in for Slack: it answers ``users.info`` from a set of admins,
optionally slowly or with an error, and counts the calls.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.permissions import CACHE_SECONDS, Admins

TEAM = "T0001"
SECRET_TOKEN = "xoxb-never-in-a-log"


class FakeUsersInfo:
    """Just enough of ``AsyncWebClient`` for :class:`Admins`: ``users_info``."""

    def __init__(self, admins: set[str], *, delay: float = 0.0, error: Exception | None = None) -> None:
        self.admins = admins
        self.delay = delay
        self.error = error
        self.calls: list[str] = []
        self.token = SECRET_TOKEN

    async def users_info(self, *, user: str) -> dict[str, Any]:
        self.calls.append(user)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return {"ok": True, "user": {"id": user, "is_admin": user in self.admins, "is_owner": False}}

    def as_client(self) -> AsyncWebClient:
        return cast(AsyncWebClient, self)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_workspace_admin_is_allowed_and_a_member_is_not() -> None:
    slack = FakeUsersInfo({"UADMIN"})
    admins = Admins(frozenset())
    assert await admins.allows(slack.as_client(), TEAM, "UADMIN") is True
    assert await admins.allows(slack.as_client(), TEAM, "UMEMBER") is False


async def test_a_configured_admin_is_allowed_without_asking_slack() -> None:
    slack = FakeUsersInfo(set())
    assert await Admins(frozenset({"UCONF"})).allows(slack.as_client(), TEAM, "UCONF") is True
    assert slack.calls == []


async def test_yes_and_no_are_each_asked_once_per_team_and_user_until_they_expire() -> None:
    slack, clock = FakeUsersInfo({"UADMIN"}), Clock()
    admins = Admins(frozenset(), clock=clock)
    for _ in range(3):
        assert await admins.allows(slack.as_client(), TEAM, "UADMIN") is True
        assert await admins.allows(slack.as_client(), TEAM, "UMEMBER") is False
    assert sorted(slack.calls) == ["UADMIN", "UMEMBER"]

    # The same user id in another workspace is another person: asked separately.
    assert await admins.allows(slack.as_client(), "T0002", "UADMIN") is True
    assert len(slack.calls) == 3

    # A demotion (and a promotion) takes effect once the cached answer expires.
    slack.admins = {"UMEMBER"}
    clock.now += CACHE_SECONDS - 1
    assert await admins.allows(slack.as_client(), TEAM, "UADMIN") is True
    clock.now += 2
    assert await admins.allows(slack.as_client(), TEAM, "UADMIN") is False
    assert await admins.allows(slack.as_client(), TEAM, "UMEMBER") is True
    assert len(slack.calls) == 5


async def test_a_slack_that_does_not_answer_in_time_means_no_for_this_click_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack = FakeUsersInfo({"UADMIN"}, delay=30.0)
    admins = Admins(frozenset(), lookup_seconds=0.05)
    with caplog.at_level(logging.WARNING):
        # wait_for is only a safety net for the test: the check itself gives up after 0.05 s.
        assert await asyncio.wait_for(admins.allows(slack.as_client(), TEAM, "UADMIN"), 5) is False
    assert "users.info" in caplog.text
    assert SECRET_TOKEN not in caplog.text

    # Not remembered: once Slack answers again, the admin is allowed.
    slack.delay = 0.0
    assert await admins.allows(slack.as_client(), TEAM, "UADMIN") is True
    assert slack.calls == ["UADMIN", "UADMIN"]


async def test_a_failing_users_info_means_no_and_is_asked_again_next_time() -> None:
    error = SlackApiError("ratelimited", cast(Any, {"ok": False, "error": "ratelimited"}))  # type: ignore[no-untyped-call]
    slack = FakeUsersInfo({"UADMIN"}, error=error)
    admins = Admins(frozenset())
    assert await admins.allows(slack.as_client(), TEAM, "UADMIN") is False
    slack.error = None
    assert await admins.allows(slack.as_client(), TEAM, "UADMIN") is True
    assert len(slack.calls) == 2

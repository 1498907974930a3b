"""response_url: ephemeral by default, in_channel, replace or delete the original, 5 uses in 30 minutes."""

from __future__ import annotations

import pytest

from bot.sandbox.responses import MAX_USES, RESPONSE_URL_SECONDS, ResponseUrls
from bot.sandbox.workspace import BOT, Message, Workspace


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ws() -> Workspace:
    return Workspace()


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_command_response_is_ephemeral_unless_in_channel(ws: Workspace) -> None:
    urls = ResponseUrls(ws)
    token = token_of(urls.issue("U0MIA", "C0GENERAL"))
    assert urls.use(token, {"text": "only you"}) == (200, "ok")
    assert urls.use(token, {"text": "everyone", "response_type": "in_channel"}) == (200, "ok")
    first, second = ws.messages["C0GENERAL"]
    assert first.visible_to == "U0MIA" and second.visible_to is None and second.user == BOT.id


def test_replace_and_delete_the_original(ws: Workspace) -> None:
    urls = ResponseUrls(ws)
    original = ws.add(Message("1.000001", "C0GENERAL", BOT.id, "v1", visible_to="U0MIA", thread_ts="0.5"))
    token = token_of(urls.issue("U0MIA", "C0GENERAL", original.ts, original.thread_ts))
    urls.use(token, {"text": "v2", "replace_original": True})
    assert original.text == "v2" and original.visible_to == "U0MIA"
    urls.use(token, {"text": "a note", "replace_original": False})
    assert ws.messages["C0GENERAL"][-1].thread_ts == "0.5"  # an answer to a click in a thread stays there
    assert urls.use(token, {"delete_original": "true"}) == (200, "ok")
    assert ws.find("C0GENERAL", original.ts) is None
    assert urls.use(token, {"delete_original": True}) == (404, "message_not_found")


def test_five_uses_then_used_url(ws: Workspace) -> None:
    urls = ResponseUrls(ws)
    token = token_of(urls.issue("U0MIA", "C0GENERAL"))
    for _ in range(MAX_USES):
        assert urls.use(token, {"text": "again"})[0] == 200
    assert urls.use(token, {"text": "once more"}) == (404, "used_url")
    assert urls.use("nope", {"text": "x"}) == (404, "invalid_url")


def test_thirty_minutes_then_expired_url(ws: Workspace) -> None:
    clock = Clock()
    urls = ResponseUrls(ws, clock=clock)
    token = token_of(urls.issue("U0MIA", "C0GENERAL"))
    clock.now = RESPONSE_URL_SECONDS + 1
    assert urls.use(token, {"text": "late"}) == (404, "expired_url")


def test_bad_blocks_and_empty_bodies_are_refused(ws: Workspace) -> None:
    urls = ResponseUrls(ws)
    token = token_of(urls.issue("U0MIA", "C0GENERAL"))
    assert urls.use(token, {"blocks": [{"type": "nonsense"}]}) == (400, "invalid_blocks")
    assert ws.warnings
    assert urls.use(token, {}) == (400, "no_text")

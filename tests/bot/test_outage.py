"""What mlorg says and logs while its database is unreachable (the shapes; e2e shows the wire)."""

from __future__ import annotations

import logging

import pytest

from bot.outage import UNAVAILABLE_TEXT, OutageLog, unavailable_ack
from bot.store import StoreError, StoreUnavailable

log = logging.getLogger("tests.outage")


def test_a_command_hears_about_the_outage_in_its_ack_privately() -> None:
    answer = unavailable_ack({"command": "/mlorg", "text": "quiz"})
    assert answer["response_type"] == "ephemeral" and UNAVAILABLE_TEXT in answer["text"]


def test_a_modal_submission_keeps_its_modal_and_shows_the_outage_under_its_first_field() -> None:
    view = {
        "blocks": [
            {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "hi"}},
            {"type": "input", "block_id": "channels", "element": {}},
            {"type": "input", "block_id": "time", "element": {}},
        ]
    }
    answer = unavailable_ack({"type": "view_submission", "view": view})
    assert answer == {"response_action": "errors", "errors": {"channels": UNAVAILABLE_TEXT}}


def test_a_modal_submission_without_fields_gets_a_modal_that_says_so() -> None:
    answer = unavailable_ack({"type": "view_submission", "view": {"blocks": []}})
    assert answer["response_action"] == "update"
    assert UNAVAILABLE_TEXT in str(answer["view"]["blocks"])


def test_clicks_and_events_ack_empty_and_are_told_afterwards() -> None:
    assert unavailable_ack({"type": "block_actions"}) == {}
    assert unavailable_ack({"type": "event_callback", "event": {"type": "app_mention"}}) == {}


def test_a_background_loop_logs_an_outage_once_when_it_starts_and_once_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="tests.outage")
    outage = OutageLog(log, "outbox")
    outage.succeeded()
    for _ in range(50):  # fifty ticks of a down database
        outage.failed(StoreUnavailable("could not read the outbox: cannot connect: ConnectionRefusedError"))
    outage.succeeded()
    outage.succeeded()
    outage.failed(StoreUnavailable("again"))

    messages = [r.getMessage() for r in caplog.records]
    assert [m.split(";")[0] for m in messages] == [
        "outbox: the database is unavailable (could not read the outbox: cannot connect: ConnectionRefusedError)",
        "outbox: the database is reachable again",
        "outbox: the database is unavailable (again)",
    ]


def test_a_background_loop_still_logs_every_other_failure_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="tests.outage")
    outage = OutageLog(log, "digests")
    for _ in range(2):
        outage.failed(StoreError("could not read settings: IntegrityError"))
    assert len(caplog.records) == 2 and all(r.exc_info for r in caplog.records)
    assert not outage.down

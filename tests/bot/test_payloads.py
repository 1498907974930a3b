"""The payload accessors: whatever shape a signed body has, they answer "" and never raise."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import payloads

ACCESSORS = [
    payloads.team_id,
    payloads.user_id,
    payloads.channel_id,
    payloads.action_value,
    payloads.selected_value,
    payloads.view_id,
    payloads.trigger_id,
    payloads.response_url,
]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
KEYS = st.sampled_from(["team", "user", "channel", "actions", "view", "trigger_id", "response_url"])


def test_slacks_own_shapes_are_read() -> None:
    body = {
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "channel": {"id": "C1"},
        "actions": [{"action_id": "a", "value": "v", "selected_option": {"value": "o"}}],
        "view": {"id": "V1"},
        "trigger_id": "1.2",
        "response_url": "https://hooks.slack.com/x",
    }
    assert [f(body) for f in ACCESSORS] == [
        "T1",
        "U1",
        "C1",
        "v",
        "o",
        "V1",
        "1.2",
        "https://hooks.slack.com/x",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"team": "T1", "user": "U1", "channel": "C1"},  # ids as bare strings: Bolt accepts these too
        {"user": {"id": "U1", "team_id": "T1"}, "channel": "C1"},
    ],
)
def test_an_id_given_as_a_bare_string_is_the_id(body: dict[str, Any]) -> None:
    assert (payloads.team_id(body), payloads.user_id(body), payloads.channel_id(body)) == ("T1", "U1", "C1")


@pytest.mark.parametrize(
    "body",
    [
        {"team": ["T1"], "user": 5, "channel": None},
        {"actions": None},
        {"actions": [None]},
        {"actions": {"value": "v"}},
        {"actions": [{"value": {"nested": 1}, "selected_option": []}]},
        {"view": [], "trigger_id": {"x": 1}, "response_url": ["https://x"]},
        {"user": {"id": [1]}, "team": {"id": {"id": "T1"}}},
    ],
)
def test_a_part_of_the_wrong_shape_reads_as_missing(body: dict[str, Any]) -> None:
    """These used to raise AttributeError/TypeError inside handlers (``(body.get(k) or {}).get``)."""
    assert [f(body) for f in ACCESSORS] == [""] * len(ACCESSORS)


@given(st.dictionaries(KEYS, JSON, max_size=5))
def test_no_accessor_ever_raises(body: dict[str, Any]) -> None:
    for accessor in ACCESSORS:
        assert isinstance(accessor(body), str)


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("0", 0),
        ("3", 3),
        ("123456", 123456),
        ("", -1),
        ("-1", -1),
        (" 1", -1),
        ("²", -1),
        ("٣", -1),
        ("1" * 7, -1),
    ],
)
def test_a_position_in_a_button_value_is_a_short_run_of_ascii_digits(part: str, expected: int) -> None:
    """``"²".isdigit()`` is true and ``int("²")`` raises: the quiz answer handler crashed on it."""
    assert payloads.index(part) == expected

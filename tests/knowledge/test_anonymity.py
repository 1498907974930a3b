"""The one anonymity rule, and how a watched aggregate may move from one view to the next."""

from __future__ import annotations

from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.anonymity import (
    MAX_GROUP,
    MIN_GROUP,
    changed_people,
    group_size,
    may_show,
    position,
    release,
    safe_beside,
)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [(3, 3), (10, 10), (2, MIN_GROUP), (0, MIN_GROUP), (-5, MIN_GROUP), (51, MAX_GROUP), (10**9, MAX_GROUP)],
)
def test_a_group_size_is_clamped_to_the_range_a_workspace_may_choose(setting: int, expected: int) -> None:
    assert group_size(setting) == expected


@pytest.mark.parametrize("malformed", [None, "10", 3.5, True, False, [], {"n": 5}])
def test_a_malformed_group_size_falls_back_to_the_minimum_and_never_shows_more(malformed: object) -> None:
    assert group_size(malformed) == MIN_GROUP


def test_may_show_takes_a_count_or_the_people_themselves() -> None:
    assert may_show(3) and not may_show(2)
    assert may_show({"a", "b", "c"}) and not may_show(["a", "b"])
    assert not may_show(9, 10) and may_show(10, 10)
    assert may_show(3, "lots") and not may_show(2, "lots")


def test_changed_people_counts_arrivals_retakes_and_departures_without_overcounting() -> None:
    assert changed_people(["a", "b", "c"], ["a", "b", "c"]) == 0
    assert changed_people(["a", "b", "c"], ["a", "b", "c", "d"]) == 1  # one arrived
    assert changed_people(["a", "b", "c"], ["a", "b", "c2"]) == 1  # one retook
    assert changed_people(["a", "b", "c"], ["a", "b"]) == 1  # one left
    assert changed_people(["a", "b", "c"], ["a", "b2", "c2", "d"]) == 3


def test_nothing_is_drawn_below_the_group_and_the_first_drawing_needs_the_group() -> None:
    assert release({"all": ["a", "b"]}, None, 3, anchor="all").visible == frozenset()
    first = release({"all": ["a", "b", "c"]}, None, 3, anchor="all")
    assert first.visible == {"all"} and first.updated and first.shown == {"all": ("a", "b", "c")}


def test_one_newcomer_is_held_until_the_group_has_changed() -> None:
    shown = release({"all": ["a", "b", "c"]}, None, 3).shown

    one_more = release({"all": ["a", "b", "c", "d"]}, shown, 3, anchor="all")
    assert one_more.visible == frozenset() and one_more.held == {"all"}
    assert one_more.shown == shown, "what is held keeps pointing at what was last drawn"
    assert one_more.pending("all", ["a", "b", "c", "d"]) == 1

    three_more = release({"all": list("abcdef")}, one_more.shown, 3, anchor="all")
    assert three_more.visible == {"all"} and three_more.shown["all"] == tuple("abcdef")


def test_a_retake_with_no_new_people_is_a_change_and_is_held() -> None:
    shown = release({"all": ["a", "b", "c"]}, None, 3).shown

    retake = release({"all": ["a", "b", "c-again"]}, shown, 3, anchor="all")

    assert retake.visible == frozenset() and "all" in retake.held


def test_an_unchanged_view_may_be_drawn_again_but_says_nothing_is_new() -> None:
    shown = release({"all": ["a", "b", "c"]}, None, 3).shown

    again = release({"all": ["c", "b", "a"]}, shown, 3, anchor="all")

    assert again.visible == {"all"} and not again.updated


def test_a_bundle_is_drawn_all_or_none() -> None:
    sections = {"all": list("abcdef"), "leader": ["a", "b", "c"], "contributor": ["d", "e", "f"]}
    shown = release(sections, None, 3, together=[frozenset({"leader", "contributor"})]).shown
    # One more contributor: the contributors' figures would move by one person.
    sections = {**sections, "all": list("abcdefg"), "contributor": ["d", "e", "f", "g"]}

    result = release(sections, shown, 3, anchor="all", together=[frozenset({"leader", "contributor"})])

    assert "leader" not in result.visible and "contributor" not in result.visible
    assert result.shown["leader"] == ("a", "b", "c") and result.shown["contributor"] == ("d", "e", "f")


def test_leaders_are_not_drawn_while_their_contributors_are_held_back() -> None:
    bundle = [frozenset({"leader", "contributor"})]
    sections = {"all": list("abcdef"), "leader": ["a", "b", "c"], "contributor": ["d", "e", "f"]}
    shown = release(sections, None, 3, anchor="all", together=bundle).shown
    # Three arrive: enough for everyone's figures, but only one is a contributor and the
    # leaders did not change at all. Leaders alone, beside the old contributors, would be
    # a comparison nobody may see yet.
    sections = {"all": list("abcdefghi"), "leader": ["a", "b", "c"], "contributor": ["d", "e", "f", "g"]}

    result = release(sections, shown, 3, anchor="all", together=bundle)

    assert "all" in result.visible
    assert "contributor" in result.held
    assert "leader" not in result.visible
    assert result.shown["leader"] == ("a", "b", "c") and result.shown["contributor"] == ("d", "e", "f")


def test_without_its_anchor_nothing_of_a_view_is_drawn() -> None:
    shown = release({"all": list("abc"), "dim": list("abc")}, None, 3).shown

    result = release({"all": list("abcd"), "dim": list("abc")}, shown, 3, anchor="all")

    assert result.visible == frozenset()


# -- the attacker: people arrive, retake and leave one at a time, and someone watches every view ------

Event = tuple[str, int]


@settings(max_examples=300, deadline=None)
@given(
    group=st.integers(min_value=MIN_GROUP, max_value=6),
    events=st.lists(
        st.tuples(st.sampled_from(["arrive", "retake", "leave"]), st.integers(min_value=0, max_value=40)),
        max_size=60,
    ),
)
def test_no_two_consecutive_views_differ_by_fewer_than_the_group(group: int, events: list[Event]) -> None:
    tokens = count()
    people: dict[int, str] = {}
    next_person = count()
    shown = None
    drawn: tuple[str, ...] | None = None
    for kind, pick in events:
        if kind == "arrive" or not people:
            people[next(next_person)] = f"t{next(tokens)}"
        else:
            person = sorted(people)[pick % len(people)]
            if kind == "retake":
                people[person] = f"t{next(tokens)}"
            else:
                del people[person]
        result = release({"all": list(people.values())}, shown, group, anchor="all")
        shown = result.shown
        if "all" not in result.visible:
            continue
        now = tuple(sorted(people.values()))
        assert len(now) >= group
        if drawn is not None and now != drawn:
            assert changed_people(drawn, now) >= group, (drawn, now)
        drawn = now


# -- across views: the workspace's ledger ---------------------------------------------------------


def test_a_set_one_person_apart_from_one_shown_elsewhere_is_held() -> None:
    # A team thread showed a, b and c; the week's summary would show them and d.
    ledger = {"all": [("a", "b", "c")]}

    result = release({"all": list("abcd")}, None, 3, anchor="all", ledger=ledger)

    assert result.visible == frozenset()
    assert "all" in result.held


def test_the_same_people_as_shown_elsewhere_may_be_shown_again() -> None:
    ledger = {"all": [("a", "b", "c")]}

    assert release({"all": list("cba")}, None, 3, anchor="all", ledger=ledger).visible == {"all"}


def test_a_whole_group_apart_from_everything_shown_may_be_shown() -> None:
    ledger = {"all": [("a", "b", "c"), ("x", "y", "z")]}

    assert safe_beside(list("abcdef"), ledger["all"], 3)
    assert not safe_beside(list("abcde"), ledger["all"], 3)


def test_sets_that_share_nobody_say_nothing_about_each_other() -> None:
    assert safe_beside(["d", "e", "f"], [("a", "b", "c")], 3)


def test_the_ledger_is_compared_per_statistic_only() -> None:
    # Leaders' mean on a dimension and everyone's mix of best fits do not subtract.
    ledger = {"leader": [("a", "b", "c")]}

    assert release({"all": list("abcd")}, None, 3, anchor="all", ledger=ledger).visible == {"all"}


def test_a_forgotten_person_leaves_a_set_too_close_to_what_was_shown() -> None:
    ledger = {"all": [tuple("abcdef")]}

    assert not safe_beside(list("abcde"), ledger["all"], 3)


@pytest.mark.parametrize(
    ("value", "shown"), [(0.449, 0.4), (0.451, 0.5), (0.04, 0.0), (-0.04, 0.0), (-0.17, -0.2), (1.0, 1.0)]
)
def test_positions_and_gaps_are_shown_in_tenths(value: float, shown: float) -> None:
    assert position(value) == shown
    assert str(position(value)) == str(shown)  # never "-0.0"


# -- the attacker again, now with three views of overlapping people and one ledger ------------------------

VIEWS = {"team A": {"A"}, "team B": {"B"}, "the week": {"A", "B", "alone"}}


@settings(max_examples=300, deadline=None)
@given(
    group=st.integers(min_value=MIN_GROUP, max_value=5),
    events=st.lists(
        st.tuples(
            st.sampled_from(["arrive", "retake", "leave"]),
            st.sampled_from(["A", "B", "alone"]),
            st.integers(min_value=0, max_value=40),
            st.sampled_from(sorted(VIEWS)),  # which view someone looks at afterwards
        ),
        max_size=60,
    ),
)
def test_no_two_views_at_any_two_moments_differ_by_fewer_than_the_group(
    group: int, events: list[tuple[str, str, int, str]]
) -> None:
    tokens = count()
    people: dict[tuple[str, int], str] = {}
    next_person = count()
    shown: dict[str, dict[str, tuple[str, ...]]] = {view: {} for view in VIEWS}
    ledger: dict[str, list[tuple[str, ...]]] = {}
    seen: list[frozenset[str]] = []
    for kind, place, pick, looked_at in events:
        mine = sorted(p for p in people if p[0] == place)
        if kind == "arrive" or not mine:
            people[(place, next(next_person))] = f"t{next(tokens)}"
        elif kind == "retake":
            people[mine[pick % len(mine)]] = f"t{next(tokens)}"
        else:
            del people[mine[pick % len(mine)]]
        scope = [token for (where, _), token in people.items() if where in VIEWS[looked_at]]
        result = release({"all": scope}, shown[looked_at], group, anchor="all", ledger=ledger)
        shown[looked_at] = result.shown
        if "all" not in result.visible:
            continue
        now = frozenset(scope)
        if tuple(sorted(now)) not in ledger.setdefault("all", []):
            ledger["all"].append(tuple(sorted(now)))
        for before in seen:
            if before & now and before != now:
                assert changed_people(before, now) >= group, (sorted(before), sorted(now))
        seen.append(now)

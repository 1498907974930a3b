"""The one rule for showing people's answers together, and how a watched aggregate may change.

mlorg promises that nothing is broken down for fewer people than a workspace's minimum
group size. Every aggregate anyone sees (a team's thread summary, leaders against
contributors, a leadership summary or digest, a quiz question's tally, an export) asks
:func:`may_show` whether its group is large enough, so the promise is kept in one place.

A group being large enough is not the whole story when people can *watch* an aggregate
change. If a team summary is redrawn after every answer, the difference between two
consecutive views is one person's answer. :func:`release` decides, section by section,
whether new figures may replace the ones last shown: only when at least the minimum group
of people changed underneath them (arrived, retook, or left), so any two consecutive views
differ by the contributions of at least that many people, never by one person's.

People are represented here by opaque *member tokens*: a token stands for one person's
current answers and changes whenever those answers change (a retake gets a new token), so
"who changed" is a set difference and no user id is needed to decide it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final

__all__ = [
    "MAX_GROUP",
    "MIN_GROUP",
    "Release",
    "Shown",
    "changed_people",
    "group_size",
    "may_show",
    "release",
]

#: The smallest group whose answers are ever shown together: fewer, and a person could be singled out.
MIN_GROUP: Final = 3
#: The largest minimum a workspace may ask for; larger would hide every team summary for good.
MAX_GROUP: Final = 50

#: What each section of a watched aggregate reflected when it was last shown: its member tokens.
Shown = Mapping[str, Collection[str]]


def group_size(min_group: object = MIN_GROUP) -> int:
    """A workspace's minimum group size made safe: an int clamped to MIN_GROUP..MAX_GROUP.

    Anything that is not an int (a malformed setting, a forged value) means MIN_GROUP, so a
    mistake can only ever make mlorg show less, never more.
    """
    if isinstance(min_group, bool) or not isinstance(min_group, int):
        return MIN_GROUP
    return max(MIN_GROUP, min(MAX_GROUP, min_group))


def may_show(people: int | Collection[object], min_group: object = MIN_GROUP) -> bool:
    """The rule: figures about ``people`` (a count, or the people themselves) may be broken down
    only when there are at least the workspace's minimum group size of them."""
    count = people if isinstance(people, int) else len(people)
    return count >= group_size(min_group)


def changed_people(before: Collection[str], after: Collection[str]) -> int:
    """How many people at least changed between two sets of member tokens.

    A newcomer adds a token, a retake swaps one token for another, someone who left (or
    asked to be forgotten) removes one. Without linking tokens to people the exact number
    is unknowable; the larger of "tokens added" and "tokens removed" never overcounts, so a
    rule built on it errs toward showing less.
    """
    old, new = set(before), set(after)
    return max(len(new - old), len(old - new))


@dataclass(frozen=True)
class Release:
    """Which sections of a watched aggregate may be drawn now, and what to remember.

    ``visible``: sections large enough whose figures are unchanged or changed by at least
    the group size since last shown. ``held``: large enough, but changed by fewer people
    than that since last shown; they must not be drawn until more change. Sections absent
    from both are too small to show at all. ``shown`` is the state to keep for next time.
    ``updated`` is True when a visible section's figures differ from those last shown,
    i.e. when a redraw would show anything new.
    """

    visible: frozenset[str]
    held: frozenset[str]
    shown: dict[str, tuple[str, ...]]
    updated: bool

    def pending(self, section: str, members: Collection[str]) -> int:
        """People whose answers changed in ``section`` since it was last drawn (0 if never drawn)."""
        before = self.shown.get(section)
        return 0 if before is None else changed_people(before, members)


def release(
    sections: Mapping[str, Collection[str]],
    shown: Shown | None,
    min_group: object = MIN_GROUP,
    *,
    anchor: str | None = None,
    together: Collection[frozenset[str]] = (),
) -> Release:
    """Decide which sections may be drawn, given what each reflected when last shown.

    ``sections`` maps a section (the whole group, one dimension, the leaders, ...) to the
    member tokens its figures would be computed from now. With ``shown=None`` nothing has
    been shown yet. A section may be drawn when it is large enough (:func:`may_show`) and,
    if it was shown before, is either unchanged or changed by at least the group size.
    Sections in one of ``together`` are drawn all or none (leaders *against* contributors);
    without the ``anchor`` section nothing is drawn at all. What is not drawn keeps
    referring to what was last drawn, so changes accumulate until they may be shown.
    """
    group = group_size(min_group)
    previous = {key: tuple(sorted(members)) for key, members in (shown or {}).items()}
    current = {key: tuple(sorted(members)) for key, members in sections.items()}
    changes = {key: changed_people(previous[key], now) for key, now in current.items() if key in previous}
    visible: set[str] = set()
    held: set[str] = set()
    for key, members in current.items():
        if not may_show(members, group):
            continue
        if 0 < changes.get(key, 0) < group:
            held.add(key)
        else:
            visible.add(key)
    for bundle in together:
        if not bundle <= visible:
            visible -= bundle
    if anchor is not None and anchor not in visible:
        visible.clear()
    keep = dict(previous)
    keep.update({key: current[key] for key in visible})
    updated = any(changes.get(key) != 0 for key in visible)
    return Release(frozenset(visible), frozenset(held), keep, updated)

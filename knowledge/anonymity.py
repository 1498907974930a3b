"""The one rule for showing people's answers together, in one view and across all of them.

mlorg promises that nothing is broken down for fewer people than a workspace's minimum
group size, and that watching does not help: no view, and no two views, may differ by the
answers of fewer people than that. Every aggregate anyone sees asks this module, so the
promise is kept in one place.

The model: one ledger per workspace
-----------------------------------

Every figure mlorg shows is computed from a *set of contributions*: opaque member tokens,
one per person's current answers (a diagnosis's id; a retake is a new token, a forgotten
person's token disappears). A view is cut into *sections*, one per statistic (everyone's
mix of best fits, the mean on one dimension, leaders' mean on it, ...), and a section is
always drawn from one set. The team thread, a week's leadership summary, the digest and
the export (the same week's summary), the trend (each week's own summary, again) and their
charts and alt text all name their sections the same way, so "leaders on dimension X" in
a thread and in the summary are the same statistic.

A quiz round is a section too: its tally is shown once, in its thread, when the question
closes, and every later figure built on quiz answers (the scoreboard's most-missed question,
the summary's accuracy by topic, the export) counts the round only with the players its
tally was shown with.

The workspace keeps a *ledger*: every set any section of any view has ever shown, by
section (:data:`Ledger`). A section may be drawn from a set ``S`` only when

1. ``S`` has at least the minimum group ``g`` of people (:func:`may_show`); and
2. for every set ``T`` the ledger holds for the same section that shares anyone with
   ``S``, ``S`` and ``T`` are the same people or differ by at least ``g`` of them
   (:func:`changed_people`: people added, removed, or whose answers changed).

Otherwise it is *held*: the view keeps showing what it last showed (a set already in the
ledger, so already safe), shows a set already in the ledger that it still holds (a week's
summary shows a team thread's three people rather than them and a fourth), or shows no
figures. What is drawn is added to the ledger in the same
compare-and-set as the view's own state, so two replicas cannot both extend it from the
same starting point. A view's own last state is in the ledger too: watching one view is
the special case of comparing it with itself.

Why it holds. The ledger is, by induction, a family of sets in which any two that overlap
are equal or differ by at least ``g`` people: a set joins only after being checked against
every member. An attacker who sees every view at every moment sees only sets from the
ledger, so subtracting any two figures of the same statistic leaves the contributions of
at least ``g`` people (or of none); knowing their own answers, they can take away at most
themselves, and the remaining ``g - 1`` or more people stay together. Sets that share
nobody (two teams, two weeks, everyone's retake) reveal nothing about each other's people
by subtraction. Different statistics (a mix of best fits and a mean on one dimension) do
not subtract, so they are compared within their section only.

Counts are figures too. A section's size is shown with it; a count of people *left out*
(those who answered too few questions to be placed) is never shown below ``g``, because it
would be the difference of two sets that differ by fewer than ``g``. How many people took
part (the invitation's running count) is public participation, not anyone's answers; the
number of people waiting to be shown counts arrivals only, placed or not, so it says nothing
about how anyone answered and a forgotten person is never counted as a new one.

Positions (0 to 1 on a dimension) and gaps are rounded to tenths before anything is drawn
(:func:`position`), so words, alt text and charts all carry the same coarse figure.

People are represented here by opaque *member tokens* only; no user id is needed to decide
any of this, and none is stored with it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final

__all__ = [
    "MAX_GROUP",
    "MIN_GROUP",
    "Ledger",
    "Release",
    "Shown",
    "changed_people",
    "group_size",
    "may_show",
    "position",
    "release",
    "safe_beside",
]

#: The smallest group whose answers are ever shown together: fewer, and a person could be singled out.
MIN_GROUP: Final = 3
#: The largest minimum a workspace may ask for; larger would hide every team summary for good.
MAX_GROUP: Final = 50

#: What each section of a watched aggregate reflected when it was last shown: its member tokens.
Shown = Mapping[str, Collection[str]]
#: Every set of member tokens any view of a workspace has shown, by section.
Ledger = Mapping[str, Collection[Collection[str]]]


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


def position(value: float) -> float:
    """A position or gap as it may be shown: in tenths.

    Finer figures would let anyone who knows the (public) suggested positions read an
    average in hundredths, and with it one person's pull on a small group.
    """
    return round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0, so nothing prints "-0.0"


def safe_beside(
    members: Collection[str], ledger: Collection[Collection[str]], min_group: object = MIN_GROUP
) -> bool:
    """Whether a section drawn from ``members`` may be shown beside every set already shown.

    Each set in ``ledger`` that shares anyone with ``members`` must be the same people or
    differ by at least the group size; sets that share nobody say nothing about each other.
    """
    group = group_size(min_group)
    mine = set(members)
    for other in ledger:
        theirs = set(other)
        if mine & theirs and 0 < changed_people(theirs, mine) < group:
            return False
    return True


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
    ledger: Ledger | None = None,
) -> Release:
    """Decide which sections may be drawn, given what each reflected when last shown.

    ``sections`` maps a section (the whole group, one dimension, the leaders, ...) to the
    member tokens its figures would be computed from now. With ``shown=None`` nothing has
    been shown yet. A section may be drawn when it is large enough (:func:`may_show`) and,
    if it was shown before, is either unchanged or changed by at least the group size.
    Sections in one of ``together`` are drawn all or none (leaders *against* contributors);
    without the ``anchor`` section nothing is drawn at all. What is not drawn keeps
    referring to what was last drawn, so changes accumulate until they may be shown.
    ``ledger`` holds what every view of the workspace has shown, by section; a section
    that is not :func:`safe_beside` it is held too, so no two views differ by fewer than
    the group size either.
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
        if 0 < changes.get(key, 0) < group or not safe_beside(members, (ledger or {}).get(key, ()), group):
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

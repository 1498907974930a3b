"""The framework as validated, immutable data.

Every model is frozen and forbids unknown fields: a typo in a content file
(``challanges:``) must fail loudly at start-up rather than silently drop a fact.
The content itself lives in ``knowledge/content/*.yaml``; these classes are the
schema it is checked against.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "Archetype",
    "Dimension",
    "Position",
    "TopicId",
]

#: Stable identifiers are lower-case slugs so they can travel in button values and URLs.
TopicId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=75)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Position(_Frozen):
    """Where the framework suggests an archetype sits on one design dimension.

    ``stance`` is a short label that fits on a button or a table cell; ``detail``
    carries the full fact.
    """

    stance: Label
    detail: Text


class Archetype(_Frozen):
    """One of the five ways an organization places its ML people."""

    id: TopicId
    #: The seed text numbers the archetypes 1-5; people say "type 3".
    number: int = Field(ge=1, le=99)
    name: Label
    short_name: Label
    aliases: tuple[Label, ...] = ()
    emoji: str = ""
    summary: Text
    looks_like: tuple[Text, ...] = Field(min_length=1)
    strengths: tuple[Text, ...] = Field(min_length=1)
    challenges: tuple[Text, ...] = Field(min_length=1)
    typical_organizations: tuple[Text, ...] = Field(min_length=1)
    #: Dimension id -> suggested position. The framework gives none for some
    #: archetypes (nascent), so an empty mapping is valid and rendered as such.
    positions: dict[TopicId, Position] = Field(default_factory=dict)
    #: Free-form notes an organization adds through an overlay.
    notes: tuple[Text, ...] = ()
    related: tuple[TopicId, ...] = ()


class Dimension(_Frozen):
    """One of the three axes along which an ML team is shaped."""

    id: TopicId
    name: Label
    short_name: Label
    aliases: tuple[Label, ...] = ()
    emoji: str = ""
    summary: Text
    #: The questions the dimension asks of a team.
    questions: tuple[Text, ...] = Field(min_length=1)
    #: What falls under it (for data: collection, warehousing, labeling, pipelines).
    covers: tuple[Label, ...] = Field(min_length=1)
    #: The two ends of the axis, for rendering a position as a scale.
    low_end: Label
    high_end: Label
    notes: tuple[Text, ...] = ()

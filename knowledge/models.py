"""The framework as validated, immutable data.

Every model is frozen and forbids unknown fields: a typo in a content file
(``challanges:``) must fail loudly at start-up rather than silently drop a fact.
The content itself lives in ``knowledge/content/*.yaml``; these classes are the
schema it is checked against.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

__all__ = [
    "Archetype",
    "Dimension",
    "Option",
    "Position",
    "Question",
    "QuizOption",
    "QuizQuestion",
    "Role",
    "TopicId",
]

#: Stable identifiers are lower-case slugs so they can travel in button values and URLs.
TopicId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=75)]
#: A question prompt doubles as a Block Kit header, which Slack caps at 150 characters.
Prompt = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]
#: A place on a design dimension: 0.0 is the dimension's ``low_end``, 1.0 its ``high_end``.
Scale = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
#: How strongly an answer points at an archetype; 0 (or absent) means not at all.
Weight = Annotated[float, Field(ge=0.0, le=10.0, allow_inf_nan=False)]
#: A quiz option's id travels in a Slack button value next to the quiz and question ids, so it stays short.
QuizOptionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,19}$")]
#: A quiz prompt is shown in a section block, not a header, so it may be longer than a diagnosis prompt.
QuizPrompt = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
#: Who answered, for the team view's leader-versus-contributor comparison.
Role = Literal["leader", "contributor"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Position(_Frozen):
    """Where the framework suggests an archetype sits on one design dimension.

    ``stance`` is a short label that fits on a button or a table cell; ``detail``
    carries the full fact.
    """

    stance: Label
    detail: Text
    #: mlorg's own placement of the stance on the dimension's scale (0.0 = ``low_end``,
    #: 1.0 = ``high_end``). The framework states its positions in words only; this number
    #: is our reading of those words, used to measure how far a diagnosed team sits from
    #: the position suggested for its archetype. None (e.g. a position an overlay adds
    #: without a number) means "no placement": the diagnosis then reports no gap there.
    scale: Scale | None = None


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
    #: mlorg's own concrete advice for a team that resembles this archetype, one step
    #: per challenge (the framework names the challenges, not the remedies). The
    #: built-in archetypes all have steps; an archetype an overlay adds may leave them
    #: out, and the diagnosis then turns its challenges into steps.
    next_steps: tuple[Text, ...] = ()
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
    #: mlorg's advice for a team that sits too far toward ``high_end`` for its archetype:
    #: what to do to move toward ``low_end``.
    toward_low: Text
    #: mlorg's advice for a team that sits too far toward ``low_end``: how to move toward ``high_end``.
    toward_high: Text
    notes: tuple[Text, ...] = ()


class Option(_Frozen):
    """One answer to a diagnosis question, and what choosing it says about a team.

    The weights and positions are mlorg's own model built from the framework's
    facts, not part of the framework: ``weights`` says how strongly the answer
    points at each archetype (absent = 0), ``positions`` where it places the team
    on the dimensions it speaks to (0.0 = ``low_end``, 1.0 = ``high_end``).
    """

    id: TopicId
    #: Shown on a button, so it obeys Slack's 75-character button text limit.
    label: Label
    weights: dict[TopicId, Weight] = Field(default_factory=dict)
    positions: dict[TopicId, Scale] = Field(default_factory=dict)
    #: The honest "don't know": it carries no weights or positions and does not count
    #: towards having answered enough.
    dont_know: bool = False
    #: Only on the role question: which group the person belongs to (None: not said).
    role: Role | None = None


class Question(_Frozen):
    """One question of the diagnosis, answered by picking one option.

    ``purpose: score`` questions feed the result; the single ``purpose: role``
    question only sorts answers into leaders and contributors for the team view.
    """

    id: TopicId
    prompt: Prompt
    #: One line of context under the prompt, for a question a person might misread.
    help: Text | None = None
    purpose: Literal["score", "role"] = "score"
    options: tuple[Option, ...] = Field(min_length=3, max_length=6)

    @field_validator("options")
    @classmethod
    def _option_ids_are_unique(cls, options: tuple[Option, ...]) -> tuple[Option, ...]:
        seen: set[str] = set()
        for option in options:
            if option.id in seen:
                raise ValueError(f"option id {option.id!r} is used twice; each option needs its own id")
            seen.add(option.id)
        return options

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None (ids arrive in button values and may be stale)."""
        return next((o for o in self.options if o.id == option_id), None)


class QuizOption(_Frozen):
    """One answer to a quiz question; its text goes on a button (75 characters)."""

    id: QuizOptionId
    text: Label


class QuizQuestion(_Frozen):
    """An authored quiz question: one correct option, and an explanation that teaches the fact.

    ``topic`` names the archetype or dimension the question draws on, so a quiz can be
    asked about one topic and the leadership summary can say which topics people miss.
    The loader checks what one entry cannot see on its own: that ``answer`` is one of the
    options, that ``topic`` exists, and that no two options read the same.
    """

    id: TopicId
    prompt: QuizPrompt
    options: tuple[QuizOption, ...] = Field(min_length=2, max_length=5)
    answer: QuizOptionId
    explanation: Text
    topic: TopicId
    difficulty: Literal["easy", "medium", "hard"] = "medium"

    @field_validator("options")
    @classmethod
    def _option_ids_are_unique(cls, options: tuple[QuizOption, ...]) -> tuple[QuizOption, ...]:
        seen: set[str] = set()
        for option in options:
            if option.id in seen:
                raise ValueError(f"option id {option.id!r} is used twice; each option needs its own id")
            seen.add(option.id)
        return options

    def option(self, option_id: str) -> QuizOption | None:
        """The option with this id, or None (ids arrive in button values and may be stale)."""
        return next((o for o in self.options if o.id == option_id), None)

"""The Block Kit builders are pure: content in, blocks out, within Slack's limits.

No Slack, no network: every topic, every ordered pair, every surface is built and
checked against the limits Slack enforces (a message over them is rejected whole),
and each card is checked to carry every fact of its topic.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from bot.app import Mlorg, build_app
from bot.commands import CommandRouter
from bot.features.ask.blocks import answer_text, build_answer
from bot.features.explain.blocks import (
    FRAMEWORK_LINE,
    build_card,
    build_comparison,
    build_miss,
    build_overview,
    build_pair_problem,
)
from bot.features.help.blocks import build_help
from bot.features.home.blocks import build_home, build_topic_modal
from bot.settings import Settings
from knowledge import (
    Archetype,
    Dimension,
    KnowledgeBase,
    Lookup,
    Topic,
    compare,
    explain,
    load_knowledge,
    overview,
)
from knowledge.answering import Answerer

Blocks = list[dict[str, Any]]

KB: KnowledgeBase = load_knowledge()
TOPICS = KB.topics
ARCHETYPE_PAIRS = list(itertools.permutations(KB.archetypes, 2))
DIMENSION_PAIRS = list(itertools.permutations(KB.dimensions, 2))
SHARERS = [None, "U0123ABCD"]


# -- Slack's limits --------------------------------------------------------------------------------

MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTIONS = 100
MAX_ID = 255
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_MODAL_TITLE = 24


def elements_of(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(block.get("elements") or [])
    if block.get("accessory"):
        found.append(block["accessory"])
    return [e for e in found if "action_id" in e]


def assert_element_within_limits(element: dict[str, Any]) -> None:
    assert 0 < len(element["action_id"]) <= MAX_ID
    if element["type"] == "button":
        assert 0 < len(element["text"]["text"]) <= MAX_BUTTON_TEXT
        assert element["text"]["type"] == "plain_text"
        assert len(element.get("value", "")) <= MAX_BUTTON_VALUE
    elif element["type"] == "static_select":
        assert 0 < len(element["options"]) <= MAX_OPTIONS
        assert len(element["placeholder"]["text"]) <= 150
        values = [o["value"] for o in element["options"]]
        assert len(values) == len(set(values)), "option values must be unique"
        for option in element["options"]:
            assert 0 < len(option["text"]["text"]) <= MAX_OPTION_TEXT
            assert 0 < len(option["value"]) <= MAX_OPTION_VALUE
    else:  # pragma: no cover - a new element type needs its limits checked here
        raise AssertionError(f"unchecked element type {element['type']}")


def assert_within_limits(blocks: Blocks, *, max_blocks: int = MAX_BLOCKS_MESSAGE) -> None:
    assert 0 < len(blocks) <= max_blocks
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), f"block_ids repeat: {block_ids}"
    for block in blocks:
        assert len(block.get("block_id", "")) <= MAX_ID
        kind = block["type"]
        if kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= MAX_HEADER
        elif kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= MAX_SECTION_TEXT
            fields = block.get("fields") or []
            assert len(fields) <= MAX_FIELDS
            for field in fields:
                assert 0 < len(field["text"]) <= MAX_FIELD_TEXT
        elif kind == "context":
            assert 0 < len(block["elements"]) <= MAX_CONTEXT_ELEMENTS
            for element in block["elements"]:
                assert len(element.get("text", "")) <= MAX_SECTION_TEXT
        elif kind == "actions":
            assert 0 < len(block["elements"]) <= MAX_ACTIONS_ELEMENTS
        else:
            assert kind == "divider", f"unchecked block type {kind}"
        interactive = elements_of(block)
        action_ids = [e["action_id"] for e in interactive]
        assert len(action_ids) == len(set(action_ids)), f"action_ids repeat within a block: {action_ids}"
        for element in interactive:
            assert_element_within_limits(element)


def visible_text(node: Any) -> str:
    """Every ``text`` string, joined: what a reader of the message would see."""

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for key, child in value.items():
                if key == "text" and isinstance(child, str):
                    yield child
                else:
                    yield from walk(child)
        elif isinstance(value, list):
            for child in value:
                yield from walk(child)

    return "\n".join(walk(node))


def card(topic: Topic, *, shared_by: str | None = None, interactive: bool = True) -> Blocks:
    return build_card(explain(KB, topic), KB, shared_by=shared_by, interactive=interactive)


def facts_of(topic: Topic) -> list[str]:
    """Every fact of a topic that its card must show, as written in the content."""
    if isinstance(topic, Archetype):
        facts = [
            topic.name,
            topic.summary,
            *topic.looks_like,
            *topic.strengths,
            *topic.challenges,
            *topic.typical_organizations,
            *topic.notes,
        ]
        for position in topic.positions.values():
            facts += [position.stance, position.detail]
        return facts
    facts = [topic.name, topic.summary, *topic.questions, *topic.covers, topic.low_end, topic.high_end]
    facts += topic.notes
    for a in KB.archetypes:
        position = a.positions.get(topic.id)
        if position is not None:
            facts += [position.stance, position.detail]
    return facts


def an_app() -> Mlorg:
    """The app as the composition root builds it, with the features' real registrations."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        slack_api_url="http://127.0.0.1:9/api/",
        database_url="sqlite:///unused-by-builders.sqlite3",
    )
    return build_app(settings, kb=KB)


def a_router() -> CommandRouter:
    return an_app().commands


# -- cards -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("shared_by", SHARERS)
@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_every_card_is_within_slacks_limits(topic: Topic, shared_by: str | None) -> None:
    assert_within_limits(card(topic, shared_by=shared_by))
    assert_within_limits(card(topic, interactive=False))


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_every_card_contains_every_fact_of_its_topic(topic: Topic) -> None:
    for variant in (card(topic), card(topic, shared_by="U1"), card(topic, interactive=False)):
        text = visible_text(variant)
        for fact in facts_of(topic):
            assert fact in text, f"{topic.id}: missing {fact!r}"
        assert FRAMEWORK_LINE in text


@pytest.mark.parametrize("topic", KB.archetypes, ids=lambda t: t.id)
def test_an_archetype_card_has_its_sections_in_order(topic: Archetype) -> None:
    text = visible_text(card(topic))
    titles = [
        "What it looks like",
        "Strengths",
        "Challenges",
        "Typical organizations",
        "Position on the design dimensions",
    ]
    positions = [text.index(f"*{title}*") for title in titles]
    assert positions == sorted(positions)
    for dimension in KB.dimensions:
        assert dimension.name in text


def test_an_archetype_without_positions_says_the_framework_suggests_none() -> None:
    without = [a for a in KB.archetypes if not a.positions]
    assert without, "the built-in content has one (nascent)"
    for topic in without:
        assert visible_text(card(topic)).count("suggests no position") == len(KB.dimensions)


@pytest.mark.parametrize("topic", KB.archetypes, ids=lambda t: t.id)
def test_an_archetype_card_offers_related_topics_a_compare_select_and_share(topic: Archetype) -> None:
    [actions] = [b for b in card(topic) if b["type"] == "actions"]
    elements = actions["elements"]
    related = [e for e in elements if e["action_id"].startswith("mlorg_explain_topic:")]
    assert [e["value"] for e in related] == list(topic.related[:3])
    [select] = [e for e in elements if e["type"] == "static_select"]
    others = [f"{topic.id}:{a.id}" for a in KB.archetypes if a != topic]
    assert [o["value"] for o in select["options"]] == others
    [share] = [e for e in elements if e["action_id"] == "mlorg_share"]
    assert share["value"] == f"explain:{topic.id}"


@pytest.mark.parametrize("topic", KB.dimensions, ids=lambda t: t.id)
def test_a_dimension_card_offers_the_other_dimensions(topic: Dimension) -> None:
    [actions] = [b for b in card(topic) if b["type"] == "actions"]
    values = [e.get("value") for e in actions["elements"]]
    assert values == [*(d.id for d in KB.dimensions if d != topic), f"explain:{topic.id}"]


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_shared_and_modal_cards_carry_no_buttons(topic: Topic) -> None:
    shared = card(topic, shared_by="U0123ABCD")
    assert all(not elements_of(b) for b in shared)
    assert "Shared by <@U0123ABCD>" in visible_text(shared)
    assert all(not elements_of(b) for b in card(topic, interactive=False))


# -- overview, comparisons, misses -----------------------------------------------------------------


def test_the_overview_has_one_button_per_topic_within_limits() -> None:
    blocks = build_overview(overview(KB))

    assert_within_limits(blocks)
    buttons = [e for b in blocks for e in elements_of(b)]
    assert [e["value"] for e in buttons] == [t.id for t in TOPICS]
    assert len(buttons) == 5 + 3
    assert len({e["action_id"] for e in buttons}) == len(buttons)


@pytest.mark.parametrize("shared_by", SHARERS)
@pytest.mark.parametrize(("a", "b"), ARCHETYPE_PAIRS, ids=lambda t: t.id)
def test_every_archetype_comparison_is_within_limits_and_complete(
    a: Archetype, b: Archetype, shared_by: str | None
) -> None:
    blocks = build_comparison(compare(KB, a, b), shared_by=shared_by)

    assert_within_limits(blocks)
    text = visible_text(blocks)
    for dimension in KB.dimensions:
        assert dimension.name in text
    for side in (a, b):
        assert side.name in text and side.summary in text
        for fact in (*side.strengths, *side.challenges):
            assert fact in text
        for position in side.positions.values():
            assert position.detail in text
    left, right = blocks[1]["fields"]
    assert a.name in left["text"] and b.name in right["text"], "the order asked for is the order shown"


@pytest.mark.parametrize(("a", "b"), DIMENSION_PAIRS, ids=lambda t: t.id)
def test_every_dimension_comparison_is_within_limits_and_shows_every_archetype(
    a: Dimension, b: Dimension
) -> None:
    blocks = build_comparison(compare(KB, a, b))

    assert_within_limits(blocks)
    text = visible_text(blocks)
    for archetype in KB.archetypes:
        assert archetype.short_name in text
        for dimension in (a, b):
            position = archetype.positions.get(dimension.id)
            if position is not None:
                assert position.detail in text


def test_comparing_an_archetype_with_a_dimension_is_refused_by_the_domain() -> None:
    with pytest.raises(ValueError, match="two archetypes, or two dimensions"):
        compare(KB, KB.archetypes[0], KB.dimensions[0])


@pytest.mark.parametrize(
    "query",
    ["", "ownership", "embeded thingy", "zzqqxx", "<!channel> " + "x" * 5000, "&<>" * 1000],
)
def test_a_miss_is_within_limits_and_escapes_the_query(query: str) -> None:
    blocks = build_miss(KB.find(query))

    assert_within_limits(blocks)
    text = visible_text(blocks)
    assert "<!channel>" not in text
    assert "&<>" not in text
    assert elements_of(blocks[-1]), "a miss always offers somewhere to go"


def test_a_miss_with_suggestions_offers_them_as_buttons() -> None:
    lookup = Lookup("own", suggestions=(KB.dimensions[1], KB.dimensions[2]))

    blocks = build_miss(lookup)

    assert [e["value"] for e in elements_of(blocks[-1])] == [KB.dimensions[1].id, KB.dimensions[2].id]


def test_a_pair_problem_is_within_limits() -> None:
    assert_within_limits(build_pair_problem("x" * 10_000))


# -- help, home, modal, mention answers ------------------------------------------------------------


def test_help_lists_every_subcommand_but_itself_within_limits() -> None:
    router = a_router()

    blocks = build_help(router.subcommands)

    assert_within_limits(blocks)
    text = visible_text(blocks)
    for sub in router.subcommands:
        if sub.name != "help":
            assert sub.example in text and sub.summary in text
    buttons = [e for b in blocks for e in elements_of(b)]
    assert {e["action_id"] for e in buttons} >= {"mlorg_overview", "mlorg_explain_topic:rnd"}
    assert all(KB.get(e["value"]) is not None for e in buttons if e["action_id"].startswith("mlorg_explain"))


def test_the_home_tab_is_within_limits_and_opens_every_topic() -> None:
    home = build_home(overview(KB))

    assert home["type"] == "home"
    assert_within_limits(home["blocks"], max_blocks=MAX_BLOCKS_VIEW)
    buttons = [e for b in home["blocks"] for e in elements_of(b)]
    assert [e["value"] for e in buttons] == [t.id for t in TOPICS]
    assert all(e["text"]["text"] == "Open" for e in buttons)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_every_topic_modal_is_within_limits(topic: Topic) -> None:
    modal = build_topic_modal(topic, card(topic, interactive=False))

    assert modal["type"] == "modal"
    assert 0 < len(modal["title"]["text"]) <= MAX_MODAL_TITLE
    assert modal["title"]["type"] == "plain_text"
    assert len(modal["close"]["text"]) <= MAX_MODAL_TITLE
    assert_within_limits(modal["blocks"], max_blocks=MAX_BLOCKS_VIEW)


def test_a_topic_with_a_long_name_gets_a_clipped_modal_title() -> None:
    long = KB.archetypes[0].model_copy(update={"short_name": "A very long short name for a modal title"})

    modal = build_topic_modal(long, card(KB.archetypes[0], interactive=False))

    assert len(modal["title"]["text"]) == MAX_MODAL_TITLE
    assert modal["title"]["text"].endswith("…")


ANSWERER = Answerer(KB)
QUESTIONS = [
    f"what are the {word} of {t.short_name}?"
    for t in TOPICS
    for word in ("strengths", "challenges", "typical organizations", "positions")
]


@pytest.mark.parametrize("question", [*QUESTIONS, "hello there", "", "<!channel>" * 200, "x" * 10_000])
def test_every_answer_is_within_limits_and_shows_its_facts(question: str) -> None:
    result = ANSWERER.answer(question)

    blocks = build_answer(result, answer_id="0123456789ab")

    assert_within_limits(blocks)
    assert answer_text(result)
    text = visible_text(blocks)
    for fact in result.facts:
        assert fact.text in text and fact.topic.short_name in text
    assert "<!channel>" not in text


def test_an_answer_about_rnd_downsides_lists_its_challenges_and_offers_its_card() -> None:
    rnd = KB.get("rnd")
    assert isinstance(rnd, Archetype)
    result = ANSWERER.answer("what's the downside of an R&D org?")

    blocks = build_answer(result, answer_id="0123456789ab")

    assert result.topics[0] == rnd and result.answered
    text = visible_text(blocks)
    assert any(challenge in text for challenge in rnd.challenges)
    assert not any(strength in text for strength in rnd.strengths)
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert "mlorg_ask_card:rnd" in actions and "mlorg_ask_helpful" in actions


def test_every_action_id_the_builders_emit_has_a_listener_prefix() -> None:
    """A button nobody listens to answers 404 in Slack; every id must be one the app handles."""
    actions = an_app().actions
    surfaces: list[Blocks] = [build_overview(overview(KB)), build_home(overview(KB))["blocks"]]
    surfaces += [card(t) for t in TOPICS]
    surfaces += [build_comparison(compare(KB, a, b)) for a, b in ARCHETYPE_PAIRS + DIMENSION_PAIRS]
    surfaces.append(build_help(a_router().subcommands))
    ids = Counter(e["action_id"] for blocks in surfaces for b in blocks for e in elements_of(b))
    assert ids
    for action_id in ids:
        assert actions.handles(action_id), action_id


def test_a_declined_question_gets_one_line_on_what_mlorg_can_answer_and_no_facts() -> None:
    result = ANSWERER.answer("how many GPUs should we buy?")

    blocks = build_answer(result, answer_id="0123456789ab")

    text = visible_text(blocks)
    assert answer_text(result) == "The framework doesn't cover that."
    assert "doesn't cover that" in text and "five archetypes" in text
    assert "•" not in text and not any(t.short_name in text for t in KB.archetypes)
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert not any(a.startswith("mlorg_ask_card") for a in actions)


def test_a_question_partly_in_scope_says_which_part_is_left_out() -> None:
    result = ANSWERER.answer("we're a bank with a 40-person central ML team, how many GPUs should we buy?")

    text = visible_text(build_answer(result, answer_id="0123456789ab"))

    assert "Independent ML division" in text
    assert "doesn't cover “how many GPUs should we buy?”" in text


def test_mlorgs_own_advice_is_marked_as_not_the_frameworks() -> None:
    result = ANSWERER.answer("we have ML people in a few product teams, where should we start?")

    text = visible_text(build_answer(result, answer_id="0123456789ab"))

    advice = [f for f in result.facts if f.aspect == "next_steps"]
    assert advice
    for fact in advice:
        assert f"{fact.text} _(mlorg's advice for {fact.topic.short_name}, not the framework's)_" in text

"""Help, explain and compare, driven end to end: signed requests in, what Slack would show out.

Every test reads like a person using Slack: type a command, look at the private card,
click a button, and read what arrives at the ``response_url`` or in the channel.
"""

from __future__ import annotations

from typing import Any

import pytest

from knowledge import Archetype, load_knowledge
from tests.e2e.fake_slack import Call, FakeSlack, Scripted
from tests.e2e.harness import RunningApp
from tests.e2e.slack_client import SlackPlatform, find_button

KB = load_knowledge()
RESPONSE_URL = "response_url:r1"
SECTION_TITLES = (
    "What it looks like",
    "Strengths",
    "Challenges",
    "Typical organizations",
    "Position on the design dimensions",
)
FRAMEWORK_CONTEXT = "From the ML team-structure framework"


# -- helpers ---------------------------------------------------------------------------------------


def interactive_elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button / select in ``blocks`` with its block_id filled in, ready to click."""
    found: list[dict[str, Any]] = []
    for block in blocks:
        candidates = list(block.get("elements") or [])
        if block.get("accessory"):
            candidates.append(block["accessory"])
        found += [{**e, "block_id": block.get("block_id", "b1")} for e in candidates if "action_id" in e]
    return found


def element_with_action(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for element in interactive_elements(blocks):
        if element["action_id"] == action_id:
            return element
    have = [e["action_id"] for e in interactive_elements(blocks)]
    raise AssertionError(f"no element {action_id!r}; have {have}")


def archetype(topic_id: str) -> Archetype:
    topic = KB.get(topic_id)
    assert isinstance(topic, Archetype)
    return topic


def assert_full_card(text: str, topic: Archetype) -> None:
    assert topic.name in text
    for title in SECTION_TITLES:
        assert title in text, f"missing section {title!r}"
    for fact in (*topic.looks_like, *topic.strengths, *topic.challenges, *topic.typical_organizations):
        assert fact in text
    for dimension in KB.dimensions:
        assert dimension.name in text
    assert FRAMEWORK_CONTEXT in text


def assert_comparison(text: str, left: Archetype, right: Archetype) -> None:
    assert left.short_name in text and right.short_name in text
    for dimension in KB.dimensions:
        assert dimension.name in text
    for side in (left, right):
        for fact in (*side.strengths, *side.challenges):
            assert fact in text
        for position in side.positions.values():
            assert position.detail in text


async def last_response(fake_slack: FakeSlack, count: int) -> Call:
    calls = await fake_slack.wait_for(RESPONSE_URL, count)
    return calls[count - 1]


def is_true(value: Any) -> bool:
    return value is True or value == "true"


# -- help ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "help", "  HELP  ", "?"])
async def test_help_lists_every_registered_subcommand_privately_with_buttons(
    slack: SlackPlatform, app: RunningApp, text: str
) -> None:
    response = await slack.command(text)

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert "five ways organizations place their machine-learning people" in response.text
    assert app.mlorg is not None
    listed = [sub for sub in app.mlorg.commands.subcommands if sub.name != "help"]
    assert {sub.name for sub in listed} >= {"explain", "compare"}
    for sub in listed:
        assert f"`{sub.example}`" in response.text, f"help does not show {sub.name}"
        assert sub.summary in response.text
        assert sub.example.startswith("/mlorg ")
    labels = [str((e.get("text") or {}).get("text")) for e in interactive_elements(response.blocks)]
    assert labels[0] == "Browse the framework"
    assert {"Explain R&D", "Explain data ownership"} <= set(labels)


async def test_help_buttons_open_what_they_promise(slack: SlackPlatform, fake_slack: FakeSlack) -> None:
    help_card = await slack.command("help")

    await slack.click(find_button(help_card.blocks, "Explain R&D"))
    rnd = await last_response(fake_slack, 1)
    assert_full_card(rnd.text, archetype("rnd"))

    await slack.click(find_button(help_card.blocks, "Explain data ownership"))
    data = await last_response(fake_slack, 2)
    dimension = KB.get("data_ownership")
    assert dimension is not None
    assert dimension.name in data.text and dimension.summary in data.text


# -- the overview and the cards it opens -----------------------------------------------------------


async def test_browse_the_framework_shows_a_button_per_archetype_and_dimension(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    help_card = await slack.command("help")

    click = await slack.click(find_button(help_card.blocks, "Browse the framework"))

    assert click.status == 200
    overview = await last_response(fake_slack, 1)
    assert is_true(overview.args.get("replace_original"))
    values = sorted(str(e.get("value")) for e in interactive_elements(overview.blocks))
    assert values == sorted(t.id for t in KB.topics)
    assert len(KB.archetypes) == 5 and len(KB.dimensions) == 3
    for topic in KB.topics:
        assert topic.name in overview.text


async def test_explain_with_no_topic_answers_with_the_overview(slack: SlackPlatform) -> None:
    response = await slack.command("explain")

    assert response.json["response_type"] == "ephemeral"
    assert len(interactive_elements(response.blocks)) == len(KB.topics)
    assert "five archetypes" in response.text


async def test_clicking_an_archetype_in_the_overview_replaces_it_with_the_full_card(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    overview = await slack.command("explain")

    await slack.click(element_with_action(overview.blocks, "mlorg_explain_topic:embedded"))

    card = await last_response(fake_slack, 1)
    assert is_true(card.args.get("replace_original"))
    assert_full_card(card.text, archetype("embedded"))
    assert card.args.get("text", "").startswith("Business and product embedded ML")


async def test_clicking_a_dimension_in_the_overview_opens_its_card(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    overview = await slack.command("explain")

    await slack.click(element_with_action(overview.blocks, "mlorg_explain_topic:model_ownership"))

    card = await last_response(fake_slack, 1)
    dimension = KB.get("model_ownership")
    assert dimension is not None
    assert dimension.name in card.text
    for fact in dimension.questions:
        assert fact in card.text
    for a in KB.archetypes:
        assert a.short_name in card.text


async def test_a_cards_related_topic_button_opens_the_related_card(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    card = await slack.command("explain embedded")
    related = [archetype(i) for i in archetype("embedded").related]

    await slack.click(find_button(card.blocks, f"Explain {related[0].short_name}"))

    opened = await last_response(fake_slack, 1)
    assert is_true(opened.args.get("replace_original"))
    assert_full_card(opened.text, related[0])


async def test_the_compare_select_offers_every_other_archetype_and_shows_the_comparison(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    card = await slack.command("explain r&d")
    select = find_button(card.blocks, "Compare")
    assert select["type"] == "static_select"
    assert [o["value"] for o in select["options"]] == [f"rnd:{a.id}" for a in KB.archetypes if a.id != "rnd"]

    await slack.click(select, selected_value="rnd:embedded")

    comparison = await last_response(fake_slack, 1)
    assert is_true(comparison.args.get("replace_original"))
    assert_comparison(comparison.text, archetype("rnd"), archetype("embedded"))


# -- sharing ---------------------------------------------------------------------------------------


async def test_share_in_channel_posts_the_card_publicly_with_who_shared_it(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    card = await slack.command("explain independent", user="U0042", channel="C0777")

    await slack.click(find_button(card.blocks, "Share in channel"), user="U0042", channel="C0777")

    [post] = await fake_slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0777"
    assert "Shared by <@U0042>" in post.text
    assert_full_card(post.text, archetype("independent"))
    assert interactive_elements(post.blocks) == [], "a public card must carry no buttons"
    assert "link_names" not in post.args and "parse" not in post.args
    confirmation = await last_response(fake_slack, 1)
    assert "Shared in channel" in confirmation.text
    assert confirmation.args.get("response_type") == "ephemeral"


async def test_sharing_a_comparison_posts_it_publicly_without_buttons(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    comparison = await slack.command("compare rnd independent")

    await slack.click(find_button(comparison.blocks, "Share in channel"))

    [post] = await fake_slack.wait_for("chat.postMessage")
    assert "Shared by <@U0001>" in post.text
    assert_comparison(post.text, archetype("rnd"), archetype("independent"))
    assert interactive_elements(post.blocks) == []


async def test_share_when_the_bot_is_not_in_the_channel_asks_to_invite_it(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    fake_slack.script("chat.postMessage", Scripted(body={"ok": False, "error": "not_in_channel"}))
    card = await slack.command("explain rnd")

    click = await slack.click(find_button(card.blocks, "Share in channel"))

    assert click.status == 200
    hint = await last_response(fake_slack, 1)
    assert "/invite @mlorg" in hint.text
    assert hint.args.get("response_type") == "ephemeral"
    assert not is_true(hint.args.get("replace_original"))
    await fake_slack.settle()
    assert len(fake_slack.posts()) == 1, "the failed post is not retried blindly"
    assert "went wrong" not in " ".join(c.text for c in fake_slack.calls_to(RESPONSE_URL))


# -- explain by alias, number, typo ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("explain r and d", "rnd"),
        ("explain R&D", "rnd"),
        ("explain 3", "embedded"),
        ("explain embeded", "embedded"),
        ("explain The ML-first org", "ml_first"),
        ("show independent", "independent"),
        ("r&d", "rnd"),  # no subcommand: a topic name is read as explain
    ],
)
async def test_explain_finds_the_topic_by_alias_number_or_typo(
    slack: SlackPlatform, text: str, topic_id: str
) -> None:
    response = await slack.command(text)

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert_full_card(response.text, archetype(topic_id))


async def test_explain_an_unknown_topic_suggests_the_closest_ones(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    response = await slack.command("explain nonsense topic")

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert "I don't know a topic called “nonsense topic”. Did you mean" in response.text
    await slack.click(find_button(response.blocks, "Nascent"))
    card = await last_response(fake_slack, 1)
    assert_full_card(card.text, archetype("nascent"))


async def test_explain_nonsense_offers_every_topic(slack: SlackPlatform, fake_slack: FakeSlack) -> None:
    response = await slack.command("explain zzqqxx")

    assert response.json["response_type"] == "ephemeral"
    assert "I don't know a topic called" in response.text
    await slack.click(find_button(response.blocks, "Show all topics"))
    overview = await last_response(fake_slack, 1)
    assert len(interactive_elements(overview.blocks)) == len(KB.topics)


# -- compare ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "left", "right"),
    [
        ("compare rnd independent", "rnd", "independent"),
        ("compare product embedded vs r&d", "embedded", "rnd"),
        ("vs nascent, ml-first", "nascent", "ml_first"),
    ],
)
async def test_compare_shows_both_archetypes_on_every_dimension_with_strengths_and_challenges(
    slack: SlackPlatform, text: str, left: str, right: str
) -> None:
    response = await slack.command(text)

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert_comparison(response.text, archetype(left), archetype(right))
    assert response.json["text"] == f"{archetype(left).name} vs {archetype(right).name}"


async def test_compare_two_dimensions_shows_every_archetype(slack: SlackPlatform) -> None:
    response = await slack.command("compare data ownership vs model ownership")

    assert "Data ownership" in response.text and "Model ownership" in response.text
    for a in KB.archetypes:
        assert a.short_name in response.text


@pytest.mark.parametrize("unknown", ["frobnicate", "zzqqxx"])
async def test_compare_with_one_unknown_side_suggests_topics(slack: SlackPlatform, unknown: str) -> None:
    response = await slack.command(f"compare rnd vs {unknown}")

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert f"“{unknown}”" in response.text
    assert "Research and development" not in response.text, "no half comparison"
    offered = [e for e in interactive_elements(response.blocks) if e["action_id"].startswith("mlorg_")]
    assert offered, "offers topics to pick instead"


async def test_compare_an_archetype_with_a_dimension_explains_why_not(slack: SlackPlatform) -> None:
    response = await slack.command("compare rnd data ownership")

    assert response.json["response_type"] == "ephemeral"
    assert "different kinds of topic" in response.text
    assert "/mlorg compare rnd independent" in response.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("compare", "Which two?"), ("compare rnd", "Name two"), ("compare rnd rnd", "twice")],
)
async def test_compare_with_too_few_topics_says_what_is_missing(
    slack: SlackPlatform, text: str, expected: str
) -> None:
    response = await slack.command(text)

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert expected in response.text


# -- unknown subcommands and stale buttons ---------------------------------------------------------


async def test_an_unknown_subcommand_gets_a_friendly_private_answer(slack: SlackPlatform) -> None:
    response = await slack.command("frobnicate the widgets")

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert "I don't know `/mlorg frobnicate`" in response.text
    assert "`/mlorg help`" in response.text
    assert "error" not in response.text.lower()


async def test_a_misspelt_subcommand_suggests_the_right_one(slack: SlackPlatform) -> None:
    # The router first tries the text as a topic (/mlorg r&d); "explian" names none, so it
    # falls through to the unknown-subcommand answer with the closest subcommand.
    response = await slack.command("explian")

    assert response.json["response_type"] == "ephemeral"
    assert "Did you mean `/mlorg explain`?" in response.text
    assert "`/mlorg help`" in response.text


async def test_a_misspelt_subcommand_with_a_topic_still_gets_a_suggestion(slack: SlackPlatform) -> None:
    response = await slack.command("explian embedded")

    assert response.json["response_type"] == "ephemeral"
    assert "Did you mean `/mlorg explain`?" in response.text


@pytest.mark.parametrize(
    ("element", "selected"),
    [
        ({"action_id": "mlorg_explain_topic:gone", "value": "gone", "type": "button"}, None),
        ({"action_id": "mlorg_share", "value": "explain:gone", "type": "button"}, None),
        ({"action_id": "mlorg_share", "value": "compare:rnd:gone", "type": "button"}, None),
        ({"action_id": "mlorg_compare_with", "type": "static_select", "options": []}, "rnd:gone"),
        ({"action_id": "mlorg_compare_with", "type": "static_select", "options": []}, "rnd:data_ownership"),
    ],
)
async def test_a_stale_button_gets_a_polite_out_of_date_message(
    slack: SlackPlatform, fake_slack: FakeSlack, element: dict[str, Any], selected: str | None
) -> None:
    click = await slack.click(element, selected_value=selected)

    assert click.status == 200
    answer = await last_response(fake_slack, 1)
    assert "out of date" in answer.text
    assert answer.args.get("response_type") == "ephemeral"
    assert not is_true(answer.args.get("replace_original"))
    await fake_slack.settle()
    assert fake_slack.posts() == []

"""The diagnosis's Block Kit builders: pure, within Slack's limits, saying what they must.

Every question of the personal flow (8 steps) and of the team flow (9, the role question
last) is drawn with and without an earlier answer; results are drawn for a clear fit per
archetype, a blend, a page of "don't know" and arbitrary answers; the team summary is
drawn below and at the minimum group size. No Slack and no network.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from bot.features.diagnose import ids
from bot.features.diagnose.blocks import (
    build_closed_view,
    build_invitation,
    build_question_view,
    build_result_view,
    build_shared_result,
    build_team_summary,
    encode,
    invitation_text,
)
from bot.features.diagnose.listeners import _parse, steps_for
from knowledge import Archetype, KnowledgeBase, Question, load_knowledge
from knowledge.diagnosis import MIN_GROUP, Diagnosis, aggregate, score

KB: KnowledgeBase = load_knowledge()
FLOW = "0123456789ab"  # the length of a real flow id (secrets.token_hex(6))
SESSION = "ba9876543210"

MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_TITLE = 24
MAX_METADATA = 3000
MAX_SECTION_TEXT = 3000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID = 255
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10

Blocks = list[dict[str, Any]]


# -- limits ----------------------------------------------------------------------------------------


def assert_blocks_within_limits(blocks: Blocks, *, max_blocks: int) -> None:
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
            assert 0 < len(block["text"]["text"]) <= MAX_SECTION_TEXT
        elif kind == "context":
            assert 0 < len(block["elements"]) <= MAX_CONTEXT_ELEMENTS
            for element in block["elements"]:
                assert 0 < len(element["text"]) <= MAX_SECTION_TEXT
        elif kind == "actions":
            assert 0 < len(block["elements"]) <= MAX_ACTIONS_ELEMENTS
            action_ids = [e["action_id"] for e in block["elements"]]
            assert len(action_ids) == len(set(action_ids)), f"action_ids repeat in a block: {action_ids}"
            for element in block["elements"]:
                assert element["type"] == "button"
                assert 0 < len(element["action_id"]) <= MAX_ID
                assert element["text"]["type"] == "plain_text"
                assert 0 < len(element["text"]["text"]) <= MAX_BUTTON_TEXT
                assert 0 < len(element.get("value", "")) <= MAX_BUTTON_VALUE
        else:
            assert kind == "divider", f"unchecked block type {kind}"


def assert_view_within_limits(view: dict[str, Any]) -> None:
    assert view["type"] == "modal"
    assert view["callback_id"] == ids.VIEW
    assert 0 < len(view["title"]["text"]) <= MAX_TITLE
    assert len(view["close"]["text"]) <= MAX_TITLE
    assert len(view["private_metadata"]) <= MAX_METADATA
    assert_blocks_within_limits(view["blocks"], max_blocks=MAX_BLOCKS_VIEW)
    json.dumps(view)  # what Slack receives must be plain JSON


def texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def text_of(node: Any) -> str:
    return "\n".join(texts(node))


def buttons(blocks: Blocks) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def labels(blocks: Blocks) -> list[str]:
    return [str(b["text"]["text"]) for b in buttons(blocks)]


# -- answer sets -----------------------------------------------------------------------------------


def clear_fit(archetype_id: str) -> dict[str, str]:
    """For every question, the option weighing most towards ``archetype_id``."""
    return {q.id: max(q.options, key=lambda o: o.weights.get(archetype_id, 0.0)).id for q in KB.questions}


def dont_know_everywhere() -> dict[str, str]:
    return {q.id: next(o.id for o in q.options if o.dont_know) for q in KB.questions}


#: Half product-embedded, half independent division: neither wins clearly.
BLEND = {
    "where_ml_happens": "product_teams",
    "data_access": "good",
    "path_to_production": "builders_run_them",
    "talent": "strong",
    "time_horizon": "quick_only",
    "leadership": "senior_sponsor",
    "engineering_or_research": "engineering",
    "data_ownership": "governance_voice",
}


def random_answers(seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    return {q.id: rng.choice(q.options).id for q in KB.questions if rng.random() < 0.9}


ANSWER_SETS: dict[str, Mapping[str, str]] = {
    **{f"clear-{a.id}": clear_fit(a.id) for a in KB.archetypes},
    "all-dont-know": dont_know_everywhere(),
    "nothing": {},
    "blend": BLEND,
    **{f"random-{seed}": random_answers(seed) for seed in range(12)},
}


# -- questions -------------------------------------------------------------------------------------


def steps(team: bool) -> list[tuple[int, Question]]:
    return list(enumerate(steps_for(KB, team=team)))


def test_the_personal_flow_asks_the_eight_questions_and_the_team_flow_adds_the_role_last() -> None:
    assert [q.id for q in steps_for(KB, team=False)] == [q.id for q in KB.questions]
    assert len(KB.questions) == 8
    team = steps_for(KB, team=True)
    assert len(team) == 9 and KB.role_question is not None and team[-1].id == KB.role_question.id


@pytest.mark.parametrize("team", [False, True], ids=["personal", "team"])
def test_every_question_view_is_within_slacks_limits_with_and_without_an_answer(team: bool) -> None:
    total = len(steps_for(KB, team=team))
    for step, question in steps(team):
        for chosen in (None, *(o.id for o in question.options)):
            view = build_question_view(
                flow_id=FLOW, step=step, total=total, question=question, chosen=chosen, team=team
            )
            assert_view_within_limits(view)


@pytest.mark.parametrize("team", [False, True], ids=["personal", "team"])
def test_a_question_view_shows_progress_every_option_back_and_cancel(team: bool) -> None:
    total = len(steps_for(KB, team=team))
    for step, question in steps(team):
        view = build_question_view(
            flow_id=FLOW, step=step, total=total, question=question, chosen=None, team=team
        )
        text = text_of(view)
        assert f"Question {step + 1} of {total}" in text
        assert question.prompt in text
        assert view["title"]["text"] == ("Team diagnosis" if team else "Diagnosis")
        assert view["private_metadata"] == FLOW
        shown = labels(view["blocks"])
        assert shown[: len(question.options)] == [o.label for o in question.options]
        assert shown[len(question.options) :] == (["◀ Back", "Cancel"] if step else ["Cancel"])


def test_every_button_value_says_which_flow_step_and_option_it_answers() -> None:
    for team in (False, True):
        total = len(steps_for(KB, team=team))
        for step, question in steps(team):
            view = build_question_view(
                flow_id=FLOW, step=step, total=total, question=question, chosen=None, team=team
            )
            for element in buttons(view["blocks"]):
                flow_id, at, option = _parse(element["value"])
                assert (flow_id, at) == (FLOW, step)
                if element["action_id"].startswith(f"{ids.ANSWER}:"):
                    assert element["action_id"] == f"{ids.ANSWER}:{option}"
                    assert question.option(option) is not None
                else:
                    assert element["action_id"] in {ids.BACK, ids.CANCEL}


def test_the_earlier_answer_is_ticked_and_highlighted() -> None:
    question = KB.questions[2]
    chosen = question.options[1]

    view = build_question_view(flow_id=FLOW, step=2, total=8, question=question, chosen=chosen.id, team=False)

    answers = buttons(view["blocks"])[: len(question.options)]
    ticked = [b for b in answers if b["text"]["text"].startswith("✓ ")]
    assert [b["text"]["text"] for b in ticked] == [f"✓ {chosen.label}"]
    assert ticked[0].get("style") == "primary"
    assert all("style" not in b for b in answers if b is not ticked[0])


def test_the_first_question_says_who_sees_the_answers() -> None:
    first = KB.questions[0]
    personal = text_of(
        build_question_view(flow_id=FLOW, step=0, total=8, question=first, chosen=None, team=False)
    )
    team = text_of(build_question_view(flow_id=FLOW, step=0, total=9, question=first, chosen=None, team=True))

    assert "Only you see this" in personal and "/mlorg diagnose" in personal
    assert f"only once at least {MIN_GROUP} people have answered" in team


def test_a_malformed_button_value_parses_to_an_impossible_step() -> None:
    assert _parse("") == ("", -1, "")
    assert _parse("abc|x|y") == ("abc", -1, "y")
    assert _parse(encode("abc", 3, "opt")) == ("abc", 3, "opt")


# -- results ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ANSWER_SETS))
def test_every_result_view_is_within_slacks_limits(name: str) -> None:
    diagnosis = score(KB, ANSWER_SETS[name])
    for team in (False, True):
        for shared_in in (None, "C0123ABCD"):
            for note in (None, "The team diagnosis was closed before you finished."):
                assert_view_within_limits(
                    build_result_view(diagnosis, flow_id=FLOW, team=team, shared_in=shared_in, note=note)
                )
    assert_blocks_within_limits(build_shared_result(diagnosis, "U0123ABCD"), max_blocks=MAX_BLOCKS_MESSAGE)


@pytest.mark.parametrize("archetype", KB.archetypes, ids=lambda a: a.id)
def test_a_clear_result_shows_best_fit_runner_up_why_gaps_next_steps_and_the_buttons(
    archetype: Archetype,
) -> None:
    diagnosis = score(KB, clear_fit(archetype.id))
    assert diagnosis.best.id == archetype.id and not diagnosis.blend and diagnosis.enough

    view = build_result_view(diagnosis, flow_id=FLOW, team=False)

    blocks = view["blocks"]
    text = text_of(view)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"Your result: {archetype.short_name}", "emoji": True},
    }
    assert f"*Closest to: {archetype.name}* ({diagnosis.shares[0].percent}%)" in text
    assert diagnosis.runner_up is not None
    assert f"Runner-up: {diagnosis.runner_up.name} ({diagnosis.percent(diagnosis.runner_up.id)}%)" in text
    for share in diagnosis.shares:
        assert f"{share.percent:>3}%  {share.archetype.short_name}" in text
    assert f"*Why {archetype.short_name}*" in text
    for evidence in diagnosis.why:
        assert f"You said: “{evidence.option.label}”" in text
    if any(r.team is not None or r.suggested is not None for r in diagnosis.readings):
        assert "*Where you stand*" in text
    for gap in diagnosis.gaps:
        assert f"*{gap.dimension.name}*" in text and ":warning: Gap" in text
    assert "*What to change next*" in text
    for step in diagnosis.next_steps:
        assert step in text
    assert diagnosis.disclaimer in text and "mlorg's own model" in text
    assert "rough guess" not in text and "A blend" not in text
    assert labels(blocks) == [f"Explain {archetype.short_name}", "Share in channel", "Start over"]
    explain_button, share_button, restart_button = buttons(blocks)
    assert (explain_button["action_id"], explain_button["value"]) == (ids.EXPLAIN, f"{FLOW}|{archetype.id}")
    assert (share_button["action_id"], share_button["value"]) == (ids.SHARE, f"{FLOW}|0")
    assert (restart_button["action_id"], restart_button["value"]) == (ids.RESTART, FLOW)


def test_a_page_of_dont_know_is_shown_as_a_rough_guess() -> None:
    diagnosis = score(KB, dont_know_everywhere())

    text = text_of(build_result_view(diagnosis, flow_id=FLOW, team=False))

    assert not diagnosis.enough
    assert "treat this as a rough guess" in text
    assert f"You answered 0 of {len(KB.questions)} questions" in text
    assert "Your result:" in text and "mlorg's own model" in text


def test_two_close_archetypes_are_shown_as_a_blend() -> None:
    diagnosis = score(KB, BLEND)
    assert diagnosis.blend and diagnosis.enough and diagnosis.runner_up is not None

    text = text_of(build_result_view(diagnosis, flow_id=FLOW, team=False))

    assert "*A blend*" in text
    assert diagnosis.best.short_name in text and diagnosis.runner_up.short_name in text
    assert {diagnosis.best.id, diagnosis.runner_up.id} == {"embedded", "independent"}


def test_a_shared_result_replaces_the_share_button_and_says_where() -> None:
    diagnosis = score(KB, clear_fit("rnd"))

    view = build_result_view(diagnosis, flow_id=FLOW, team=False, shared_in="C0SHARE")

    assert "Share in channel" not in labels(view["blocks"])
    assert "Shared in <#C0SHARE>" in text_of(view)


def test_after_a_failed_share_the_share_button_offers_the_next_attempt() -> None:
    diagnosis = score(KB, clear_fit("rnd"))

    view = build_result_view(diagnosis, flow_id=FLOW, team=False, note="Add me first.", share_attempt=1)

    share = next(b for b in buttons(view["blocks"]) if b["action_id"] == ids.SHARE)
    assert _parse(share["value"])[:2] == (FLOW, 1)
    assert "Add me first." in text_of(view)


def test_a_team_result_says_it_was_added_anonymously_unless_a_note_says_otherwise() -> None:
    diagnosis = score(KB, clear_fit("embedded"))

    added = text_of(build_result_view(diagnosis, flow_id=FLOW, team=True))
    personal = text_of(build_result_view(diagnosis, flow_id=FLOW, team=False))

    assert "added anonymously to the team summary" in added
    assert "added anonymously" not in personal


def test_the_public_share_names_who_took_it_and_carries_no_buttons() -> None:
    diagnosis = score(KB, clear_fit("ml_first"))

    blocks = build_shared_result(diagnosis, "U0123ABCD")

    text = text_of(blocks)
    assert "<@U0123ABCD> took the mlorg diagnosis" in text
    assert "ML-first organization" in text
    assert "What to change next" in text
    assert buttons(blocks) == []


def test_the_closed_view_is_a_polite_modal_without_buttons() -> None:
    view = build_closed_view("Diagnosis cancelled.", flow_id=FLOW)

    assert_view_within_limits(view)
    assert buttons(view["blocks"]) == []
    assert "Diagnosis cancelled." in text_of(view)


# -- team mode -------------------------------------------------------------------------------------


def test_the_invitation_offers_join_and_close_and_its_closed_form_neither() -> None:
    open_blocks = build_invitation(session_id=SESSION, started_by="U0LEAD", answered=1)
    closed = build_invitation(session_id=SESSION, started_by="U0LEAD", answered=4, closed_by="U0LEAD")

    for blocks in (open_blocks, closed):
        assert_blocks_within_limits(blocks, max_blocks=MAX_BLOCKS_MESSAGE)
    assert [(b["action_id"], b["value"]) for b in buttons(open_blocks)] == [
        (ids.JOIN, SESSION),
        (ids.CLOSE, SESSION),
    ]
    assert labels(open_blocks) == ["Take the 2-minute diagnosis", "Close"]
    assert "1 person has answered" in text_of(open_blocks)
    assert buttons(closed) == []
    assert "Closed by <@U0LEAD>" in text_of(closed) and "4 people have answered" in text_of(closed)
    assert "2-minute" in invitation_text("U0LEAD") and "<@U0LEAD>" in invitation_text("U0LEAD")


def people(*answer_sets: Mapping[str, str], role: str | None = None) -> list[tuple[Diagnosis, str | None]]:
    return [(score(KB, answers), role) for answers in answer_sets]


ARCHETYPE_WORDS = sorted({w for a in KB.archetypes for w in (a.name, a.short_name)})


def test_the_minimum_group_is_three() -> None:
    assert MIN_GROUP == 3


@pytest.mark.parametrize("count", range(3))
def test_below_three_people_the_team_summary_shows_only_a_promise(count: int) -> None:
    results = people(*[clear_fit(a.id) for a in KB.archetypes][:count])
    # People who answered "don't know" throughout are not placed and cannot lift the count.
    results += people(dont_know_everywhere(), dont_know_everywhere())

    blocks = build_team_summary(aggregate(KB, results))

    assert_blocks_within_limits(blocks, max_blocks=MAX_BLOCKS_MESSAGE)
    text = text_of(blocks)
    assert "appears here once at least 3 people have answered" in text
    # The count lives in the invitation: this message must not change with each answer.
    assert "so far" not in text and str(count) not in text.replace("3", "")
    for word in ARCHETYPE_WORDS:
        assert word not in text, f"{word!r} shown below the minimum group"
    for dimension in KB.dimensions:
        assert dimension.name not in text


def test_at_three_people_the_team_summary_shows_distribution_positions_and_disagreement() -> None:
    results = people(clear_fit("embedded"), clear_fit("embedded"), clear_fit("rnd"))

    blocks = build_team_summary(aggregate(KB, results))

    assert_blocks_within_limits(blocks, max_blocks=MAX_BLOCKS_MESSAGE)
    text = text_of(blocks)
    assert "Team diagnosis: 3 people" in text
    assert "Most of the team sees us as *Business and product embedded ML*" in text
    assert "` 2  Product-embedded" in text and "` 1  R&D" in text
    for archetype in KB.archetypes:
        assert archetype.short_name in text
    for dimension in KB.dimensions:
        assert f"*{dimension.name}*:" in text
    assert any(label in text for label in ("aligned", "some disagreement", "strong disagreement"))
    assert "Perception gap" not in text
    assert "mlorg's own model" in text


def test_the_perception_gap_needs_three_leaders_and_three_contributors() -> None:
    leaders = people(
        clear_fit("independent"), clear_fit("independent"), clear_fit("independent"), role="leader"
    )
    contributors = people(clear_fit("embedded"), clear_fit("embedded"), role="contributor")

    without = text_of(build_team_summary(aggregate(KB, leaders + contributors)))
    third = people(clear_fit("embedded"), role="contributor")
    blocks = build_team_summary(aggregate(KB, leaders + contributors + third))

    assert "Perception gap" not in without
    assert_blocks_within_limits(blocks, max_blocks=MAX_BLOCKS_MESSAGE)
    text = text_of(blocks)
    assert "*Perception gap* (3 leaders, 3 contributors)" in text
    assert "Leaders lean *Independent ML division*; contributors lean *Product-embedded*." in text


@pytest.mark.parametrize("seed", range(8))
def test_any_team_summary_is_within_slacks_limits(seed: int) -> None:
    rng = random.Random(seed)
    results = [
        (score(KB, random_answers(rng.randrange(10_000))), rng.choice(["leader", "contributor", None]))
        for _ in range(rng.randrange(0, 30))
    ]

    assert_blocks_within_limits(build_team_summary(aggregate(KB, results)), max_blocks=MAX_BLOCKS_MESSAGE)

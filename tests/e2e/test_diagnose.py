"""``/mlorg diagnose`` for one person, driven end to end over signed HTTP against the fake Slack.

The flow runs in a modal: the command opens it (``views.open``) and every click redraws it
(``views.update``). The tests click buttons by their visible label, exactly as a person would,
and read the modal the app drew; the stored flow (``store.diagnoses``) is read only to prove
that a double click or a stale button moved nothing.

The helpers at the top are shared with ``test_diagnose_team.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.features.diagnose import ids
from bot.store import Flow
from knowledge import Archetype, load_knowledge
from knowledge.diagnosis import score
from tests.e2e.fake_slack import Call, FakeSlack, Scripted
from tests.e2e.harness import RunningApp
from tests.e2e.slack_client import AppResponse, SlackPlatform, find_button, texts_of

KB = load_knowledge()
TEAM = "T0001"
CHANNEL = "C0001"
ME = "U0001"
WAIT = 5.0
#: A process's first chart imports the plotting library: on a busy CI machine, seconds.
CHART_WAIT = 20.0

#: An organization whose ML people sit in product teams: every answer points at "embedded".
EMBEDDED = (
    "Inside product teams",
    "Possible but slow",
    "Whoever builds a model deploys it",
    "We hire some, but top people",
    "Short: product iterations",
    "Product or business leads fund ML",
    "Engineering: researchers are expected",
    "Other teams own it; ML builds pipelines",
)
#: An independent ML division reporting to a senior leader.
INDEPENDENT = (
    "In an ML division of its own",
    "Good: leaders make sure we get it",
    "We hand models to the business lines",
    "We hire strong practitioners",
    "Mostly ML for client-facing products",
    "A senior leader sponsors an ML division",
    "A mix: researchers and engineers",
    "ML has a say in data governance",
)
#: An ML-first company.
ML_FIRST = (
    "Everywhere: ML experts across the business",
    "Easy: data is a company-wide habit",
    "Product teams take models on",
    "Top talent comes to us",
    "Both: quick wins across the business",
    "The CEO champions ML",
    "It varies by team",
    "The ML group runs the company-wide data infrastructure",
)
QUESTIONS = len(KB.questions)

#: trigger_id -> the user whose request carried it, for every request these tests send.
_TRIGGERS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Whatever the clicks, nothing reaches the global error handler: no crash, no traceback."""
    caplog.set_level(logging.WARNING)
    yield
    # At teardown caplog.records holds only the teardown's records: read the test's own.
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


# -- helpers: a person's modal as Slack would show it -----------------------------------------------


def modal_id(user: str) -> str:
    """The id Slack gave this person's diagnosis modal (one per person keeps interleaved users apart)."""
    return f"V{user}"


def view_of(call: Call) -> dict[str, Any]:
    view = call.args.get("view") or {}
    return json.loads(view) if isinstance(view, str) else dict(view)


def view_text(view: dict[str, Any]) -> str:
    return " ".join(texts_of(view.get("blocks") or []))


def labels_of(view: dict[str, Any]) -> list[str]:
    return [
        str((element.get("text") or {}).get("text", ""))
        for block in view.get("blocks") or []
        for element in block.get("elements") or []
        if "action_id" in element
    ]


def opened_for(fake: FakeSlack, user: str) -> list[Call]:
    """The views.open calls answering a request this user sent."""
    return [c for c in fake.calls_to("views.open") if _TRIGGERS.get(str(c.args.get("trigger_id"))) == user]


def updates_for(fake: FakeSlack, user: str) -> list[Call]:
    return [c for c in fake.calls_to("views.update") if c.args.get("view_id") == modal_id(user)]


def current_view(fake: FakeSlack, user: str) -> dict[str, Any]:
    """What this person's modal shows now: the last view the app opened or drew for them."""
    mine = [
        c
        for c in fake.calls
        if (c.method == "views.open" and _TRIGGERS.get(str(c.args.get("trigger_id"))) == user)
        or (c.method == "views.update" and c.args.get("view_id") == modal_id(user))
    ]
    assert mine, f"no modal was opened for {user}"
    return view_of(mine[-1])


async def eventually(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Wait (bounded) until ``check()`` holds; fail with ``what`` otherwise."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.01)


async def command(slack: SlackPlatform, text: str, *, user: str = ME, channel: str = CHANNEL) -> AppResponse:
    """Type ``/mlorg <text>``, remembering whose trigger_id it carried."""
    body = slack.command_body(text, user=user, channel=channel)
    trigger = dict(parse_qsl(body))["trigger_id"]
    _TRIGGERS[trigger] = user
    return await slack.send(body, "application/x-www-form-urlencoded")


async def click(
    slack: SlackPlatform,
    element: dict[str, Any],
    *,
    user: str = ME,
    view: dict[str, Any] | None = None,
    channel: str = CHANNEL,
    message: dict[str, Any] | None = None,
) -> AppResponse:
    """Click ``element`` in a modal (``view``) or in a message, as ``user``."""
    if view is not None:
        view = {**view, "id": modal_id(user)}
    payload = slack.action_payload(element, user=user, view=view, channel=channel, message=message)
    _TRIGGERS[str(payload["trigger_id"])] = user
    response = await slack.interact(payload)
    assert response.status == 200, response
    return response


async def open_diagnosis(
    slack: SlackPlatform, fake: FakeSlack, text: str = "", *, user: str = ME, channel: str = CHANNEL
) -> dict[str, Any]:
    """``/mlorg diagnose …``: acked with nothing in the channel, then a modal opens."""
    before = len(opened_for(fake, user))
    response = await command(slack, f"diagnose {text}".strip(), user=user, channel=channel)
    assert response.status == 200 and response.body == "", response
    await eventually(lambda: len(opened_for(fake, user)) > before, f"views.open for {user}")
    return view_of(opened_for(fake, user)[-1])


async def click_in_modal(
    slack: SlackPlatform,
    fake: FakeSlack,
    element: dict[str, Any],
    *,
    user: str = ME,
    view: dict[str, Any] | None = None,
    times: int = 1,
) -> dict[str, Any]:
    """Click ``element`` (``times`` clicks at once) in the user's modal; return the redrawn view."""
    shown = view if view is not None else current_view(fake, user)
    before = len(updates_for(fake, user))
    await asyncio.gather(*(click(slack, element, user=user, view=shown) for _ in range(times)))
    await eventually(
        lambda: len(updates_for(fake, user)) >= before + times, f"{times} views.update for {user}"
    )
    view = view_of(updates_for(fake, user)[-1])
    if is_result(view) and not result_chart(view):
        # The result's words come first and its chart right after: the next click is made on
        # the whole result, as a person would see it.
        await eventually(
            lambda: bool(result_chart(view_of(updates_for(fake, user)[-1]))),
            f"the chart in {user}'s result",
            timeout=CHART_WAIT,
        )
        view = view_of(updates_for(fake, user)[-1])
    return view


def is_result(view: dict[str, Any]) -> bool:
    return any(b.get("block_id") == "result" for b in view.get("blocks") or [])


def result_chart(view: dict[str, Any]) -> dict[str, Any] | None:
    """The image block showing the result's chart, if the view has one."""
    return next((b for b in view.get("blocks") or [] if b.get("type") == "image" and "slack_file" in b), None)


async def click_through(
    slack: SlackPlatform, fake: FakeSlack, user: str, labels: Sequence[str]
) -> dict[str, Any]:
    """Click each label in turn in the user's latest modal; return the last view drawn."""
    view = current_view(fake, user)
    for label in labels:
        view = await click_in_modal(slack, fake, find_button(view["blocks"], label), user=user, view=view)
    return view


async def stored_flow(app: RunningApp, view: dict[str, Any]) -> Flow:
    """The flow a modal belongs to, as the store has it (its id is the view's private_metadata)."""
    assert app.mlorg is not None
    flow = await app.mlorg.store.diagnoses.get(TEAM, str(view["private_metadata"]))
    assert flow is not None, view.get("private_metadata")
    return flow


def assert_question(view: dict[str, Any], number: int, total: int = QUESTIONS) -> None:
    """The modal asks question ``number`` (1-based) of ``total``, with its option buttons."""
    question = (*KB.questions, KB.role_question)[number - 1]
    assert question is not None
    text = view_text(view)
    assert f"Question {number} of {total}" in text, text[:200]
    assert question.prompt in text
    labels = labels_of(view)
    for option in question.options:
        assert any(option.label in shown for shown in labels), option.label
    assert "Cancel" in labels
    assert ("◀ Back" in labels) == (number > 1)


# -- the happy path --------------------------------------------------------------------------------


async def test_a_person_answers_eight_questions_by_button_and_gets_a_private_result(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    first = await open_diagnosis(slack, fake_slack)

    assert first["type"] == "modal" and first["title"]["text"] == "Diagnosis"
    assert_question(first, 1)
    assert "Only you see this" in view_text(first)

    third = await click_through(slack, fake_slack, ME, EMBEDDED[:2])
    assert_question(third, 3)

    result = await click_through(slack, fake_slack, ME, EMBEDDED[2:])
    text = view_text(result)
    embedded = KB.get("embedded")
    assert embedded is not None
    assert result["blocks"][0]["type"] == "header"
    assert result["blocks"][0]["text"]["text"] == "Your result: Product-embedded"
    assert f"Closest to: {embedded.name}" in text
    assert "%)" in text and "Runner-up:" in text
    assert "Why Product-embedded" in text and "You said: “Inside product teams" in text
    assert "Where you stand" in text
    for dimension in KB.dimensions:
        assert dimension.name in text
    assert "What to change next" in text
    assert "mlorg's own model" in text
    assert labels_of(result) == ["Explain Product-embedded", "Share in channel", "Start over"]
    # Private from start to end: nothing reached the channel, no ephemeral, no response_url.
    await fake_slack.settle(0.1)
    assert fake_slack.posts() == []
    assert fake_slack.calls_to("chat.postEphemeral") == []
    assert not [c for c in fake_slack.calls if c.method.startswith("response_url")]


async def test_the_share_shown_in_the_result_is_the_best_fits_percentage(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack)

    result = await click_through(slack, fake_slack, ME, INDEPENDENT)

    flow = await stored_flow(app, result)
    assert flow.status == "finished" and flow.step == QUESTIONS
    diagnosis = score(KB, flow.answers)
    assert diagnosis.best.id == "independent"
    text = view_text(result)
    assert f"Closest to: {diagnosis.best.name}* ({diagnosis.percent('independent')}%)" in text
    assert diagnosis.runner_up is not None
    assert f"Runner-up: {diagnosis.runner_up.name} ({diagnosis.percent(diagnosis.runner_up.id)}%)" in text


# -- Back, Cancel, double clicks, stale buttons --------------------------------------------------


async def test_back_returns_to_the_previous_question_with_the_earlier_answer_ticked(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack)
    await click_through(slack, fake_slack, ME, EMBEDDED[:2])

    back = await click_through(slack, fake_slack, ME, ["◀ Back"])

    assert_question(back, 2)
    assert f"✓ {KB.questions[1].options[1].label}" in labels_of(back)  # "Possible but slow" was picked
    assert (await stored_flow(app, back)).step == 1

    changed = await click_through(slack, fake_slack, ME, ["Very hard: we chase exports"])
    assert_question(changed, 3)
    flow = await stored_flow(app, changed)
    assert flow.answers[KB.questions[1].id] == "very_hard"
    assert flow.answers[KB.questions[0].id] == "product_teams"


async def test_cancel_ends_the_flow_and_its_old_buttons_answer_politely(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack)
    second = await click_through(slack, fake_slack, ME, EMBEDDED[:1])

    cancelled = await click_through(slack, fake_slack, ME, ["Cancel"])

    assert "Diagnosis cancelled" in view_text(cancelled)
    assert labels_of(cancelled) == []
    assert app.mlorg is not None
    # "Nothing was kept" is true: the flow and its answer are gone from the database.
    assert await app.mlorg.store.diagnoses.get(TEAM, str(second["private_metadata"])) is None

    # A click on a button of the cancelled flow (the modal was still open elsewhere).
    late = await click_in_modal(slack, fake_slack, find_button(second["blocks"], EMBEDDED[1]), view=second)
    assert "isn't available any more" in view_text(late)
    assert labels_of(late) == []
    assert await app.mlorg.store.diagnoses.get(TEAM, str(second["private_metadata"])) is None

    # Cancel again: still polite, still cancelled.
    again = await click_in_modal(slack, fake_slack, find_button(second["blocks"], "Cancel"), view=second)
    assert "Diagnosis cancelled" in view_text(again)

    # And the next /mlorg diagnose starts afresh rather than resuming the cancelled flow.
    fresh = await open_diagnosis(slack, fake_slack)
    assert_question(fresh, 1)
    assert fresh["private_metadata"] != second["private_metadata"]


async def test_a_double_click_at_once_counts_one_answer(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    first = await open_diagnosis(slack, fake_slack)

    shown = await click_in_modal(
        slack, fake_slack, find_button(first["blocks"], EMBEDDED[0]), view=first, times=2
    )

    flow = await stored_flow(app, first)
    assert flow.step == 1, "two simultaneous clicks on one button moved the flow twice"
    assert flow.answers == {KB.questions[0].id: "product_teams"}
    assert_question(shown, 2)
    # Both clicks were answered with question 2, never with question 3.
    for call in updates_for(fake_slack, ME):
        assert "Question 3 of" not in view_text(view_of(call))


async def test_a_double_click_one_after_the_other_counts_one_answer(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    first = await open_diagnosis(slack, fake_slack)
    button = find_button(first["blocks"], EMBEDDED[0])

    once = await click_in_modal(slack, fake_slack, button, view=first)
    twice = await click_in_modal(slack, fake_slack, button, view=first)

    assert_question(once, 2)
    assert_question(twice, 2)
    flow = await stored_flow(app, first)
    assert flow.step == 1 and flow.answers == {KB.questions[0].id: "product_teams"}


async def test_a_double_click_on_back_goes_back_only_once(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack)
    third = await click_through(slack, fake_slack, ME, EMBEDDED[:2])

    shown = await click_in_modal(slack, fake_slack, find_button(third["blocks"], "Back"), times=2)

    assert (await stored_flow(app, third)).step == 1
    assert_question(shown, 2)


async def test_a_stale_button_from_an_earlier_question_leaves_the_flow_where_it_is(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack)
    second = await click_through(slack, fake_slack, ME, EMBEDDED[:1])
    fourth = await click_through(slack, fake_slack, ME, EMBEDDED[1:3])
    assert_question(fourth, 4)

    redrawn = await click_in_modal(
        slack, fake_slack, find_button(second["blocks"], "Very hard: we chase exports"), view=second
    )

    assert_question(redrawn, 4)
    flow = await stored_flow(app, second)
    assert flow.step == 3
    assert flow.answers[KB.questions[1].id] == "slow", "a stale click rewrote an earlier answer"


async def test_someone_elses_button_does_not_touch_the_flow(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    first = await open_diagnosis(slack, fake_slack)

    other = await click_in_modal(
        slack, fake_slack, find_button(first["blocks"], EMBEDDED[0]), user="U0OTHER", view=first
    )

    assert "isn't available" in view_text(other)
    assert (await stored_flow(app, first)).step == 0


# -- resume, restart, and an app restart --------------------------------------------------------


async def test_closing_the_modal_and_typing_the_command_again_resumes_at_the_same_question(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    first = await open_diagnosis(slack, fake_slack)
    await click_through(slack, fake_slack, ME, EMBEDDED[:3])
    # The person closes the modal: Slack sends nothing the app must act on.

    resumed = await open_diagnosis(slack, fake_slack)

    assert resumed["private_metadata"] == first["private_metadata"]
    assert_question(resumed, 4)
    again = await click_through(slack, fake_slack, ME, ["Back"])
    assert f"✓ {KB.questions[2].options[2].label}" in labels_of(again)


async def test_diagnose_restart_starts_over_at_question_one(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    first = await open_diagnosis(slack, fake_slack)
    await click_through(slack, fake_slack, ME, EMBEDDED[:3])

    restarted = await open_diagnosis(slack, fake_slack, "restart")

    assert_question(restarted, 1)
    assert restarted["private_metadata"] != first["private_metadata"]
    assert (await stored_flow(app, restarted)).answers == {}
    assert app.mlorg is not None
    assert await app.mlorg.store.diagnoses.get(TEAM, str(first["private_metadata"])) is None


async def test_an_app_restart_mid_flow_loses_nothing_and_the_old_modal_keeps_working(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack)
    fourth = await click_through(slack, fake_slack, ME, EMBEDDED[:3])

    await app.restart()

    fifth = await click_in_modal(slack, fake_slack, find_button(fourth["blocks"], EMBEDDED[3]), view=fourth)
    assert_question(fifth, 5)
    result = await click_through(slack, fake_slack, ME, EMBEDDED[4:])
    assert "Your result: Product-embedded" in view_text(result)
    flow = await stored_flow(app, result)
    assert flow.status == "finished" and len(flow.answers) == QUESTIONS


# -- the result's buttons --------------------------------------------------------------------------


async def test_share_in_channel_posts_the_result_publicly_and_marks_the_modal_shared(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    await open_diagnosis(slack, fake_slack, channel="C0SHARE")
    await click_through(slack, fake_slack, ME, EMBEDDED)

    shared = await click_through(slack, fake_slack, ME, ["Share in channel"])

    posts = await fake_slack.wait_for("chat.postMessage")
    assert len(posts) == 1
    post = posts[0]
    assert post.args["channel"] == "C0SHARE"
    assert f"<@{ME}> took the mlorg diagnosis" in post.text
    assert "Business and product embedded ML" in post.text
    assert "What to change next" in post.text
    assert not [b for b in post.blocks if b["type"] == "actions"], "the public post carries buttons"
    assert "Shared in <#C0SHARE>" in view_text(shared)
    assert "Share in channel" not in labels_of(shared)


async def test_a_double_click_on_share_posts_the_result_once(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    await open_diagnosis(slack, fake_slack)
    result = await click_through(slack, fake_slack, ME, EMBEDDED)
    share = find_button(result["blocks"], "Share in channel")

    await asyncio.gather(*(click(slack, share, view=result) for _ in range(2)))
    await fake_slack.wait_for("chat.postMessage")
    await eventually(lambda: "Shared in" in view_text(current_view(fake_slack, ME)), "the shared modal")
    # A stale Share button clicked later (an old copy of the modal) does not post again either.
    await click(slack, share, view=result)
    await fake_slack.settle(0.2)

    assert len(fake_slack.posts()) == 1, "one result was posted in the channel more than once"


async def test_share_where_the_app_is_not_a_member_asks_for_an_invite_and_can_be_retried(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    await open_diagnosis(slack, fake_slack)
    await click_through(slack, fake_slack, ME, EMBEDDED)
    fake_slack.script("chat.postMessage", Scripted(body={"ok": False, "error": "not_in_channel"}))

    refused = await click_through(slack, fake_slack, ME, ["Share in channel"])

    assert "/invite @mlorg" in view_text(refused)
    assert "Share in channel" in labels_of(refused)
    shared = await click_through(slack, fake_slack, ME, ["Share in channel"])
    assert "Shared in <#C0001>" in view_text(shared)
    posts = fake_slack.posts()
    assert len(posts) == 2 and f"<@{ME}> took the mlorg diagnosis" in posts[-1].text


async def test_explain_on_the_result_pushes_the_archetype_card(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    await open_diagnosis(slack, fake_slack)
    result = await click_through(slack, fake_slack, ME, EMBEDDED)

    await click(slack, find_button(result["blocks"], "Explain Product-embedded"), view=result)

    pushed = view_of((await fake_slack.wait_for("views.push"))[0])
    embedded = KB.get("embedded")
    assert isinstance(embedded, Archetype)
    text = view_text(pushed)
    assert embedded.name in text
    for strength in embedded.strengths:
        assert strength in text


async def test_start_over_on_the_result_begins_a_new_flow_at_question_one(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack)
    result = await click_through(slack, fake_slack, ME, EMBEDDED)

    again = await click_through(slack, fake_slack, ME, ["Start over"])

    assert_question(again, 1)
    assert again["private_metadata"] != result["private_metadata"]
    assert (await stored_flow(app, result)).status == "finished"
    assert (await stored_flow(app, again)).answers == {}


async def test_a_finished_flows_old_question_buttons_show_the_result_again(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack)
    last = await click_through(slack, fake_slack, ME, EMBEDDED[:-1])

    await click_through(slack, fake_slack, ME, EMBEDDED[-1:])
    replay = await click_in_modal(
        slack, fake_slack, find_button(last["blocks"], "Nobody in particular"), view=last
    )

    assert "Your result: Product-embedded" in view_text(replay)
    flow = await stored_flow(app, last)
    assert flow.answers[KB.questions[-1].id] == "pipelines_together"


# -- other ways in -------------------------------------------------------------------------------


async def test_diagnose_with_an_unknown_word_answers_with_friendly_usage(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    response = await command(slack, "diagnose nonsense")

    assert response.status == 200
    assert response.json["response_type"] == "ephemeral"
    assert "`/mlorg diagnose`" in response.text and "`/mlorg diagnose team`" in response.text
    await fake_slack.settle(0.1)
    assert fake_slack.calls_to("views.open") == []


async def test_the_help_cards_diagnose_button_opens_the_flow(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    help_card = await command(slack, "help")

    button = find_button(help_card.blocks, "Diagnose my organization")
    assert button["action_id"] == ids.START
    await click(slack, button)

    await eventually(lambda: bool(opened_for(fake_slack, ME)), "views.open from the help card")
    assert_question(view_of(opened_for(fake_slack, ME)[-1]), 1)


async def test_a_diagnosis_button_clicked_outside_its_modal_redraws_nothing_and_raises_nothing(
    slack: SlackPlatform, fake_slack: FakeSlack
) -> None:
    """Diagnosis buttons only live in a modal. A click without a view (forged, or a client
    that moved the button) used to call views.update with no view id, which slack-sdk refuses
    with SlackRequestError before the call: an error for the global handler (found by
    tests/e2e/test_fuzz.py). The autouse fixture asserts no error was logged."""
    first = await open_diagnosis(slack, fake_slack)
    updates_before = len(fake_slack.calls_to("views.update"))

    for label in (EMBEDDED[0], "Cancel"):
        button = find_button(first["blocks"], label)
        response = await click(slack, button, message={"ts": "1700000000.000001"})
        assert response.status == 200

    await fake_slack.settle()
    assert len(fake_slack.calls_to("views.update")) == updates_before

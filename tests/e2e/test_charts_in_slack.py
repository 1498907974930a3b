"""The pictures, end to end: what the fake Slack receives when a result, a team summary and a
leadership summary carry their charts, and what it receives when they cannot.

Charts are uploaded with ``files_upload_v2`` (no channel) and shown by ``slack_file`` in an
image block next to the words they picture; the words stay whole for screen readers and
notifications, and the image's ``alt_text`` carries the numbers. Drawing is deterministic,
so a test can draw the same chart itself and compare the uploaded bytes.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.features.summary.service import last_week
from bot.jobs.digests import latest_slot
from bot.store.events import utc_now
from knowledge.charts import render_diagnosis
from knowledge.diagnosis import score
from tests.e2e.fake_files import FakeFile
from tests.e2e.fake_slack import Call, FakeSlack, Scripted
from tests.e2e.harness import RunningApp
from tests.e2e.slack_client import SlackPlatform, find_button
from tests.e2e.test_diagnose import (
    CHART_WAIT,
    EMBEDDED,
    INDEPENDENT,
    ME,
    click_through,
    current_view,
    eventually,
    open_diagnosis,
    stored_flow,
    updates_for,
    view_of,
    view_text,
)
from tests.e2e.test_diagnose_team import (
    CONTRIBUTOR,
    LEADER,
    invitation_says,
    invite,
    take_part,
    updates_of,
)
from tests.e2e.test_digests import app as app  # an operator-named admin, a brisk outbox worker
from tests.e2e.test_digests import configure, schedule_due
from tests.e2e.test_observability import scrape, value
from tests.e2e.test_summary import (
    ADMIN,
    LEAD,
    PROFILES,
    click,
    finish_diagnosis,
    play_quiz,
    preview,
    store_of,
    wait_posts,
    wait_status,
)
from tests.e2e.test_summary import no_errors_logged as no_errors_logged  # no request ends in an error

KB_PROFILES = list(PROFILES.values())


def images_in(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if b.get("type") == "image" and "slack_file" in b]


def file_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["slack_file"]["id"] for b in images_in(blocks)]


def uploaded(fake: FakeSlack, prefix: str = "mlorg-") -> list[FakeFile]:
    """Files the app uploaded completely, whose names start with ``prefix``."""
    return [f for f in fake.files.values() if f.complete and f.filename.startswith(prefix)]


def after(blocks: list[dict[str, Any]], block_id: str) -> dict[str, Any]:
    """The block right after the one with ``block_id``."""
    index = next(i for i, b in enumerate(blocks) if b.get("block_id") == block_id)
    return blocks[index + 1]


# -- a person's result ---------------------------------------------------------------------------------


async def test_a_result_shows_its_chart_next_to_the_distribution_with_the_numbers_in_its_alt_text(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack)
    result = await click_through(slack, fake_slack, ME, EMBEDDED)

    (file,) = uploaded(fake_slack)
    assert [c.method for c in fake_slack.calls if c.method.startswith("files.")] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    assert "channel_id" not in fake_slack.calls_to("files.completeUploadExternal")[0].args, "shared nowhere"
    diagnosis = score(app_kb(app), (await stored_flow(app, result)).answers)
    assert file.filename == "mlorg-diagnosis.png"
    assert file.content == render_diagnosis(diagnosis).png, "the chart of this very result"
    (image,) = images_in(result["blocks"])
    assert image["slack_file"]["id"] == file.id
    assert after(result["blocks"], "result_shares") == image, "the chart follows the distribution"
    assert f"{diagnosis.shares[0].percent}%" in image["alt_text"]
    assert diagnosis.best.short_name in image["alt_text"]
    # The words are all still there.
    assert f"Closest to: {diagnosis.best.name}" in view_text(result)
    assert "What to change next" in view_text(result)


async def test_sharing_a_result_shows_the_same_chart_in_the_channel_without_uploading_it_again(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await open_diagnosis(slack, fake_slack, channel="C0SHARE")
    result = await click_through(slack, fake_slack, ME, EMBEDDED)
    shared = await click_through(slack, fake_slack, ME, ["Share in channel"])

    (post,) = await fake_slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0SHARE"
    assert file_ids(post.blocks) == file_ids(result["blocks"]) == file_ids(shared["blocks"])
    assert len(uploaded(fake_slack)) == 1
    assert "Shared in <#C0SHARE>" in view_text(shared)


async def test_a_result_whose_chart_cannot_be_uploaded_keeps_its_words_and_says_why_in_metrics(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    fake_slack.script("files.getUploadURLExternal", Scripted(body={"ok": False, "error": "missing_scope"}))
    await open_diagnosis(slack, fake_slack)
    await click_through(slack, fake_slack, ME, EMBEDDED[:-1])
    before = len(updates_for(fake_slack, ME))
    view = current_view(fake_slack, ME)
    await click_in_modal_without_chart(slack, fake_slack, view, EMBEDDED[-1])
    # The chart is drawn (the process's first: seconds on a busy machine), then refused.
    await fake_slack.wait_for("files.getUploadURLExternal", timeout=CHART_WAIT)
    samples = await scrape(app.base_url)
    for _ in range(100):
        if value(samples, "mlorg_chart_uploads_total", outcome="missing_scope"):
            break
        await asyncio.sleep(0.05)
        samples = await scrape(app.base_url)
    await fake_slack.settle(0.3)

    assert value(samples, "mlorg_chart_uploads_total", outcome="missing_scope") == 1
    assert value(samples, "mlorg_charts_dropped_total", reason="upload_failed") == 1
    shown = [view_of(c) for c in updates_for(fake_slack, ME)[before:]]
    assert len(shown) == 1, "no second redraw: there is no picture to add"
    assert images_in(shown[0]["blocks"]) == []
    assert "Closest to:" in view_text(shown[0])
    assert uploaded(fake_slack) == []


async def click_in_modal_without_chart(
    slack: SlackPlatform, fake: FakeSlack, view: dict[str, Any], label: str
) -> None:
    """The last answer when no chart will follow (click_in_modal would wait for one)."""
    from tests.e2e.test_diagnose import click, eventually

    before = len(updates_for(fake, ME))
    await click(slack, find_button(view["blocks"], label), user=ME, view=view)
    await eventually(lambda: len(updates_for(fake, ME)) > before, "the result")


async def test_a_chart_slack_is_still_processing_is_shown_once_slack_accepts_it(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    fake_slack.processing_delay = 1.2  # Slack refuses blocks showing the file for a moment
    await open_diagnosis(slack, fake_slack)
    await click_through(slack, fake_slack, ME, EMBEDDED)

    def tries() -> list[Call]:
        return [c for c in updates_for(fake_slack, ME) if images_in(view_of(c)["blocks"])]

    # Tries at once, after 0.5 s and after 1.5 s more: the third comes after the file is ready.
    await eventually(lambda: len(tries()) >= 3, "a third try once Slack has processed the file")
    await fake_slack.settle(0.3)
    (file,) = uploaded(fake_slack)
    assert file.completed_at is not None
    assert all(file_ids(view_of(c)["blocks"]) == [file.id] for c in tries())
    # Refused while processing, then shown: the last try came after the file was ready.
    assert len(tries()) == 3, len(tries())
    assert fake_slack.files.refusal("views.update", tries()[-1].args) is None


# -- a team summary ------------------------------------------------------------------------------------


def thread_images(fake: FakeSlack, summary_ts: str | None) -> list[list[dict[str, Any]]]:
    """The image blocks of every drawing of the team thread's summary."""
    return [images_in(c.blocks) for c in updates_of(fake, summary_ts)]


async def test_a_team_summary_gets_its_chart_at_three_people_and_none_at_two(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)
    for n, user in enumerate(("U01", "U02")):
        await take_part(slack, fake_slack, user, invitation, EMBEDDED, LEADER)
        await invitation_says(
            fake_slack, invitation, f"{n + 1} {'person has' if n == 0 else 'people have'} answered"
        )
    await fake_slack.settle(0.2)
    assert uploaded(fake_slack, "mlorg-team") == [], "nothing drawn for two people"
    assert not any(thread_images(fake_slack, invitation.session.summary_ts))

    await take_part(slack, fake_slack, "U03", invitation, INDEPENDENT, CONTRIBUTOR)
    await invitation_says(fake_slack, invitation, "3 people have answered")
    (mix,) = uploaded(fake_slack, "mlorg-team")
    assert mix.filename == "mlorg-team-mix.png"
    latest = updates_of(fake_slack, invitation.session.summary_ts)[-1]
    assert "Team diagnosis: 3 people" in latest.text
    (image,) = images_in(latest.blocks)
    assert image["slack_file"]["id"] == mix.id
    assert after(latest.blocks, "team_mix") == image
    assert "3 people" in image["alt_text"]


async def test_leaders_and_contributors_are_drawn_side_by_side_once_each_group_is_large_enough(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    invitation = await invite(slack, fake_slack, app)
    for n in range(6):
        role = LEADER if n % 2 == 0 else CONTRIBUTOR
        await take_part(slack, fake_slack, f"U{n:02d}", invitation, EMBEDDED if n % 2 else INDEPENDENT, role)
    await invitation_says(fake_slack, invitation, "6 people have answered")
    await fake_slack.settle(0.2)

    latest = updates_of(fake_slack, invitation.session.summary_ts)[-1]
    assert "Team diagnosis: 6 people" in latest.text
    names = {f.id: f.filename for f in uploaded(fake_slack, "mlorg-team")}
    images = images_in(latest.blocks)
    assert [names[i["slack_file"]["id"]] for i in images] == [
        "mlorg-team-mix.png",
        "mlorg-team-perception.png",
    ]
    assert after(latest.blocks, "team_perception") == images[1]
    assert "Leaders" in images[1]["alt_text"] and "contributors" in images[1]["alt_text"].lower()


# -- leadership summaries and digests ---------------------------------------------------------------


async def seed_week(app: RunningApp, people: int) -> None:
    store = store_of(app)
    for n in range(people):
        await finish_diagnosis(store, f"U1{n:02d}", KB_PROFILES[n % len(KB_PROFILES)])
    await play_quiz(store, {f"U2{n:02d}": n % 2 == 0 for n in range(4)})


async def test_a_leadership_summary_previews_its_charts_and_posts_the_same_files(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await seed_week(app, 4)
    shown = await preview(slack, fake_slack)
    names = {f.id: f.filename for f in uploaded(fake_slack, "mlorg-summary")}
    previewed = file_ids(shown.blocks)
    assert [names[i] for i in previewed] == [
        "mlorg-summary-mix.png",
        "mlorg-summary-trend.png",
        "mlorg-summary-quiz.png",
    ]
    assert after(shown.blocks, "summary_mix")["slack_file"]["id"] == previewed[0]

    (reply,) = await click(slack, fake_slack, find_button(shown.blocks, "Post to"), user=ADMIN)
    assert "on its way" in reply.text
    (post,) = await wait_posts(fake_slack, LEAD)
    assert file_ids(post.blocks) == previewed, "Post shows the previewed files"
    assert len(uploaded(fake_slack, "mlorg-summary")) == 3, "and uploads nothing again"
    for image in images_in(post.blocks):
        assert any(ch.isdigit() for ch in image["alt_text"]), image["alt_text"]
    # The words are all there too: the post is readable without its pictures.
    assert "mlorg summary" in post.text


async def test_a_leadership_summary_of_too_few_people_draws_no_mix_and_says_so(
    slack: SlackPlatform, fake_slack: FakeSlack, app: RunningApp
) -> None:
    await seed_week(app, 2)
    shown = await preview(slack, fake_slack)

    names = [f.filename for f in uploaded(fake_slack, "mlorg-summary")]
    assert "mlorg-summary-mix.png" not in names and "mlorg-summary-trend.png" not in names
    assert "2 people took the diagnosis; the breakdown appears from 3" in shown.text


async def test_a_weekly_digest_carries_its_charts_uploaded_once_by_the_outbox(
    fake_slack: FakeSlack, app: RunningApp
) -> None:
    store = store_of(app)
    now = utc_now()
    weekday, at = schedule_due(now)
    # The digest reports the last whole week before its slot (two days ago), whatever today is:
    # the diagnoses go in the middle of that week, not "seven days ago" (on a Monday, that is
    # the slot's own week).
    reported = last_week(latest_slot(now, weekday, at, "UTC") or now)
    for n in range(3):
        await finish_diagnosis(store, f"U3{n:02d}", KB_PROFILES[n])
    await backdate_flows(app, reported.start + timedelta(days=3))
    await configure(store, weekday, at, configured_at=now - timedelta(days=30), channels=(LEAD,))

    await app.restart()
    (post,) = await wait_posts(fake_slack, LEAD)
    assert app.mlorg is not None
    names = {f.id: f.filename for f in uploaded(fake_slack, "mlorg-summary")}
    assert [names[i] for i in file_ids(post.blocks)][:1] == ["mlorg-summary-mix.png"]
    (item,) = [i for i in await store_of(app).outbox.items(("delivered",)) if i.kind == "digest"]
    await wait_status(store_of(app), item.item_id, "delivered")
    recorded = [c.get("file_id") for c in item.payload["charts"]]
    assert recorded == file_ids(post.blocks), "the item remembers its files for any retry"
    assert not any("png" in c for c in item.payload["charts"]), "and keeps no second copy of the pictures"


async def backdate_flows(app: RunningApp, when: Any) -> None:
    """Move every finished diagnosis into last week, where a digest reports."""
    from sqlalchemy import update

    from bot.store.tables import DiagnosisFlowRow

    async with store_of(app).sessions() as session, session.begin():
        await session.execute(update(DiagnosisFlowRow).values(updated_at=when, created_at=when))


def app_kb(app: RunningApp) -> Any:
    assert app.mlorg is not None
    return app.mlorg.kb

"""``mlorg outbox`` and ``mlorg export``: the operator's view of the database, from a terminal.

They read the same settings as ``mlorg serve`` (``DATABASE_URL``), never talk to Slack,
and end every expected problem with one line and a non-zero exit code. Most tests call
the console script's ``main`` in-process (the same code path, faster); the malformed-URL
test runs the real process, as an operator would.
"""

from __future__ import annotations

import asyncio
import csv
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.features.quiz.engine import snapshot
from bot.store import Store, WorkspaceConfig
from bot.store.events import utc_now
from knowledge import load_knowledge
from knowledge.quiz import QuestionBank
from tests.e2e.processes import child_env

KB = load_knowledge()
TEAM = "T0001"
SMALL_TEAM = "T0002"
PEOPLE = ("U0EXPA", "U0EXPB", "U0EXPC")
ANSWERS = {q.id: q.options[2].id for q in KB.questions}

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite database named by DATABASE_URL, in an otherwise clean environment."""
    for key in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "MLORG_ADMINS",
        "MLORG_KNOWLEDGE_DIR",
        "MLORG_ENCRYPTION_KEY",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the source tree
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def mlorg(database_url: str, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def with_store(url: str, work: Callable[[Store], Awaitable[object]]) -> None:
    async def go() -> None:
        store = Store.open(url)
        try:
            await store.migrate()
            await work(store)
        finally:
            await store.close()

    asyncio.run(go())


async def finish(store: Store, team: str, user: str, role: str | None = None) -> None:
    """A finished diagnosis with the same answers for everyone (and ``role`` on the role question)."""
    answers = {**ANSWERS, **({"role": role} if role else {})}
    flow = await store.diagnoses.start(team, user, "C0TEAM", resume=False)
    for step, (question, option) in enumerate(answers.items()):
        assert await store.diagnoses.answer(team, flow.flow_id, step, question, option) is not None
    assert await store.diagnoses.finish(team, flow.flow_id) is not None


async def quiz(store: Store, team: str, answered: list[tuple[str, ...]]) -> list[str]:
    """A quiz whose question ``n`` is answered (wrongly) by the players in ``answered[n]``."""
    items = list(QuestionBank(KB).authored[: len(answered)])
    played, _ = await store.quizzes.create(team, "C0QUIZ", "U0HOST", [snapshot(i) for i in items])
    for position, (item, players) in enumerate(zip(items, answered, strict=True)):
        for player in players:
            wrong = next(o for o, _ in item.options if o != item.answer)
            outcome = await store.quizzes.answer(team, played.quiz_id, position, player, wrong)
            assert outcome.status == "recorded"
        await store.quizzes.advance(team, played.quiz_id, position)
    return [i.id for i in items]


# -- mlorg outbox ---------------------------------------------------------------------------------------


def test_outbox_on_an_empty_database_says_it_is_empty(mlorg: Run) -> None:
    code, out, err = mlorg("outbox")

    assert (code, err) == (0, "")
    assert out.strip() == "The outbox is empty: nothing pending or failed."
    assert mlorg("outbox", "list", "--all")[0] == 0


def test_outbox_retry_without_an_id_explains_itself(mlorg: Run) -> None:
    code, out, err = mlorg("outbox", "retry")

    assert code == 1 and out == ""
    assert err.strip() == "Name an item id, or use --all to retry every failed item."


def test_outbox_retry_of_an_unknown_item_changes_nothing(mlorg: Run) -> None:
    code, _, err = mlorg("outbox", "retry", "deadbeef0000")

    assert code == 1 and "No failed item matched" in err


def test_outbox_lists_pending_and_failed_items_and_retries_them(mlorg: Run, database_url: str) -> None:
    ids: dict[str, str] = {}

    async def seed(store: Store) -> None:
        for key in ("pending", "failed", "delivered"):
            item, _ = await store.outbox.enqueue(TEAM, key, kind="summary", channel_id="C0LEAD", payload={})
            ids[key] = item.item_id
        claims = {
            i.item_id: i.claimed_by or "" for i in await store.outbox.claim(timedelta(seconds=60), limit=10)
        }
        assert set(claims) == set(ids.values())
        await store.outbox.attempt_failed(
            ids["pending"],
            "HTTP 500",
            claimed_by=claims[ids["pending"]],
            retry_at=utc_now() + timedelta(hours=1),
            max_attempts=5,
        )
        await store.outbox.attempt_failed(
            ids["failed"],
            "HTTP 200: channel_not_found",
            claimed_by=claims[ids["failed"]],
            retry_at=None,
            max_attempts=5,
        )
        await store.outbox.delivered(
            ids["delivered"], "1700000000.000001", claimed_by=claims[ids["delivered"]]
        )
        item, _ = await store.outbox.enqueue(
            TEAM, "delivering", kind="digest", channel_id="C0LEAD", payload={}
        )
        ids["delivering"] = item.item_id
        await store.outbox.claim(timedelta(seconds=60), worker="host-a:4242")

    with_store(database_url, seed)

    code, out, _ = mlorg("outbox")
    assert code == 0
    header, *rows = out.strip().splitlines()
    assert header.split()[:3] == ["ID", "STATUS", "KIND"]
    assert sorted(row.split()[1] for row in rows) == ["delivering", "failed", "pending"]
    (failed_row,) = [row for row in rows if ids["failed"] in row]
    assert "channel_not_found" in failed_row and "C0LEAD" in failed_row and TEAM in failed_row
    (delivering_row,) = [row for row in rows if ids["delivering"] in row]
    assert "held by host-a:4242" in delivering_row, "an operator sees which replica is delivering it"
    assert ids["delivered"] not in out

    code, out, _ = mlorg("outbox", "list", "--all")
    assert ids["delivered"] in out and code == 0

    code, out, _ = mlorg("outbox", "retry", "--all")
    assert code == 0 and "1 item(s) queued again" in out
    code, out, _ = mlorg("outbox")
    assert "failed" not in " ".join(row.split()[1] for row in out.strip().splitlines()[1:])


# -- mlorg export ----------------------------------------------------------------------------------------


def test_export_writes_one_aggregate_row_per_week_and_skips_groups_below_three(
    mlorg: Run, database_url: str, tmp_path: Path
) -> None:
    question_ids: list[str] = []

    async def seed(store: Store) -> None:
        for person in PEOPLE:
            await finish(store, TEAM, person)
        await finish(store, TEAM, PEOPLE[0])  # a retake replaces: still three people
        for person in PEOPLE[:2]:
            await finish(store, SMALL_TEAM, person)
        question_ids.extend(await quiz(store, TEAM, [PEOPLE, PEOPLE[:2]]))
        await quiz(store, SMALL_TEAM, [PEOPLE[:2]])

    with_store(database_url, seed)
    out_dir = tmp_path / "export"

    code, out, err = mlorg("export", "--out", str(out_dir))

    assert code == 0, err
    diagnoses = out_dir / f"{TEAM}-diagnoses.csv"
    quiz_csv = out_dir / f"{TEAM}-quiz.csv"
    assert f"{diagnoses}: 1 week(s), each over at least 3 people" in out
    assert f"{SMALL_TEAM}: no week had diagnoses from at least 3 people; nothing exported" in out
    assert not (out_dir / f"{SMALL_TEAM}-diagnoses.csv").exists()

    [row] = list(csv.DictReader(diagnoses.open(encoding="utf-8")))
    assert row["people"] == "3", "one row per week, each person once"
    assert len(row["week_start"]) == 10 and row["week_start"] < row["week_end"]
    assert sum(int(row[f"best_fit_{a.id}"]) for a in KB.archetypes) == 3
    # Nobody said their role: no role column is filled.
    assert all(
        row[k] == ""
        for k in row
        if k.endswith(("_leaders", "_contributors")) or k in ("leaders", "contributors")
    )
    # No answer of anyone's is written, only aggregates.
    assert not set(row) & {q.id for q in KB.questions}

    quiz_rows = list(csv.DictReader(quiz_csv.open(encoding="utf-8")))
    assert [r["question_id"] for r in quiz_rows] == [question_ids[0]], "only questions 3+ people answered"
    assert (quiz_rows[0]["answers"], quiz_rows[0]["correct"], quiz_rows[0]["percent_correct"]) == (
        "3",
        "0",
        "0",
    )
    small_quiz = out_dir / f"{SMALL_TEAM}-quiz.csv"
    assert len(list(csv.DictReader(small_quiz.open(encoding="utf-8")))) == 0

    everything = "".join(p.read_text(encoding="utf-8") for p in out_dir.iterdir())
    for person in (*PEOPLE, "U0HOST"):
        assert person not in everything, f"{person} appears in the export"


def test_an_export_from_a_workspace_with_one_leader_does_not_single_the_leader_out(
    mlorg: Run, database_url: str, tmp_path: Path
) -> None:
    async def seed(store: Store) -> None:
        await finish(store, TEAM, "U0BOSS", role="leader")
        for person in PEOPLE:
            await finish(store, TEAM, person, role="contributor")

    with_store(database_url, seed)

    code, _, err = mlorg("export", "--out", str(tmp_path / "export"))

    assert code == 0, err
    [row] = list(csv.DictReader((tmp_path / "export" / f"{TEAM}-diagnoses.csv").open(encoding="utf-8")))
    assert row["people"] == "4"
    role_columns = [
        k for k in row if k.endswith(("_leaders", "_contributors")) or k in ("leaders", "contributors")
    ]
    assert role_columns and all(row[k] == "" for k in role_columns), "a group of one leader is suppressed"


def test_an_export_fills_role_columns_when_each_role_group_is_large_enough(
    mlorg: Run, database_url: str, tmp_path: Path
) -> None:
    async def seed(store: Store) -> None:
        for n in range(3):
            await finish(store, TEAM, f"U0LEAD{n}", role="leader")
            await finish(store, TEAM, f"U0CONT{n}", role="contributor")

    with_store(database_url, seed)

    assert mlorg("export", "--out", str(tmp_path / "export"))[0] == 0
    [row] = list(csv.DictReader((tmp_path / "export" / f"{TEAM}-diagnoses.csv").open(encoding="utf-8")))
    assert (row["people"], row["leaders"], row["contributors"]) == ("6", "3", "3")
    assert sum(int(row[f"best_fit_{a.id}_leaders"]) for a in KB.archetypes) == 3
    assert all(row[f"mean_{d.id}_leaders"] != "" for d in KB.dimensions)


def test_export_honours_a_workspaces_higher_minimum_group(
    mlorg: Run, database_url: str, tmp_path: Path
) -> None:
    async def seed(store: Store) -> None:
        for person in PEOPLE:
            await finish(store, TEAM, person)
        await store.workspaces.save(TEAM, WorkspaceConfig(TEAM, min_group=4), updated_by="U0ADMIN")

    with_store(database_url, seed)

    code, out, _ = mlorg("export", "--out", str(tmp_path / "export"))

    assert code == 0
    assert f"{TEAM}: no week had diagnoses from at least 4 people; nothing exported" in out
    assert not (tmp_path / "export" / f"{TEAM}-diagnoses.csv").exists()


def test_export_of_an_empty_database_says_there_is_nothing_yet(mlorg: Run, tmp_path: Path) -> None:
    code, out, _ = mlorg("export", "--out", str(tmp_path / "export"))

    assert code == 0
    assert "Nothing to export yet" in out


# -- a malformed DATABASE_URL ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("outbox",), ("outbox", "retry", "--all"), ("export", "--out", "x")])
def test_a_malformed_database_url_is_one_line_and_exit_2(
    command: tuple[str, ...], mlorg: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://ops:s3cret-pw@db.internal/mlorg")

    code, out, err = mlorg(*command)

    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("mlorg: DATABASE_URL is malformed")
    assert "s3cret-pw" not in err


def test_the_real_command_reports_a_malformed_database_url_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "outbox"],
        env=child_env(DATABASE_URL="postgresql://ops:s3cret-pw@db.internal:port/mlorg"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlorg: DATABASE_URL is malformed"), done.stderr
    assert "Traceback" not in done.stderr and "s3cret-pw" not in done.stderr


# -- mlorg export --charts ----------------------------------------------------------------------------


def test_export_charts_draws_each_workspaces_summary_and_none_for_a_group_too_small(
    mlorg: Run, database_url: str, tmp_path: Path
) -> None:
    async def seed(store: Store) -> None:
        for person in PEOPLE:
            await finish(store, TEAM, person)
        for person in PEOPLE[:2]:
            await finish(store, SMALL_TEAM, person)

    with_store(database_url, seed)
    charts = tmp_path / "charts"

    code, out, err = mlorg("export", "--out", str(tmp_path / "csv"), "--charts", str(charts))

    assert code == 0, err
    drawn = sorted(p.name for p in (charts / TEAM).iterdir())
    assert drawn == ["mlorg-summary-mix.png", "mlorg-summary-trend.png"], "no quiz played: no quiz chart"
    assert all((charts / TEAM / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for name in drawn)
    assert f"{charts / TEAM}: mlorg-summary-mix.png, mlorg-summary-trend.png" in out
    assert not (charts / SMALL_TEAM).exists()
    assert (
        f"{SMALL_TEAM}: the week of " in out and "fewer than 3 people in every part; no charts drawn" in out
    )

"""One workspace never sees or changes another's data, and the code cannot quietly forget that.

Three layers, each failing for a new table or repository method that does not scope:

* every table keys its rows by ``team_id`` (bar a reasoned allow-list);
* every public repository method takes ``team_id`` or is marked ``@across_workspaces("why")``;
* behaviourally, for Hypothesis-drawn ids, every scoped method called for workspace B with
  workspace A's ids returns nothing of A's and changes none of A's rows, and every statement
  those calls send names the workspace (the same SQL audit runs under every contract test).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, select

from bot.store import Ledger, Store, WorkspaceConfig
from bot.store.pending_answers import PendingAnswer
from bot.store.scoping import SCOPE_PARAMETER, across_workspaces, across_workspaces_reason
from bot.store.tables import Base
from tests.bot.store.scoping_support import (
    SqlAudit,
    public_methods,
    repository_classes,
    repository_instances,
    scoped_methods,
    takes_the_workspace,
    unscoped_tables,
)

#: Tables that cannot be keyed by workspace, and why.
UNSCOPED_TABLES: Final = {
    "slack_installations": "slack-sdk's schema: team_id is NULL for an org-wide install, keyed by "
    "(enterprise_id, team_id) in slack-sdk's own queries; read only by bot.tenancy's installation store",
    "slack_bots": "slack-sdk's schema, as slack_installations",
    "slack_oauth_states": "an OAuth state precedes any install: there is no workspace yet",
    "alembic_version": "Alembic's bookkeeping of the schema every workspace shares",
}


# -- (a) tables ----------------------------------------------------------------------------------------


def table_problem(table: Any) -> str | None:
    """Why ``table`` does not key its rows by workspace, or None when it does."""
    column = table.columns.get(SCOPE_PARAMETER)
    if column is None:
        return "has no team_id column"
    if column.nullable and not column.primary_key:
        return "has a nullable team_id"
    keys = [set(table.primary_key.columns.keys())] + [
        set(constraint.columns.keys())
        for constraint in table.constraints
        if type(constraint).__name__ == "UniqueConstraint"
    ]
    keys += [set(index.columns.keys()) for index in table.indexes if index.unique]
    if not any(SCOPE_PARAMETER in key for key in keys):
        return "has team_id in neither its primary key nor a unique key"
    return None


def test_every_table_keys_its_rows_by_workspace() -> None:
    problems = {
        table.name: problem
        for table in Base.metadata.sorted_tables
        if table.name not in UNSCOPED_TABLES and (problem := table_problem(table))
    }

    assert problems == {}, "scope these tables by team_id, or allow-list them here with a reason"
    assert set(UNSCOPED_TABLES) - {"alembic_version"} <= set(Base.metadata.tables), "stale allow-list"


def test_the_table_check_refuses_a_table_without_a_workspace_key() -> None:
    metadata = MetaData()
    keyless = Table(
        "notes",
        metadata,
        Column("note_id", String, primary_key=True),
        Column("team_id", String, nullable=False),
    )
    teamless = Table("tags", metadata, Column("tag", String, primary_key=True))

    assert table_problem(keyless) == "has team_id in neither its primary key nor a unique key"
    assert table_problem(teamless) == "has no team_id column"


# -- (b) repository methods ----------------------------------------------------------------------------


@pytest.fixture
def offline_store(tmp_path: Any) -> Store:
    """A store that is never connected: enough to walk its repositories."""
    return Store.open(f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}")


def test_every_repository_method_takes_the_workspace_or_says_why_not(offline_store: Store) -> None:
    classes = repository_classes(offline_store)
    unscoped = {
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in classes
        for name, function in public_methods(cls).items()
        if not takes_the_workspace(function) and across_workspaces_reason(function) is None
    }

    known = {"Store", "EventLog", "Diagnoses", "Quizzes", "AnswerWriter", "Workspaces", "Outbox"}
    assert known | {"ReleasedViews", "Questions"} <= {cls.__name__ for cls in classes}, "discovery broke"
    assert unscoped == set(), (
        "give these a required team_id parameter and filter every statement by it, or mark them "
        "@across_workspaces('why') (bot.store.scoping) if they truly serve every workspace"
    )


def test_a_scoped_method_is_not_also_marked_across_workspaces(offline_store: Store) -> None:
    both = {
        f"{cls.__qualname__}.{name}"
        for cls in repository_classes(offline_store)
        for name, function in public_methods(cls).items()
        if across_workspaces_reason(function) is not None
        and SCOPE_PARAMETER in inspect.signature(function).parameters
    }

    assert both == set(), "a method taking team_id must filter by it, not opt out"


def test_the_marker_insists_on_a_reason() -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        across_workspaces("  ")

    @across_workspaces("serves every workspace")
    async def sweep() -> None: ...

    assert across_workspaces_reason(sweep) == "serves every workspace"


# -- (c) behaviour: B's calls with A's ids ---------------------------------------------------------------

#: Free text only workspace A's rows hold: a result of B's showing it has leaked A's data.
A_ONLY: Final = "only-in-workspace-A"
#: Workspace tables no repository of the Store writes (yet), and who does.
WRITTEN_ELSEWHERE: Final[dict[str, str]] = {}
EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)
QUIZ_ITEM: Final = {"id": "q1", "topic": "t1", "answer": "a", "options": [["a", "A"], ["b", "B"]]}


@dataclasses.dataclass(frozen=True)
class Ids:
    team_a: str
    team_b: str
    user: str
    channel: str
    key: str

    def numbered(self, n: int) -> Ids:
        """The same ids made unique to example ``n``: examples share one database."""
        return Ids(*(f"{value}#{n}" for value in dataclasses.astuple(self)))


def _text(min_size: int = 1) -> st.SearchStrategy[str]:
    # Any text PostgreSQL stores (no NUL), so ids with %, _, quotes or non-ASCII are covered.
    return st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=min_size,
        max_size=16,
    )


ids_strategy: Final = st.builds(
    Ids, team_a=_text(), team_b=_text(), user=_text(), channel=_text(), key=_text()
).filter(lambda ids: ids.team_a != ids.team_b)

SCOPING_EXAMPLES: Final = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def write_workspace_a(store: Store, ids: Ids) -> dict[str, Any]:
    """A's data in every repository, and the ids and states B's calls will name."""
    a, user, channel, key = ids.team_a, ids.user, ids.channel, ids.key
    now = datetime.now(UTC)
    await store.events.claim(a, key)
    question = PendingAnswer.of(
        a,
        f"{key}-q",
        channel_id=channel,
        thread_ts=None,
        conversation_key=channel,
        question=A_ONLY,
        new=False,
    )
    await store.events.claim(a, f"{key}-q", question)
    session = await store.diagnoses.open_session(a, channel, user)
    await store.diagnoses.set_session_messages(a, session.session_id, "1.1", "1.2")
    team_flow = await store.diagnoses.start(a, user, channel, session.session_id)
    await store.diagnoses.answer(a, team_flow.flow_id, 0, "q1", A_ONLY)
    await store.diagnoses.finish_with_response(a, team_flow.flow_id, role="ic")
    flow = await store.diagnoses.start(a, user, channel)
    moved = await store.diagnoses.answer(a, flow.flow_id, 0, "q1", A_ONLY)
    assert moved is not None
    ended, _ = await store.quizzes.create(a, f"{channel}-2", user, [{**QUIZ_ITEM, "prompt": A_ONLY}])
    await store.quizzes.answer(a, ended.quiz_id, 0, user, "a")
    await store.quizzes.end(a, ended.quiz_id)
    deadline = now + timedelta(minutes=5)
    quiz, _ = await store.quizzes.create(
        a, channel, user, [{**QUIZ_ITEM, "prompt": A_ONLY}], recheck_at=deadline
    )
    await store.quizzes.set_parent(a, quiz.quiz_id, "2.1")
    await store.quizzes.answer(a, quiz.quiz_id, 0, user, "a")
    config = WorkspaceConfig(a, leadership_channels=(channel,), digest_weekday=1, digest_time="09:00")
    await store.workspaces.save(a, config, updated_by=user)
    item, _ = await store.outbox.enqueue(a, key, kind="summary", channel_id=channel, payload={"text": A_ONLY})
    await store.outbox.enqueue(
        a,
        f"{key}-held",
        kind="summary",
        channel_id=channel,
        payload={"text": A_ONLY},
        requested_by=user,
        held=True,
    )
    await store.views.save(a, key, {"s": [A_ONLY]}, expected=0)
    answer_id = await store.questions.record(
        a, A_ONLY, kind="answer", answered=True, conversation_key=key, subject=A_ONLY
    )
    await store.questions.vote(a, answer_id, user, helpful=True)
    await store.installs.record_install(a, None, A_ONLY, False)
    await store.orgs.record(a, "E-" + A_ONLY)
    return {
        "enterprise_id": "",
        "team_name": "B's name",
        "is_enterprise_install": False,
        "purge_after": now + timedelta(days=1),
        "now": now,
        "checked_at": now,
        "event_id": key,
        "user_id": user,
        "started_by": user,
        "host_id": user,
        "updated_by": user,
        "channel_id": channel,
        "session_id": session.session_id,
        "flow_id": flow.flow_id,
        "step": 1,
        "question_id": "q2",
        "option_id": "a",
        "role": "lead",
        "since": EPOCH,
        "message_ts": "9.1",
        "summary_ts": "9.2",
        "answers": {"q1": "b"},
        "items": [QUIZ_ITEM],
        "quiz_id": quiz.quiz_id,
        "position": 0,
        "parent_ts": "9.3",
        "ts": "9.4",
        "deadline": None,
        "seen": deadline,
        "until": now + timedelta(hours=1),
        "config": lambda team: WorkspaceConfig(team, leadership_channels=("C-B",), min_group=7),
        "dedupe_key": f"{key}-held",
        "kind": "summary",
        "payload": {"text": "B"},
        "item_id": item.item_id,
        "view_key": key,
        "shown": {"s": ["B"]},
        "expected": 1,
        "views": [(key, {"s": ["B"]}, 1)],
        "ledger": Ledger({"s": ((A_ONLY,),)}, 1),
        "conversation_key": key,
        "subject": "B's subject",
        "question": "B's question",
        "answered": False,
        "answer_id": answer_id,
        "helpful": False,
    }


def arguments(
    label: str, function: Callable[..., Any], team: str, known: Mapping[str, Any]
) -> dict[str, Any]:
    """The required arguments of a scoped method: ``team`` and A's ids and states by name."""
    values: dict[str, Any] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if name == "self" or parameter.default is not inspect.Parameter.empty:
            continue
        if name == SCOPE_PARAMETER:
            values[name] = team
            continue
        if name not in known:
            raise AssertionError(
                f"teach this test what to pass as {name!r} to {label} (see write_workspace_a)"
            )
        value = known[name]
        values[name] = value(team) if callable(value) else value
    return values


async def rows_of(store: Store, team: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of the workspace in every workspace table, as text, in a stable order."""
    rows: dict[str, list[tuple[str, ...]]] = {}
    async with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in UNSCOPED_TABLES or SCOPE_PARAMETER not in table.columns:
                continue
            result = await connection.execute(select(table).where(table.columns[SCOPE_PARAMETER] == team))
            rows[table.name] = sorted(tuple(map(str, row)) for row in result)
    return rows


def leaks(result: object, team_a: str) -> list[str]:
    """Where ``result`` shows workspace A: a ``team_id`` of A's, or text only A's rows hold."""
    found: list[str] = []

    def walk(value: object, path: str) -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if getattr(value, SCOPE_PARAMETER, None) == team_a:
                found.append(f"{path}.team_id")
            for item in dataclasses.fields(value):
                walk(getattr(value, item.name), f"{path}.{item.name}")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(key, f"{path}[key]")
                walk(item, f"{path}[{key!r}]")
        elif isinstance(value, list | tuple | set | frozenset):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        elif isinstance(value, str) and A_ONLY in value:
            found.append(path)

    walk(result, "result")
    return found


def every_repository(store: Store) -> dict[str, object]:
    """The store's repositories, and one of each bot.store repository class the store does not hold."""
    instances = repository_instances(store)
    held = {type(instance) for instance in instances.values()}
    for cls in sorted(repository_classes(store) - held, key=lambda cls: cls.__qualname__):
        try:
            instances[cls.__qualname__] = cls(store.sessions, store.dialect)
        except TypeError as error:
            raise AssertionError(f"teach this test to build {cls.__qualname__}: {error}") from error
    return instances


async def test_workspace_b_calls_with_workspace_a_ids_neither_see_nor_change_a(
    store: Store, sql_audit: SqlAudit
) -> None:
    examples: list[Ids] = []

    @SCOPING_EXAMPLES
    @given(ids_strategy)
    def draw(ids: Ids) -> None:
        examples.append(ids)

    draw()
    for n, drawn in enumerate(examples):
        ids = drawn.numbered(n)
        known = await write_workspace_a(store, ids)
        before = await rows_of(store, ids.team_a)
        empty = {table for table, rows in before.items() if not rows}
        assert empty <= set(WRITTEN_ELSEWHERE), f"write A's rows in {empty - set(WRITTEN_ELSEWHERE)} too"
        for path, instance in every_repository(store).items():
            for name in scoped_methods(instance):
                method = getattr(instance, name)
                label = f"{path}.{name}"
                result = await method(**arguments(label, method, ids.team_b, known))
                assert leaks(result, ids.team_a) == [], f"{label} for B showed A's data ({ids})"
        assert await rows_of(store, ids.team_a) == before, f"B's calls changed A's rows ({ids})"

    # Every scoped method ran and was audited (the store fixture also asserts this at teardown).
    everything = {
        f"{type(i).__name__}.{n}" for i in every_repository(store).values() for n in scoped_methods(i)
    }
    assert sql_audit.called == everything
    assert sql_audit.statements and sql_audit.violations() == []


# -- (3) the SQL audit recognises an unscoped statement ----------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "missing"),
    [
        ("SELECT quizzes.quiz_id FROM quizzes WHERE quizzes.team_id = ? AND quizzes.quiz_id = ?", []),
        ("SELECT quizzes.quiz_id FROM quizzes WHERE quizzes.quiz_id = $1::VARCHAR", ["quizzes"]),
        ("UPDATE outbox SET status=? WHERE outbox.item_id = ? RETURNING outbox.team_id", ["outbox"]),
        ("DELETE FROM answer_votes WHERE answer_votes.user_id = ?", ["answer_votes"]),
        (
            "SELECT quiz_answers.user_id FROM quiz_answers JOIN quizzes ON quizzes.team_id = "
            "quiz_answers.team_id AND quizzes.quiz_id = quiz_answers.quiz_id WHERE quizzes.team_id = ?",
            [],
        ),
        ("INSERT INTO conversations (conversation_key, subject) VALUES (?, ?)", ["conversations"]),
        ("INSERT INTO conversations (team_id, conversation_key, subject) VALUES (?, ?, ?)", []),
        ("SELECT pg_advisory_xact_lock(hashtext($1::VARCHAR))", []),
    ],
)
def test_the_sql_audit_tells_scoped_statements_from_unscoped_ones(sql: str, missing: list[str]) -> None:
    assert unscoped_tables(sql) == missing

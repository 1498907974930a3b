"""A workspace with something in every table, and a way to count what is left of it.

Purging is only proven if there was something to purge: :func:`fill_workspace` stores, through
the repositories the app uses, a row of every kind mlorg keeps (diagnoses, team sessions and
responses, a quiz and its answers, settings, an outbox item, a conversation, a question and its
vote, a released view, an event id), plus the install records and slack-sdk's token rows.
:func:`fill_every_team_table` adds one generic row to each table with a ``team_id`` column,
including any table added after this was written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Table, func, insert, select

from bot.features.quiz.engine import snapshot
from bot.store import SLACK_BOTS, SLACK_INSTALLATIONS, Store, WorkspaceConfig
from bot.store.purge import team_tables
from bot.store.tables import UTCDateTime, WorkspaceOrgRow
from knowledge import load_knowledge
from knowledge.quiz import QuestionBank

__all__ = ["FILLED_TABLES", "fill_every_team_table", "fill_workspace", "rows_of"]

_KB = load_knowledge()

#: What :func:`fill_workspace` leaves in a workspace, table by table (slack-sdk's token rows
#: included): a purge must find all of it.
FILLED_TABLES: Final = frozenset(
    {
        "answer_votes",
        "asked_questions",
        "conversations",
        "diagnosis_flows",
        "outbox",
        "processed_events",
        "quiz_answers",
        "quizzes",
        "released_views",
        "slack_bots",
        "slack_installations",
        "team_responses",
        "team_sessions",
        "workspace_installs",
        "workspace_settings",
    }
)


async def fill_workspace(
    store: Store, team: str, *, enterprise: str | None = None, installed: bool = True
) -> None:
    """One of everything a workspace leaves behind, stored the way the app stores it.

    ``installed=False``: no install record of its own (a workspace served by an org-wide install).
    """
    await store.events.claim(team, f"Ev-{team}")
    flow = await store.diagnoses.start(team, "U0ONE", "C0DIAG", resume=False)
    await store.diagnoses.answer(team, flow.flow_id, 0, _KB.questions[0].id, _KB.questions[0].options[0].id)
    session = await store.diagnoses.open_session(team, "C0TEAM", "U0LEAD")
    await store.diagnoses.record_response(team, session.session_id, "U0ONE", {"q": "a"}, None)
    item = QuestionBank(_KB).authored[0]
    quiz, _ = await store.quizzes.create(team, "C0QUIZ", "U0HOST", [snapshot(item)])
    await store.quizzes.answer(team, quiz.quiz_id, 0, "U0ONE", item.options[0][0])
    await store.workspaces.save(
        team, WorkspaceConfig(team_id=team, leadership_channels=("C0LEAD",)), updated_by="U0A"
    )
    await store.outbox.enqueue(team, "summary:x", kind="summary", channel_id="C0LEAD", payload={"text": "t"})
    answer_id = await store.questions.record(
        team, "why?", kind="aspect", answered=True, conversation_key="C0X:1", subject="rnd"
    )
    await store.questions.vote(team, answer_id, "U0ONE", helpful=True)
    await store.views.save(team, "week:1", {"all": ["a", "b", "c"]}, expected=0)
    if installed:
        await store.installs.record_install(team, enterprise, f"Team {team}", False)
    now = datetime.now(UTC)
    token_row = {
        "client_id": "111.222",
        "app_id": "A0001",
        "enterprise_id": enterprise,
        "team_id": team,
        "bot_token": "encrypted-bot-token",
        "bot_id": "B0001",
        "bot_user_id": "U0BOT",
        "is_enterprise_install": False,
        "installed_at": now.replace(tzinfo=None),
    }
    async with store.sessions.begin() as db:
        await db.execute(insert(SLACK_INSTALLATIONS).values(user_id="U0INSTALLER", **token_row))
        await db.execute(insert(SLACK_BOTS).values(token_row))
        if enterprise:
            await db.execute(
                insert(WorkspaceOrgRow).values(team_id=team, enterprise_id=enterprise, seen_at=now)
            )


def _value(table: Table, column: Any, team: str) -> Any:
    if column.name == "team_id":
        return team
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return datetime.now(UTC)
    if isinstance(kind, DateTime):
        now = datetime.now(UTC)
        return now if kind.timezone else now.replace(tzinfo=None)
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, String):
        return f"{table.name}-{column.name}-{team}"[: kind.length or None]
    raise AssertionError(f"{table.name}.{column.name}: teach fill_every_team_table about {kind!r}")


async def fill_every_team_table(store: Store, team: str) -> None:
    """A generic row in every table with a ``team_id`` column, scoped to ``team``."""
    async with store.sessions.begin() as db:
        for table in team_tables():
            values = {
                column.name: _value(table, column, team)
                for column in table.columns
                if not (
                    column.primary_key and column.autoincrement is True and isinstance(column.type, Integer)
                )
            }
            await db.execute(insert(table).values(values))


async def rows_of(store: Store, team: str) -> dict[str, int]:
    """How many rows each table with a ``team_id`` holds for ``team`` (tables with none left out)."""
    counts: dict[str, int] = {}
    async with store.sessions() as db:
        for table in team_tables():
            query = select(func.count()).select_from(table).where(table.c.team_id == team)
            count = int((await db.execute(query)).scalar_one())
            if count:
                counts[table.name] = count
    return counts

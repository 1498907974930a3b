"""mlorg's storage: SQLAlchemy 2 (asyncio) on SQLite or PostgreSQL, migrated by Alembic.

The composition root opens one :class:`Store`, migrates it, and hands its repositories to
the features::

    store = Store.open(normalize_database_url(settings.database_url or default_database_url()))
    await store.migrate()
    if await store.events.claim(team_id, event_id):
        ...  # first delivery: handle it

Nothing outside this package needs to import SQLAlchemy: repositories take and return plain
values and raise :class:`StoreError` when the database fails them.
"""

from __future__ import annotations

from bot.store.db import default_database_url, normalize_database_url
from bot.store.diagnoses import Diagnoses, Flow, TeamResponse, TeamSession
from bot.store.errors import DatabaseUrlError, StoreError, StoreUnavailable
from bot.store.events import EventLog
from bot.store.installation_tables import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES
from bot.store.installs import Install, Installs
from bot.store.orgs import WorkspaceOrgs
from bot.store.outbox import Outbox, OutboxItem
from bot.store.purge import Purged
from bot.store.questions import AskedQuestion, Questions, VoteOutcome
from bot.store.quizzes import AnswerOutcome, Quiz, QuizAnswer, Quizzes, Standing
from bot.store.store import Forgotten, Store
from bot.store.views import Ledger, ReleasedView, ReleasedViews
from bot.store.workspaces import WorkspaceConfig, Workspaces

__all__ = [
    "SLACK_BOTS",
    "SLACK_INSTALLATIONS",
    "SLACK_OAUTH_STATES",
    "AnswerOutcome",
    "AskedQuestion",
    "DatabaseUrlError",
    "Diagnoses",
    "EventLog",
    "Flow",
    "Forgotten",
    "Install",
    "Installs",
    "Ledger",
    "Outbox",
    "OutboxItem",
    "Purged",
    "Questions",
    "Quiz",
    "QuizAnswer",
    "Quizzes",
    "ReleasedView",
    "ReleasedViews",
    "Standing",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "TeamResponse",
    "TeamSession",
    "VoteOutcome",
    "WorkspaceConfig",
    "WorkspaceOrgs",
    "Workspaces",
    "default_database_url",
    "normalize_database_url",
]

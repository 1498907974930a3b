"""What features receive from the composition root.

Features never construct their collaborators or read the environment; they get
them here, so tests can hand in a different store or knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.actions import ActionRouter
from bot.charts import ChartKit
from bot.commands import CommandRouter
from bot.http import SharedSession
from bot.permissions import Admins
from bot.settings import Settings
from bot.store import Store
from knowledge import KnowledgeBase
from knowledge.answering import Answerer

__all__ = ["Deps"]


@dataclass(frozen=True)
class Deps:
    settings: Settings
    kb: KnowledgeBase
    store: Store
    commands: CommandRouter
    actions: ActionRouter
    http: SharedSession
    #: Workspace admins and owners, and MLORG_ADMINS: who may configure, post, and take over hosting.
    admins: Admins
    #: Answers questions in plain words; its search index is built once, at start-up.
    answerer: Answerer
    #: Draws charts off the event loop, uploads them and posts them in image blocks (or leaves them out).
    charts: ChartKit = field(default_factory=ChartKit)

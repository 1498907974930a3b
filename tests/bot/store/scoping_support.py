"""Finding every repository and its methods, and auditing the SQL that scoped methods send.

Shared by ``test_workspace_scoping.py`` and the contract fixtures (``conftest.py``), so that every
contract scenario also checks that what a workspace's call sends to the database names that
workspace. Repositories are found, not listed: a new repository module in :mod:`bot.store`, or a
new attribute of :class:`~bot.store.Store`, is picked up without touching the tests.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Final

import pytest
from sqlalchemy import event

import bot.store
from bot.store import Store
from bot.store.scoping import SCOPE_PARAMETER, across_workspaces_reason
from bot.store.tables import Base

#: Packages under bot.store that hold no repositories; importing Alembic's env.py would run it.
SKIPPED_PACKAGES: Final = ("bot.store.migrations",)


def store_modules() -> list[str]:
    """Every module of :mod:`bot.store` (imported), migrations aside."""
    names = ["bot.store"]
    for module in pkgutil.walk_packages(bot.store.__path__, "bot.store."):
        if module.name.startswith(SKIPPED_PACKAGES):
            continue
        importlib.import_module(module.name)
        names.append(module.name)
    return names


def _takes_the_database(cls: type) -> bool:
    """A repository is built on the store's session factory (or its engine)."""
    try:
        parameters = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return False
    for parameter in parameters:
        annotation = str(parameter.annotation)
        if parameter.name in ("sessions", "engine") or "sessionmaker" in annotation or "Engine" in annotation:
            return True
    return False


def repository_instances(store: Store) -> dict[str, object]:
    """The store and every object of a bot.store class reachable from its attributes, by path."""
    found: dict[str, object] = {"store": store}
    pending: list[tuple[str, object]] = [("store", store)]
    while pending:
        path, owner = pending.pop()
        for name, value in sorted(vars(owner).items()):
            module = type(value).__module__
            if not module.startswith("bot.store") or isinstance(value, type):
                continue
            if any(value is seen for seen in found.values()):
                continue
            found[f"{path}.{name}"] = value
            pending.append((f"{path}.{name}", value))
    return found


def repository_classes(store: Store) -> set[type]:
    """Classes of the objects the store hands out, and every bot.store class built on the database."""
    classes = {type(instance) for instance in repository_instances(store).values()}
    for name in store_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and _takes_the_database(cls):
                classes.add(cls)
    return {cls for cls in classes if public_methods(cls)}


def public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    """The class's own public functions (plain, class and static methods); properties are values."""
    methods: dict[str, Callable[..., Any]] = {}
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attribute = inspect.getattr_static(cls, name)
        if isinstance(attribute, classmethod | staticmethod):
            attribute = attribute.__func__
        if inspect.isfunction(attribute):
            methods[name] = attribute
    return methods


def takes_the_workspace(function: Callable[..., Any]) -> bool:
    """True when ``team_id`` is a required parameter (positional or keyword, no default)."""
    parameter = inspect.signature(function).parameters.get(SCOPE_PARAMETER)
    return (
        parameter is not None
        and parameter.default is inspect.Parameter.empty
        and parameter.kind
        in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
            inspect.Parameter.POSITIONAL_ONLY,
        )
    )


def scoped_methods(instance_or_class: object) -> dict[str, Callable[..., Any]]:
    """The public methods that take the workspace (unmarked, so meant to filter by it)."""
    cls = instance_or_class if isinstance(instance_or_class, type) else type(instance_or_class)
    return {
        name: function
        for name, function in public_methods(cls).items()
        if takes_the_workspace(function) and across_workspaces_reason(function) is None
    }


# -- the SQL audit ------------------------------------------------------------------------------------

#: Tables whose rows belong to one workspace (they have a ``team_id`` column).
SCOPED_TABLES: Final = frozenset(
    table.name for table in Base.metadata.sorted_tables if SCOPE_PARAMETER in table.columns
)
#: slack-sdk's tables: their ``team_id`` is nullable (org-wide installs) and they are read by
#: slack-sdk's own stores, never by a bot.store repository.
SDK_TABLES: Final = frozenset({"slack_installations", "slack_bots", "slack_oauth_states"})

_TABLE_REFERENCE = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?([a-z_]+)"?', re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b.*$", re.IGNORECASE | re.DOTALL)

#: (repository method, the team id it was called with) while a scoped method runs.
_calling: ContextVar[tuple[str, str] | None] = ContextVar("calling a scoped repository method", default=None)


@dataclass(frozen=True)
class AuditedStatement:
    method: str
    team_id: str
    sql: str


def unscoped_tables(sql: str, *, org_wide: bool = False) -> list[str]:
    """The workspace tables ``sql`` touches without a ``team_id`` condition (or column, for an insert).

    ``org_wide``: the call named an Enterprise Grid org's install (``team_id=""``), which is scoped
    by ``enterprise_id`` instead: the org's own rows, and its workspaces found from it.

    SQLAlchemy qualifies columns with their table in every SELECT, UPDATE and DELETE it renders,
    on both backends, so a scoped statement reads ``<table>.team_id = ...`` (a bound value, or the
    other side of a join on the workspace). An INSERT must name the ``team_id`` column.
    """
    text = _RETURNING.sub("", " ".join(sql.split()))
    tables = {name.lower() for name in _TABLE_REFERENCE.findall(text)} & (SCOPED_TABLES - SDK_TABLES)
    if text.upper().startswith("INSERT"):
        columns = text[text.find("(") + 1 : text.find(")")] if "(" in text else ""
        return sorted(t for t in tables if SCOPE_PARAMETER not in {c.strip(' "') for c in columns.split(",")})
    missing = []
    scopes = f"({SCOPE_PARAMETER}|enterprise_id)" if org_wide else SCOPE_PARAMETER
    for table in sorted(tables):
        condition = rf"\b{table}\.{scopes}\s*(=|IN\b)|=\s*{table}\.{scopes}\b"
        if re.search(condition, text, re.IGNORECASE) is None:
            missing.append(table)
    return missing


@dataclass
class SqlAudit:
    """Records every statement sent while a scoped repository method of an audited store runs."""

    statements: list[AuditedStatement] = field(default_factory=list)
    called: set[str] = field(default_factory=set)

    def wrap(self, monkeypatch: pytest.MonkeyPatch, classes: Iterable[type]) -> None:
        """Wrap the scoped methods of ``classes`` (every instance, also those a test builds itself)."""
        for cls in classes:
            for name, function in scoped_methods(cls).items():
                monkeypatch.setattr(cls, name, self._wrap(f"{cls.__name__}.{name}", function))

    def attach(self, store: Store) -> None:
        """Record what the scoped methods send through the store's engine."""
        event.listen(store.engine.sync_engine, "before_cursor_execute", self._seen)

    def detach(self, store: Store) -> None:
        if event.contains(store.engine.sync_engine, "before_cursor_execute", self._seen):
            event.remove(store.engine.sync_engine, "before_cursor_execute", self._seen)

    def violations(self) -> list[str]:
        return [
            f"{s.method}(team_id={s.team_id!r}) touches {', '.join(tables)} without team_id: {s.sql}"
            for s in self.statements
            if (tables := unscoped_tables(s.sql, org_wide=s.team_id == ""))
        ]

    def _wrap(self, label: str, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        signature = inspect.signature(method)

        @wraps(method)
        async def audited(*args: Any, **kwargs: Any) -> Any:
            team_id = str(signature.bind_partial(*args, **kwargs).arguments.get(SCOPE_PARAMETER))
            self.called.add(label)
            token = _calling.set((label, team_id))
            try:
                return await method(*args, **kwargs)
            finally:
                _calling.reset(token)

        return audited

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        calling = _calling.get()
        if calling is not None:
            self.statements.append(AuditedStatement(calling[0], calling[1], statement))


def every_scoped_method(store: Store) -> Iterator[str]:
    """``Class.method`` for every scoped method of the store's repositories."""
    for instance in repository_instances(store).values():
        for name in scoped_methods(instance):
            yield f"{type(instance).__name__}.{name}"

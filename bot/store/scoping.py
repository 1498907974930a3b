"""Workspace scoping: every repository call names the workspace it is about, or says why not.

mlorg serves many Slack workspaces from one database, and every stored row carries the
workspace's ``team_id``. A repository method that reads or writes workspace data therefore
takes ``team_id`` as a required parameter and filters every statement by it, so a query that
forgets the workspace cannot be written by accident. The few methods that legitimately work
across workspaces (the outbox worker's claim, retention pruning, the digest scheduler,
migrations, health) are marked with :func:`across_workspaces`, which records why on the
function; ``tests/bot/store/test_workspace_scoping.py`` fails for any public repository method
that is neither scoped nor marked. What such a method returns names the workspace of each
item (a ``team_id`` field, or the team ids themselves), so callers act per workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

__all__ = ["ACROSS_WORKSPACES_ATTRIBUTE", "SCOPE_PARAMETER", "across_workspaces", "across_workspaces_reason"]

#: The parameter a scoped repository method takes: the Slack workspace (team) id.
SCOPE_PARAMETER: Final = "team_id"
#: Where :func:`across_workspaces` records its reason on the function.
ACROSS_WORKSPACES_ATTRIBUTE: Final = "__across_workspaces__"

F = TypeVar("F", bound=Callable[..., object])


def across_workspaces(reason: str) -> Callable[[F], F]:
    """Mark a repository method as working across workspaces on purpose, and record why.

    The reason is for the reader (and the scoping test, which insists on one): say who calls it
    and how its results stay attributable to a workspace. Apply it under ``@classmethod``.
    """
    if not reason.strip():
        raise ValueError("across_workspaces needs a reason: say why this method may ignore workspaces")

    def mark(function: F) -> F:
        setattr(function, ACROSS_WORKSPACES_ATTRIBUTE, reason.strip())
        return function

    return mark


def across_workspaces_reason(function: object) -> str | None:
    """The reason recorded by :func:`across_workspaces`, or None for a method that was not marked."""
    function = getattr(function, "__func__", function)  # a classmethod or bound method
    reason = getattr(function, ACROSS_WORKSPACES_ATTRIBUTE, None)
    return reason if isinstance(reason, str) and reason else None

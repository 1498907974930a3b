"""Name a Slack request by what it asks for (``command:explain``, ``action:quiz_answer``).

The kind is a metric label and a log field, so its set of values must stay small and fixed
whatever arrives: it is computed *before* Bolt checks the signature, from a body anyone can
forge. Only ids the app registered become a kind; anything else is ``<family>:other``. Team
and user ids are never part of a kind.
"""

from __future__ import annotations

from typing import Any

from bot.actions import ActionRouter
from bot.commands import CommandRouter
from bot.features.diagnose.ids import VIEW as DIAGNOSIS_VIEW
from bot.features.summary.ids import CONFIG_VIEW

__all__ = ["OTHER", "RequestKinds", "team_of"]

OTHER = "other"
_PREFIX = "mlorg_"
#: Modal callback ids the app handles; submissions of anything else are ``view:other``.
_VIEWS = frozenset({CONFIG_VIEW, DIAGNOSIS_VIEW})
_EVENTS = frozenset({"app_mention", "message", "app_home_opened", "tokens_revoked", "app_uninstalled"})
_INTERACTIONS = {"view_submission": "view", "view_closed": "view_closed", "block_actions": "action"}


def _short(identifier: str) -> str:
    """``mlorg_quiz_answer:`` -> ``quiz_answer``: the label an operator reads."""
    return identifier.removeprefix(_PREFIX).rstrip(":")


class RequestKinds:
    """Classifies request bodies against the commands and actions registered in the routers.

    The routers are read on first use, when every feature has registered itself.
    """

    def __init__(self, commands: CommandRouter, actions: ActionRouter) -> None:
        self._commands = commands
        self._actions = actions
        self._exact: dict[str, str] | None = None
        self._prefixes: tuple[tuple[str, str], ...] = ()

    def classify(self, body: dict[str, Any]) -> str:
        if "command" in body:
            sub, _ = self._commands.resolve(str(body.get("text") or ""))
            return f"command:{sub.name if sub is not None else OTHER}"
        kind = body.get("type")
        if kind == "event_callback":
            event = body.get("event")
            event_type = event.get("type") if isinstance(event, dict) else None
            return f"event:{event_type if event_type in _EVENTS else OTHER}"
        if kind == "block_actions":
            return f"action:{self._action(body)}"
        if kind in ("view_submission", "view_closed"):
            view = body.get("view")
            callback = view.get("callback_id") if isinstance(view, dict) else None
            name = _short(callback) if callback in _VIEWS else OTHER
            return f"{_INTERACTIONS[kind]}:{name}"
        if kind == "url_verification":
            return "url_verification"
        return OTHER

    def _action(self, body: dict[str, Any]) -> str:
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
        action_id = str(first.get("action_id") or "")
        if self._exact is None:
            registered = self._actions.action_ids
            self._exact = {a: _short(a) for a in registered if not a.endswith(":")}
            self._prefixes = tuple((p, _short(p)) for p in registered if p.endswith(":"))
        name = self._exact.get(action_id)
        if name is not None:
            return name
        return next((short for prefix, short in self._prefixes if action_id.startswith(prefix)), OTHER)


def team_of(body: dict[str, Any]) -> str:
    """The workspace a request comes from, for the log line only (never a metric label).

    Checked against the shape of a Slack id, since the body may be forged and this ends up
    in a log line.
    """
    team = body.get("team_id")
    if not team:
        nested = body.get("team")
        team = nested.get("id") if isinstance(nested, dict) else None
    team = str(team or "")
    return team if 0 < len(team) <= 20 and team.isalnum() and team.isupper() else "-"

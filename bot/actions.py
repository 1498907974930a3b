"""Routing block actions to the features that own them, through one Bolt listener.

Bolt checks every registered listener's matchers, building injected arguments for
each, until one matches; with twenty-odd ``app.action`` listeners that search cost
more than the work of a click. Features register their action handlers here
instead, by exact ``action_id`` or by prefix (``mlorg_quiz_answer:`` + option), and a
single listener dispatches with a dictionary lookup.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot import payloads
from bot.outage import log_unavailable, notify_unavailable
from bot.store import StoreUnavailable

__all__ = ["ActionHandler", "ActionRouter"]

log = logging.getLogger(__name__)

ActionHandler = Callable[..., Awaitable[None]]
#: What a handler may ask for, by parameter name, as Bolt would inject it.
_INJECTABLE = frozenset({"ack", "body", "respond", "client"})


async def _nowhere_to_respond(*_args: Any, **_kwargs: Any) -> None:
    log.info("an action without a response_url: its answer is dropped")


class ActionRouter:
    def __init__(self) -> None:
        self._exact: dict[str, tuple[ActionHandler, tuple[str, ...]]] = {}
        self._prefixes: list[tuple[str, ActionHandler, tuple[str, ...]]] = []

    def on(self, action_id: str, *, prefix: bool = False) -> Callable[[ActionHandler], ActionHandler]:
        """Register the decorated handler for ``action_id`` (or every id starting with it)."""

        def register(handler: ActionHandler) -> ActionHandler:
            wanted = tuple(inspect.signature(handler).parameters)
            unknown = set(wanted) - _INJECTABLE
            if unknown:
                raise TypeError(
                    f"{handler.__name__} asks for {sorted(unknown)}; available: {sorted(_INJECTABLE)}"
                )
            if action_id in self._exact or any(p == action_id for p, _, _ in self._prefixes):
                raise ValueError(f"action {action_id!r} is registered twice")
            if prefix:
                self._prefixes.append((action_id, handler, wanted))
            else:
                self._exact[action_id] = (handler, wanted)
            return handler

        return register

    @property
    def action_ids(self) -> tuple[str, ...]:
        """Every registered id and prefix (for tests that check builders against listeners)."""
        return (*self._exact, *(p for p, _, _ in self._prefixes))

    def handles(self, action_id: str) -> bool:
        return action_id in self._exact or any(action_id.startswith(p) for p, _, _ in self._prefixes)

    async def dispatch(self, *, ack: AsyncAck, body: dict[str, Any], **injected: Any) -> None:
        action_id = payloads.text(payloads.action(body).get("action_id"))
        found = self._exact.get(action_id)
        if found is None:
            found = next(((h, w) for p, h, w in self._prefixes if action_id.startswith(p)), None)
        if found is None:
            log.info("no handler for action %r; acknowledged and ignored", action_id)
            await ack()
            return
        handler, wanted = found
        available = {"ack": ack, "body": body, **injected}
        if "respond" in wanted and not payloads.response_url(body):
            # A click in a modal, or a forged one, has no response_url; Bolt's respond would
            # raise ValueError. There is no message to answer, so the answer is dropped.
            available["respond"] = _nowhere_to_respond
        try:
            await handler(**{name: available[name] for name in wanted})
        except StoreUnavailable as error:
            # A click's ack cannot carry text: ack if still due, then say so via response_url.
            log_unavailable(body, error)
            if ack.response is None:
                await ack()
            await notify_unavailable(body, injected.get("client"))

"""The few calls ``bot/app.py`` makes to put observability in place, kept here so the
composition root stays a list of what is built rather than how it is watched."""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)

from bot.actions import ActionRouter
from bot.commands import CommandRouter
from bot.observability.kinds import RequestKinds
from bot.observability.metrics import Metrics, StoreFigures, StoreReader
from bot.observability.requests import ObservedApp, RequestObserver
from bot.observability.slack_api import CountedRetries, ObserveCalls
from bot.store import Store
from bot.store.events import utc_now

__all__ = ["observe_app", "observed_retries", "store_figures"]

_REASONS: dict[type[AsyncRetryHandler], str] = {
    AsyncConnectionErrorRetryHandler: "connection_error",
    AsyncRateLimitErrorRetryHandler: "rate_limited",
    AsyncServerErrorRetryHandler: "http_5xx",
}


def observed_retries(metrics: Metrics, handlers: list[AsyncRetryHandler]) -> list[AsyncRetryHandler]:
    """The client's retry handlers, preceded by the call counter and each counting its retries."""
    counted: list[AsyncRetryHandler] = [
        CountedRetries(h, _REASONS.get(type(h), "other"), metrics) for h in handlers
    ]
    return [ObserveCalls(metrics), *counted]


def store_figures(store: Store) -> StoreReader:
    async def read() -> StoreFigures:
        stats = await store.outbox.stats()
        return StoreFigures(
            outbox=stats.counts,
            oldest_waiting=stats.oldest_waiting,
            quizzes_running=await store.quizzes.count_running(),
        )

    return read


def observe_app(
    bolt: ObservedApp, metrics: Metrics, store: Store, commands: CommandRouter, actions: ActionRouter
) -> RequestObserver:
    """Watch every request the app dispatches, every database error, and the store's figures."""
    observer = RequestObserver(metrics, RequestKinds(commands, actions))
    bolt.observer = observer
    store.on_error(metrics.database_error)
    metrics.read_store_with(store_figures(store), utc_now)
    return observer

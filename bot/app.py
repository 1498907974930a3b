"""The composition root: the one place that builds things.

It turns :class:`~bot.settings.Settings` into a knowledge base, a store, a Web API
client with retries, and a Bolt ``AsyncApp`` with every feature registered. The
rest of the code receives these; nothing else reads the environment. Tests build
the same object with their own settings, so they run exactly what production runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot import leaving
from bot.actions import ActionRouter
from bot.charts import ChartKit
from bot.commands import CommandRouter
from bot.deps import Deps
from bot.features import ask, diagnose, explain, home, quiz, summary
from bot.features import help as help_feature
from bot.features.ask.replies import pending_question
from bot.features.quiz import QuizEngine
from bot.http import BoundedRateLimitRetryHandler, SharedSession
from bot.inbound import SlackRequestReader
from bot.jobs.answers import AnswerResumer
from bot.jobs.digests import DigestScheduler
from bot.jobs.outbox import OutboxWorker
from bot.jobs.retention import RetentionJob
from bot.listeners import install_actions, install_command, install_error_handler, install_middleware
from bot.observability.metrics import CONTENT_TYPE, Metrics
from bot.observability.requests import ObservedApp, RequestObserver
from bot.observability.wiring import observe_app, observed_retries
from bot.permissions import Admins
from bot.settings import ConfigError, Settings
from bot.store import (
    DatabaseUrlError,
    Store,
    default_database_url,
    normalize_database_url,
)
from bot.tenancy import bots
from bot.tenancy.bots import InstalledBots
from bot.tenancy.clients import InstalledClients, SingleTokenClients, WorkspaceClients
from bot.tenancy.requests import quiet_unknown_workspaces, record_orgs
from bot.tenancy.wiring import add_oauth_routes
from knowledge import KnowledgeBase, load_knowledge
from knowledge.answering import Answerer

if TYPE_CHECKING:  # the OAuth modules (and cryptography) load only in OAuth mode
    from bot.tenancy.oauth import InstalledHook, OAuthWiring

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "METRICS_PATH", "Mlorg", "build_app"]

log = logging.getLogger("mlorg")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
#: Web API calls give up after this long; Slack answers in well under a second normally.
API_TIMEOUT_SECONDS = 10
#: A 429 is waited out in-process only when Slack asks for at most this long (see
#: BoundedRateLimitRetryHandler). With the retry counts below, a call whose Slack hangs or
#: fails gives up within about a minute and a half, so a slow Slack cannot pile up tasks.
MAX_RETRY_AFTER_SECONDS = 15
#: Slack sends at most a few kilobytes; refuse anything absurd before parsing it.
MAX_REQUEST_BYTES = 1024 * 1024


@dataclass
class Mlorg:
    """A running mlorg: the Bolt app and what it was built from."""

    settings: Settings
    kb: KnowledgeBase
    store: Store
    bolt: AsyncApp
    client: AsyncWebClient
    commands: CommandRouter
    actions: ActionRouter
    http: SharedSession
    quiz_engine: QuizEngine
    outbox_worker: OutboxWorker
    #: Answers questions acked by a process that died before replying.
    answers: AnswerResumer
    digests: DigestScheduler
    retention: RetentionJob
    answerer: Answerer
    reader: SlackRequestReader
    observer: RequestObserver
    #: Who background work (quiz timers) calls Slack as, per workspace.
    workspace_clients: WorkspaceClients
    metrics: Metrics = field(default_factory=Metrics)
    charts: ChartKit = field(default_factory=ChartKit)
    #: OAuth mode only: the install flow and its stores (None with a single bot token).
    oauth: OAuthWiring | None = None
    _started: bool = field(default=False, init=False)
    _stop: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _jobs: list[asyncio.Task[None]] = field(default_factory=list, init=False)

    async def startup(self) -> None:
        """Apply migrations before the first request (safe with several replicas), then start jobs."""
        if not self._started:
            await self.store.migrate()
            # One connection pool for every Web API call (workspace clients take it when used).
            self.client.session = self.http.get()
            self._stop.clear()
            self._jobs = [
                asyncio.create_task(self.quiz_engine.run_timers(self.workspace_clients, self._stop)),
                asyncio.create_task(self.outbox_worker.run(self._stop)),
                asyncio.create_task(self.answers.run(self._stop)),
                asyncio.create_task(self.digests.run(self._stop)),
                asyncio.create_task(self.retention.run(self._stop)),
                # The answer index loads numpy and bm25s: built beside the first requests rather
                # than before them, so the app is ready sooner (a question asked meanwhile waits).
                asyncio.create_task(asyncio.to_thread(self.answerer.warm)),
            ]
            self._started = True

    async def drain(self, timeout: float = 10.0) -> None:
        """Stop background jobs, then wait for work that continues after an ack (Bolt runs it as tasks)."""
        self._stop.set()
        if self._jobs:
            await asyncio.wait(self._jobs, timeout=timeout)
        current = asyncio.current_task()
        pending = [
            t for t in asyncio.all_tasks() if t is not current and not t.done() and not _serves_http(t)
        ]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    async def shutdown(self) -> None:
        self._stop.set()
        for job in self._jobs:
            job.cancel()
        # Wait for the cancelled jobs to let go of their database connection before closing it.
        await asyncio.gather(*self._jobs, return_exceptions=True)
        self._jobs = []
        self._started = False
        self.metrics.close()
        await self.charts.aclose()
        await self.http.close()
        await self.store.close()

    def web_app(self) -> web.Application:
        """The HTTP surface: every Slack request at ``POST /slack/events``, and ``GET /healthz``;
        ``GET /metrics`` too, unless ``MLORG_METRICS_PORT`` puts it on a port of its own."""
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_post(EVENTS_PATH, self._handle_slack)
        app.router.add_get(HEALTH_PATH, self._handle_health)
        if self.settings.mlorg_metrics_port is None:
            app.router.add_get(METRICS_PATH, self._handle_metrics)
        if self.oauth is not None:
            add_oauth_routes(app, self.oauth.flow)
        return app

    @property
    def on_installed(self) -> list[InstalledHook]:
        """Coroutines run after a workspace's install is saved (OAuth mode; empty otherwise)."""
        return self.oauth.on_installed if self.oauth is not None else []

    def metrics_app(self) -> web.Application:
        """``GET /metrics`` and ``GET /healthz`` alone, for ``MLORG_METRICS_PORT`` (and Socket Mode)."""
        app = web.Application()
        app.router.add_get(METRICS_PATH, self._handle_metrics)
        app.router.add_get(HEALTH_PATH, self._handle_health)
        return app

    async def _handle_metrics(self, _request: web.Request) -> web.Response:
        return web.Response(body=await self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    async def _handle_slack(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        read = await self.reader.read(request)
        if isinstance(read, web.Response):  # unsigned (401) or unreadable (400): Bolt never sees it
            self.observer.refused(read.status, time.perf_counter() - started)
            return read
        bolt_response = await self.bolt.async_dispatch(read)
        return await to_aiohttp_response(bolt_response)

    async def _handle_health(self, _request: web.Request) -> web.Response:
        health = await self.store.health()
        if health.ok:
            return web.json_response({"ok": True, "database": "ok"})
        # The reason names an error type only (see Store.health): never the URL or a password.
        return web.json_response(
            {"ok": False, "database": "unavailable", "reason": health.reason}, status=503
        )


def _serves_http(task: asyncio.Task[Any]) -> bool:
    """An aiohttp server's per-connection task: it waits for the next request on a kept-alive
    connection and never finishes by itself, so draining must not wait for it. (Our own server
    is closed before draining; this is anyone else's in the same loop, such as a test's.)"""
    return getattr(task.get_coro(), "__qualname__", "").startswith("RequestHandler.")


def build_app(
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    store: Store | None = None,
    installation_store: AsyncInstallationStore | None = None,
    token_rotator: AsyncTokenRotator | None = None,
) -> Mlorg:
    """Build everything from settings; raises ConfigError / KnowledgeError on bad configuration.

    With ``SLACK_BOT_TOKEN`` one workspace is served with that token. In OAuth mode
    (``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``) every workspace installed through the install
    page is served with its own token, from the encrypted installation store, refreshed before
    it expires. Tests may hand in any slack-sdk ``installation_store`` (and ``token_rotator``)
    instead, without the install pages.
    """
    if installation_store is None:
        settings.require_slack(socket_mode=False)
    if settings.slack_signing_secret is None:
        raise ConfigError("SLACK_SIGNING_SECRET is not set: expected the app's signing secret")
    # Without a single token, Bolt's authorize step finds each request's workspace's own.
    single = installation_store is None and not settings.oauth_mode and settings.slack_bot_token is not None
    token = settings.slack_bot_token.get_secret_value() if single and settings.slack_bot_token else None
    if kb is None:
        kb = load_knowledge(settings.mlorg_knowledge_dir)
    if store is None:
        try:
            store = Store.open(normalize_database_url(settings.database_url or default_database_url()))
        except DatabaseUrlError as error:
            raise ConfigError(f"DATABASE_URL is malformed: {error}") from None
    # Conversation keys are stored as hashes under a key the database does not hold.
    store.questions.use_key(settings.slack_signing_secret.get_secret_value())
    store.views.use_key(settings.slack_signing_secret.get_secret_value())
    metrics = Metrics(multiprocess_dir=settings.prometheus_multiproc_dir)
    retry_handlers = observed_retries(
        metrics,
        [
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            BoundedRateLimitRetryHandler(max_retry_count=3, max_wait_seconds=MAX_RETRY_AFTER_SECONDS),
            AsyncServerErrorRetryHandler(max_retry_count=3),
        ],
    )
    client = AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=API_TIMEOUT_SECONDS,
        # Bolt copies this list into the client it gives each listener, so these see every call.
        retry_handlers=retry_handlers,
    )
    oauth: OAuthWiring | None = None
    if settings.oauth_mode:
        # Imported here: single-token mode never loads the OAuth flow or cryptography (~7 MB).
        from bot.tenancy.oauth import build_oauth

        oauth = build_oauth(settings, engine=store.engine, client=client)
    if oauth is not None:
        assert settings.slack_client_id is not None and settings.slack_client_secret is not None
        installation_store = oauth.installation_store
        token_rotator = token_rotator or bots.token_rotator(
            settings.slack_client_id,
            settings.slack_client_secret.get_secret_value(),
            base_url=settings.slack_api_url,
            timeout=API_TIMEOUT_SECONDS,
        )
    bolt = ObservedApp(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        name="mlorg",
        **(
            oauth.bolt_arguments()
            if oauth is not None
            else {"installation_store": installation_store}
            if installation_store is not None
            else {}
        ),
    )
    commands = CommandRouter()
    actions = ActionRouter()
    http = SharedSession(timeout=API_TIMEOUT_SECONDS)  # the timeout in effect for every call
    answerer = Answerer(kb)
    charts = ChartKit(metrics)
    deps = Deps(
        settings=settings,
        kb=kb,
        store=store,
        commands=commands,
        actions=actions,
        http=http,
        admins=Admins(settings.admin_ids),
        answerer=answerer,
        charts=charts,
    )
    install_middleware(bolt, store, questions=pending_question)
    if installation_store is not None:
        quiet_unknown_workspaces(bolt)
        record_orgs(bolt, store.orgs)
    # Bolt tries listeners in order; the two that carry nearly all traffic come first.
    install_command(bolt, commands)
    install_actions(bolt, actions)
    for feature in (help_feature, explain, diagnose, home):
        feature.register(bolt, deps)
    replier = ask.register(bolt, deps)
    quiz_engine = quiz.register(bolt, deps)
    summary.register(bolt, deps)
    # Uninstalls delete the installation's tokens at once (OAuth mode) and date the data's purge.
    departures = leaving.register(
        bolt,
        store,
        grace_days=settings.mlorg_retention_days_after_uninstall,
        installation_store=installation_store,
    )
    if oauth is not None:
        oauth.on_installed.append(departures.arrived)
    # The outbox retries durably on its own schedule, so its clients do not retry in-process.
    workspace_clients, outbox_clients = _workspace_clients(
        settings,
        http,
        client,
        retry_handlers,
        observed_retries(metrics, []),
        installation_store=installation_store,
        store=store,
        token_rotator=token_rotator,
    )
    outbox_worker = OutboxWorker(store.outbox, outbox_clients, admins=settings.admin_ids, counters=metrics)
    answers = AnswerResumer(store.pending_answers, replier, workspace_clients)
    observer = observe_app(bolt, metrics, store, commands, actions)
    install_error_handler(bolt, observer)
    return Mlorg(
        settings=settings,
        kb=kb,
        store=store,
        bolt=bolt,
        client=client,
        commands=commands,
        actions=actions,
        http=http,
        quiz_engine=quiz_engine,
        outbox_worker=outbox_worker,
        answers=answers,
        digests=DigestScheduler(store, kb, renderer=charts.renderer),
        retention=RetentionJob(
            store,
            retention_days=settings.mlorg_retention_days,
            # Single-token mode: a working token means mlorg is installed (a reinstall cancels a
            # purge). OAuth mode learns it from the install page's success instead (below).
            before_first_pass=None
            if installation_store is not None
            else lambda: departures.confirm_installed(client),
        ),
        answerer=answerer,
        metrics=metrics,
        charts=charts,
        reader=SlackRequestReader(settings.slack_signing_secret.get_secret_value()),
        observer=observer,
        oauth=oauth,
        workspace_clients=workspace_clients,
    )


def _workspace_clients(
    settings: Settings,
    http: SharedSession,
    client: AsyncWebClient,
    retry_handlers: list[AsyncRetryHandler],
    outbox_retry_handlers: list[AsyncRetryHandler],
    *,
    installation_store: AsyncInstallationStore | None,
    store: Store,
    token_rotator: AsyncTokenRotator | None,
) -> tuple[WorkspaceClients, WorkspaceClients]:
    """Who background work calls Slack as: the quiz timers (retrying in-process) and the outbox."""
    if installation_store is None:
        outbox_client = AsyncWebClient(
            token=client.token,
            base_url=settings.slack_api_url,
            timeout=API_TIMEOUT_SECONDS,
            retry_handlers=outbox_retry_handlers,
        )
        return SingleTokenClients(client, http), SingleTokenClients(outbox_client, http)
    bots = InstalledBots(installation_store, store.orgs, rotator=token_rotator)
    timers = InstalledClients(
        bots,
        http,
        base_url=settings.slack_api_url,
        timeout=API_TIMEOUT_SECONDS,
        retry_handlers=retry_handlers,
    )
    return timers, timers.with_retry_handlers(outbox_retry_handlers)

"""``mlorg serve``: run the app over HTTP or Socket Mode until SIGTERM.

Shutdown is graceful: stop accepting requests, let in-flight requests and the
work that follows their acks finish, then close the database.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.app import EVENTS_PATH, METRICS_PATH, Mlorg, build_app
from bot.observability.logs import configure_logging
from bot.settings import ConfigError, load_settings
from bot.store import StoreError

__all__ = ["serve"]

log = logging.getLogger("mlorg")
SHUTDOWN_GRACE_SECONDS = 10.0


def serve(*, http: bool = False, host: str = "0.0.0.0", port: int | None = None) -> int:
    """Blocking entry point for the command line; returns the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # slack_sdk logs request details at DEBUG; keep it quiet so nothing sensitive leaks by accident.
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    # bm25s attaches its own DEBUG handler; its index build at start-up is not news.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    settings = load_settings()
    configure_logging(settings.mlorg_log_format)
    socket_mode = settings.socket_mode and not http
    settings.require_slack(socket_mode=socket_mode)
    mlorg = build_app(settings)
    if socket_mode:
        asyncio.run(_run_socket_mode(mlorg, host))
    else:
        asyncio.run(_run_http(mlorg, host, port or settings.port))
    return 0


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _startup(mlorg: Mlorg) -> None:
    """Migrate; an unreachable or unusable database is an operator's problem: one line, no traceback."""
    try:
        await mlorg.startup()
    except StoreError as error:
        await mlorg.shutdown()
        # StoreError messages never carry the URL (it may hold a password).
        raise ConfigError(f"DATABASE_URL: {error}") from None


async def _run_http(mlorg: Mlorg, host: str, port: int) -> None:
    await _startup(mlorg)
    # No per-request access log: Slack's own retries and our logs of what went wrong say more,
    # and formatting a line per request costs a noticeable share of an ack's CPU time.
    runner = web.AppRunner(
        mlorg.web_app(), handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE_SECONDS, access_log=None
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:  # port in use, address not available, privileged port
        await runner.cleanup()
        await mlorg.shutdown()
        where = f"{host}:{port} (--port, MLORG_PORT or PORT)"
        raise ConfigError(f"cannot listen on {where}: {error.strerror}") from None
    metrics = await _start_metrics(mlorg, host, runner)
    stop = _stop_event()
    log.info(
        "mlorg listening on http://%s:%d%s (HTTP mode, %s)", host, port, EVENTS_PATH, mlorg.store.dialect
    )
    if mlorg.oauth is not None:
        log.info("installing through OAuth: the Add to Slack page is at %s", mlorg.oauth.flow.install_path)
    await stop.wait()
    log.info("shutting down: finishing in-flight work")
    if metrics is not None:
        await metrics.cleanup()
    await runner.cleanup()
    await mlorg.drain(SHUTDOWN_GRACE_SECONDS)
    await mlorg.shutdown()
    log.info("stopped")


async def _start_metrics(mlorg: Mlorg, host: str, *others: web.AppRunner) -> web.AppRunner | None:
    """``/metrics`` (and ``/healthz``) on ``MLORG_METRICS_PORT``, same host, when it is set."""
    port = mlorg.settings.mlorg_metrics_port
    if port is None:
        return None
    runner = web.AppRunner(mlorg.metrics_app(), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        for other in (runner, *others):
            await other.cleanup()
        await mlorg.shutdown()
        raise ConfigError(f"cannot listen on {host}:{port} (MLORG_METRICS_PORT): {error.strerror}") from None
    log.info("metrics on http://%s:%d%s", host, port, METRICS_PATH)
    return runner


async def _run_socket_mode(mlorg: Mlorg, host: str) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    assert mlorg.settings.slack_app_token is not None
    await _startup(mlorg)
    metrics = await _start_metrics(mlorg, host)
    handler = AsyncSocketModeHandler(mlorg.bolt, mlorg.settings.slack_app_token.get_secret_value())
    stop = _stop_event()
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("mlorg connected in Socket Mode (%s)", mlorg.store.dialect)
    await stop.wait()
    log.info("shutting down: finishing in-flight work")
    await handler.close_async()  # type: ignore[no-untyped-call]
    if metrics is not None:
        await metrics.cleanup()
    await mlorg.drain(SHUTDOWN_GRACE_SECONDS)
    await mlorg.shutdown()
    log.info("stopped")

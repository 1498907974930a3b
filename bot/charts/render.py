"""Drawing charts off the event loop, on one thread of their own.

matplotlib is synchronous and not thread-safe, and a figure takes tens of
milliseconds: drawn on the event loop it would stall every ack in the process. One
dedicated worker thread keeps drawing serial (safe for matplotlib's global state) and
away from the loop and from ``asyncio.to_thread``'s shared pool, which the rest of the
app uses for short jobs. The thread is started on first use, so a process that never
draws pays nothing.

A chart is an addition to text that already carries its numbers: if drawing fails,
the message goes out without it. The failure is logged with the surface it was for
and counted, never shown to the person.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec

from bot.charts.counters import NO_COUNTERS, ChartCounters
from knowledge.charts.model import Chart

__all__ = ["ChartRenderer"]

log = logging.getLogger(__name__)

P = ParamSpec("P")


class ChartRenderer:
    """Runs drawing functions on one worker thread; ``close()`` (or ``aclose()``) stops it."""

    def __init__(self, counters: ChartCounters = NO_COUNTERS) -> None:
        self.counters = counters
        self._executor: ThreadPoolExecutor | None = None

    async def render(
        self, surface: str, draw: Callable[P, Iterable[Chart]], *args: P.args, **kwargs: P.kwargs
    ) -> list[Chart]:
        """``draw(*args, **kwargs)`` on the chart thread; its charts, or none if it raised.

        ``surface`` names what the charts were for (``diagnosis``, ``summary``, ...) in the log.
        """
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(), lambda: _collected(list(draw(*args, **kwargs))))
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the caller is being cancelled: not ours to swallow
            # close() cancelled the queued drawing (the app is stopping): no charts.
            log.info("charts: the chart thread stopped before drawing the %s charts", surface)
            return []
        except Exception:
            log.warning(
                "charts: drawing the %s charts failed; sending it without them", surface, exc_info=True
            )
            self.counters.chart_dropped("draw_failed")
            return []

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlorg-charts")
        return self._executor

    def close(self) -> None:
        """Stop the thread without waiting; queued drawings are cancelled (their callers get none).

        A later :meth:`render` starts a new thread, so an app that is stopped and started
        again (as the tests do) keeps drawing.
        """
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    async def aclose(self) -> None:
        """Stop the thread after the drawing in progress, if any, finishes (off the event loop)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)


def _collected(charts: list[Chart]) -> list[Chart]:
    """The charts, once the drawing's young garbage is collected.

    A matplotlib figure is a web of reference cycles that only the cycle collector frees;
    left to its own schedule, a server drawing charts carries tens of MB of dead figures
    (bench/chart_bench.py: 213 MiB after 20 drawings instead of 150). Collecting the two
    young generations costs under a millisecond; a full collection (~90 ms with the GIL
    held) would stall the event loop, so it is left to Python.
    """
    gc.collect(1)
    return charts

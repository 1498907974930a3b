"""What an operator sees of a running mlorg: Prometheus metrics and structured log lines.

Nothing in here changes what the app does; it only watches. The store and the features
never import it: the composition root (``bot/app.py``) wires its hooks in.
"""

from __future__ import annotations

from bot.observability.kinds import RequestKinds
from bot.observability.logs import configure_logging, current_request
from bot.observability.metrics import Metrics
from bot.observability.requests import RequestObserver

__all__ = ["Metrics", "RequestKinds", "RequestObserver", "configure_logging", "current_request"]

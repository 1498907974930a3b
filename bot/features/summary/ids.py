"""Action and callback ids of the summary and configuration, defined once."""

from __future__ import annotations

POST = "mlorg_summary_post"
DISCARD = "mlorg_summary_discard"
CONFIG_VIEW = "mlorg_config"

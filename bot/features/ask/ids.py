"""Action ids of plain-word questions, defined once for builders and listeners."""

from __future__ import annotations

#: Prefix: the full action_id is ``mlorg_ask_card:<topic id>`` (unique within the block).
CARD = "mlorg_ask_card"
COMPARE = "mlorg_ask_compare"
HELPFUL = "mlorg_ask_helpful"
UNHELPFUL = "mlorg_ask_unhelpful"

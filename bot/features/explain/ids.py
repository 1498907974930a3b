"""Action ids of the explain feature, defined once for builders and listeners."""

from __future__ import annotations

#: Prefix: the full action_id is ``mlorg_explain_topic:<topic id>`` because action ids must be
#: unique within a block, and an overview shows several topic buttons side by side.
EXPLAIN_TOPIC = "mlorg_explain_topic"
COMPARE_WITH = "mlorg_compare_with"
SHARE = "mlorg_share"
OVERVIEW = "mlorg_overview"

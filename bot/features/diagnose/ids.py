"""Action and callback ids of the diagnosis, defined once for builders and listeners."""

from __future__ import annotations

VIEW = "mlorg_diagnosis"
#: Prefix: the full action_id is ``mlorg_diag_answer:<option id>`` (unique within the block).
ANSWER = "mlorg_diag_answer"
BACK = "mlorg_diag_back"
CANCEL = "mlorg_diag_cancel"
EXPLAIN = "mlorg_diag_explain"
SHARE = "mlorg_diag_share"
RESTART = "mlorg_diag_restart"
START = "mlorg_diag_start"
JOIN = "mlorg_diag_join"
CLOSE = "mlorg_diag_close"

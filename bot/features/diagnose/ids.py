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

#: The result's distribution section, and the team summary's best-fit and perception-gap sections:
#: each chart's image goes right after the words it pictures.
RESULT_SHARES_BLOCK = "result_shares"
TEAM_MIX_BLOCK = "team_mix"
TEAM_PERCEPTION_BLOCK = "team_perception"
#: Where each chart of a team summary goes (chart key -> block_id).
TEAM_CHART_ANCHORS = {"team-mix": TEAM_MIX_BLOCK, "team-perception": TEAM_PERCEPTION_BLOCK}

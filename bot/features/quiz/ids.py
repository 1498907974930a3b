"""Action ids of the quiz, defined once for builders and listeners."""

from __future__ import annotations

#: Prefix: the full action_id is ``mlorg_quiz_answer:<option id>`` (unique within the block).
ANSWER = "mlorg_quiz_answer"
NEXT = "mlorg_quiz_next"
END = "mlorg_quiz_end"

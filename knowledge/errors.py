"""Errors raised while loading content.

A content problem is an operator's problem, not a programmer's: the message names
the file and the field so it can be fixed without reading a traceback.
"""

from __future__ import annotations

__all__ = ["KnowledgeError"]


class KnowledgeError(Exception):
    """The content could not be loaded; ``problems`` lists every problem found.

    Loading collects all problems before raising, so one run of
    ``mlorg knowledge check`` shows everything that needs fixing.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems) if problems else "invalid knowledge content")

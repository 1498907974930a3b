"""An overlay that gives archetypes 60-character names: the longest a chart must fit."""

from __future__ import annotations

import textwrap
from pathlib import Path

from knowledge import KnowledgeBase, load_knowledge

#: Sixty characters each: the longest names a chart must fit without overlapping anything.
LONG_NAME = "Research, development and applied science group of our firms"
LONG_SHORT = "Research-development-and-applied-science-group-office-centre"
NEW_NAME = "Machine learning practitioners guild across all product team"


def long_names_kb(directory: Path) -> KnowledgeBase:
    """The built-in content with R&D renamed at length and a sixth archetype with a long name."""
    assert len(LONG_NAME) == len(LONG_SHORT) == len(NEW_NAME) == 60
    (directory / "long.yaml").write_text(
        textwrap.dedent(
            f"""\
            archetypes:
              - id: rnd
                name: {LONG_NAME}
                short_name: {LONG_SHORT}
              - id: guild
                number: 6
                name: {NEW_NAME}
                short_name: {NEW_NAME}
                summary: A community of ML practitioners spread over many teams.
                looks_like: [Practitioners meet across teams to share work.]
                strengths: [Cheap to start.]
                challenges: [Nobody is accountable for outcomes.]
                typical_organizations: [Consultancies.]
            """
        ),
        encoding="utf-8",
    )
    return load_knowledge(directory)

"""Fixtures for the charts: the real knowledge base (from tests/knowledge) and one with long names."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeBase
from tests.knowledge.charts.overlay import long_names_kb


@pytest.fixture(scope="session")
def long_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The built-in content where an overlay gave archetypes 60-character names."""
    return long_names_kb(tmp_path_factory.mktemp("overlay"))

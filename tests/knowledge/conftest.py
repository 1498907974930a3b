"""Fixtures for the knowledge core: the real built-in content, loaded once per module."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeBase, load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    """The built-in knowledge base, exactly as the app loads it (no overlay)."""
    return load_knowledge()

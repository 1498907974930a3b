"""Test-wide settings.

Hypothesis: no per-example deadline. Timing belongs in bench/, and CI machines
are shared; a slow example is not a wrong one. Examples stay derandomized in CI
so a red build can be reproduced from its log.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.support.postgres import fresh_pg_database

settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database's URL (fails, not skips, without the server when CI is set)."""
    with fresh_pg_database() as url:
        yield url

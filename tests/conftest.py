"""Test-wide settings.

Hypothesis: no per-example deadline. Timing belongs in bench/, and CI machines
are shared; a slow example is not a wrong one. Examples stay derandomized in CI
so a red build can be reproduced from its log.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

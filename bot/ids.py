"""Block Kit identifiers shared across features.

``action_id``s and ``callback_id``s are defined once, here or in their feature's
``ids`` module, so the listeners and the block builders can never drift apart.
"""

from __future__ import annotations

__all__ = ["COMMAND"]

#: The one slash command mlorg registers; ``app_manifest.yml`` must declare the same.
COMMAND = "/mlorg"

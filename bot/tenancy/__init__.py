"""Serving many workspaces: installing mlorg through OAuth, each workspace's tokens encrypted at
rest, and which workspace's token a piece of work uses.

- :mod:`bot.tenancy.crypto`: :class:`TokenCipher` (Fernet keys from ``MLORG_ENCRYPTION_KEY``).
- :mod:`bot.tenancy.stores`: slack-sdk's SQLAlchemy installation and OAuth state stores on
  mlorg's tables, tokens encrypted.
- :mod:`bot.tenancy.oauth`: Bolt's OAuth flow with those stores, mlorg's pages and install hooks.
- :mod:`bot.tenancy.wiring`: the HTTP routes that serve the install and redirect pages.
- :mod:`bot.tenancy.bots` and :mod:`bot.tenancy.clients`: a client for a ``team_id`` alone, for
  work without a request (quiz timers, the outbox), with tokens refreshed before they expire.
- :mod:`bot.tenancy.requests`: requests from workspaces under an org, and from none installed.
"""

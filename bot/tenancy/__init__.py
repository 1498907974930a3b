"""Many workspaces: installing mlorg through OAuth, with each workspace's tokens encrypted at rest.

- :mod:`bot.tenancy.crypto`: :class:`TokenCipher` (Fernet keys from ``MLORG_ENCRYPTION_KEY``).
- :mod:`bot.tenancy.stores`: slack-sdk's SQLAlchemy installation and OAuth state stores on
  mlorg's tables, tokens encrypted.
- :mod:`bot.tenancy.oauth`: Bolt's OAuth flow with those stores, mlorg's pages and install hooks.
- :mod:`bot.tenancy.wiring`: the HTTP routes that serve the install and redirect pages.
"""

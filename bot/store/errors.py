"""Exceptions the store raises, so callers never need to import SQLAlchemy to handle them."""

from __future__ import annotations

__all__ = ["DatabaseUrlError", "StoreError", "StoreUnavailable"]


class StoreError(Exception):
    """The database could not do what was asked (unreachable, locked, migration failed).

    Repositories translate driver and SQLAlchemy errors into this one type so that
    handlers and the composition root can catch storage trouble without knowing which
    backend is in use. The original error is kept as ``__cause__`` for the logs.
    """


class DatabaseUrlError(StoreError, ValueError):
    """A database URL is not one mlorg can use.

    It is also a :class:`ValueError` so that settings validators (pydantic turns
    ``ValueError`` into a validation error) can let it through unchanged. Its message is
    one line and never contains any part of the URL that could be a secret.
    """


class StoreUnavailable(StoreError):
    """The database cannot be reached at all: refused, timed out, shutting down, connection lost.

    Distinct from other store errors because the right answer differs: nothing is wrong with
    the request or the data, so the person is told to try again in a minute (and ``/healthz``
    answers 503) instead of getting an error reference to report. It clears by itself when the
    database is back; the pool's pre-ping replaces the connections the outage broke.
    """

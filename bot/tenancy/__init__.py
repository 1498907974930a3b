"""Serving many workspaces: installations, their tokens, and which one a piece of work uses."""

"""One package per feature; each exposes ``register(app, deps)``."""

"""Background work that must not be lost: outbox delivery and scheduled digests."""

"""The typed model (kaconf.model)."""

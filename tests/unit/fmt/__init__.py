"""kaconf fmt (kaconf.fmt)."""

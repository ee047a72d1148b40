"""The kaconf command table and entry point (kaconf.cli)."""

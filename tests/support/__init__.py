"""Helpers shared by the tests: paths, the keepalived oracle, the netns lab."""

"""Tests that compare kaconf with the real keepalived 2.2.7 binary (marked oracle; need root)."""

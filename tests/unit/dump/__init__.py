"""kaconf dump (kaconf.dump) against keepalived -d output."""

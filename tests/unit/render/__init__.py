"""kaconf render (kaconf.render)."""

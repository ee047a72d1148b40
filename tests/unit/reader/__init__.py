"""The reader (kaconf.source, kaconf.scan, kaconf.tree): lines, braces, includes, positions."""

"""kaconf lint (kaconf.lint): rules, examples, snapshots, rule docs, settings, its CLI."""

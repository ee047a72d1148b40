"""kaconfd: the bundled keepalived-compatible daemon (imported as kaconfd)."""

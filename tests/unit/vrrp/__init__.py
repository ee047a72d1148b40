"""The daemon's VRRP (daemon/vrrp, kaconfd.vrrp): state machine, packets, config, I/O."""

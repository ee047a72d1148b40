"""The daemon's top-level modules (daemon/*.py, kaconfd.*): netlink, parent and process pieces."""

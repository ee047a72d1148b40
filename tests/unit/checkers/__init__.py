"""The checker kinds (kaconf.checkers): registry, declarations, pure probe parts."""

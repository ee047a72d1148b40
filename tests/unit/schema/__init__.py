"""The keyword schema (kaconf.schema) and its generator."""

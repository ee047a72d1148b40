"""The daemon on real processes: in network namespaces (marked netns) and on loopback.

Namespace tests need root and ``ip netns`` and are skipped, with the reason, without them;
the ``lab`` fixture is in conftest.py, the Lab helpers in tests/support/netns.py.
"""

"""The daemon in network namespaces (marked netns; root and ip netns); fixtures: conftest."""

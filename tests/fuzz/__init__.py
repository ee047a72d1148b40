"""Generated-input tests (Hypothesis): bad or random input never crashes kaconf."""

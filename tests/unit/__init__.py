"""Fast tests without root, one folder per layer, named like the code folder it tests."""

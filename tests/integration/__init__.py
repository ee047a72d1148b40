"""kaconf driven by the outside tools operators run it from (pre-commit, ansible-playbook),
each for real, in a scratch folder; marked ``slow``."""

"""``python -m kaconf.cli``: the same as the ``kaconf`` console script."""

from kaconf.cli import entry

if __name__ == "__main__":
    entry()

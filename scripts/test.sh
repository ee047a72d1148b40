#!/bin/sh
# Install everything the tests need (Debian's keepalived for the oracle tests,
# iproute2 for network namespaces, kaconf with its test extras) and run the suite.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    if ! command -v keepalived >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 \
            || ! command -v nft >/dev/null 2>&1 || ! command -v nvim >/dev/null 2>&1; then
        apt-get update -q </dev/null
        # neovim: the language server's end-to-end test (tests/lsp/test_neovim.py)
        apt-get install -y -q keepalived iproute2 procps nftables neovim </dev/null
    fi
fi
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]' </dev/null
# bytecode as a wheel install would have it (PYTHONDONTWRITEBYTECODE may be set)
python3 -m compileall -q kaconf daemon grammars >/dev/null
python3 -m ruff check kaconf daemon grammars tools bench tests
python3 -m mypy
# Three workers, one test file each at a time (--dist loadfile keeps a file's namespace and
# keepalived fixtures in one process): the namespace tests mostly wait on VRRP timers, so
# they overlap well even on two cores.
python3 -m pytest -q -ra -n 3 --dist loadfile "$@" </dev/null

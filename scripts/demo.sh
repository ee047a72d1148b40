#!/bin/sh
# Install kaconf and run it on the bundled seed pair (examples/serverA.conf, serverB.conf).
set -eu
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e .
# bytecode as a wheel install would have it (PYTHONDONTWRITEBYTECODE may be set)
python3 -m compileall -q kaconf daemon grammars >/dev/null
set -x
kaconf lint examples/serverA.conf examples/serverB.conf
kaconf lint --cluster examples/serverA.conf examples/serverB.conf
kaconf simulate --what-if examples/serverA.conf examples/serverB.conf
kaconf lint --target-version 1.2.2 examples/serverA.conf || true
kaconf dump examples/serverA.conf

"""What a set of config files means, for the fix engine: ``kaconf dump``'s text.

A fix is safe to apply when the configuration dumps the same before and after
it; that is the one comparison ``kaconf lint --fix`` and ``kaconf migrate``
make. The dump is taken on a fixed, permissive host (every interface exists
with an address, every script path is kept as written) so that it shows what
the *text* means, the same way on every machine, and a fix that changes an
interface or script name cannot hide behind "missing on this host".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaconf.effective.host import Host, Interface

__all__ = ["MEANING_HOSTNAME", "dump_files", "meaning_host"]

#: the host name of the dump host (only defaults such as router_id use it)
MEANING_HOSTNAME = "kaconf-fix"


class _AnyInterfaces(dict[str, "Interface"]):
    """Every interface name asked for exists (up, with an IPv4 and an IPv6 address)."""

    def get(self, name: str, default: object = None) -> Interface:  # type: ignore[override]
        from kaconf.effective.host import Interface

        found = super().get(name)
        if found is None:
            found = self[name] = Interface(name, ipv4="192.0.2.254", ipv6="fe80::254",
                                           loopback=name == "lo")
        return found


def meaning_host() -> Host:
    """The host dumps are compared on (see module docstring)."""
    from kaconf.effective.host import Host

    return Host(hostname=MEANING_HOSTNAME, interfaces=_AnyInterfaces(), resolve=None)


def dump_files(paths: Sequence[str], *, version: str, config_id: str | None = None,
               overlay: Mapping[str, bytes] | None = None) -> tuple[str, ...]:
    """The dump of each of ``paths`` read as ``version`` reads them.

    ``overlay`` holds edited contents not yet written (included files too); a
    path in it is read from there, as is anything it includes that is.
    """
    from kaconf.dump.text import dump_text
    from kaconf.loader import load_full
    from kaconf.schema import normalize_version

    snapshot = normalize_version(version)
    out: list[str] = []
    for path in paths:
        data = overlay.get(path) if overlay else None
        loaded = load_full(path, config_id=config_id, version=snapshot, data=data,
                           overlay=overlay)
        out.append(dump_text(loaded.config, meaning_host()))
    return tuple(out)

"""Where each node of a proof cluster is wired (tests/support/cluster.py): interfaces and
addresses, from the node configurations.

Every interface any config names exists on every node, one bridge per name. A node's
own address on an interface must be the one its peers expect (``unicast_src_ip`` /
``unicast_peer``) or the scenario's, and otherwise ordered like the simulator's made-up
addresses (later nodes higher), which decides elections between equal priorities.
Stdlib only; a tiny word reader, enough for the few keywords needed here (the
simulator reads the configs with kaconf's real reader).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NodeLayout", "node_layout", "weightless_scripts"]


@dataclass(frozen=True)
class NodeLayout:
    """A node's name, config and interfaces (name -> its own address, ``addr/prefix``)."""

    name: str
    conf: Path
    interfaces: dict[str, str]


def _words(text: str) -> list[str]:
    """The config's words, comments dropped and braces split off (enough for the few
    keywords read here; the simulator reads the configs with kaconf's real reader)."""
    words: list[str] = []
    for raw in text.splitlines():
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        words += line.replace("{", " { ").replace("}", " } ").split()
    return words


def _interfaces_and_sources(text: str) -> tuple[list[str], dict[str, str]]:
    """Interface names a config uses (``interface X``, ``track_interface`` blocks) in order
    of first use (eth0 when none is named: keepalived's default), and the
    ``unicast_src_ip`` of the instance on each interface."""
    words = _words(text)
    names: list[str] = []
    sources: dict[str, str] = {}
    current: str | None = None
    i = 0
    while i < len(words):
        word = words[i]
        if word == "interface" and i + 1 < len(words):
            current = words[i + 1]
            names.append(current)
            i += 2
            continue
        if word == "unicast_src_ip" and i + 1 < len(words) and current is not None:
            sources[current] = words[i + 1]
        if word == "track_interface" and i + 1 < len(words) and words[i + 1] == "{":
            i += 2
            while i < len(words) and words[i] != "}":
                names.append(words[i])
                i += 1
                while i < len(words) and words[i] in ("weight", "reverse", "+", "-") \
                        or (i < len(words) and re.fullmatch(r"-?\d+", words[i])):
                    i += 1
        i += 1
    return list(dict.fromkeys(names)) or ["eth0"], sources


def node_layout(nodes: Mapping[str, Path],
                addresses: Mapping[str, Mapping[str, str]] | None = None) -> list[NodeLayout]:
    """Interfaces and addresses for each node.

    Every interface any config names exists on every node (a bridge per name links
    them). A node's address on an interface is its config's ``unicast_src_ip`` when the
    instance on that interface has one (unicast peers name those addresses), else the
    scenario's ``addresses`` entry, else ``10.1.(10 + interface number).(10 + node
    number)/24`` (later nodes have higher addresses, as in the simulator, which matters
    when priorities are equal).
    """
    found = {name: _interfaces_and_sources(Path(conf).read_text())
             for name, conf in nodes.items()}
    ifaces = list(dict.fromkeys(i for names, _ in found.values() for i in names))
    out = []
    for n, (name, conf) in enumerate(nodes.items()):
        addrs = {ifname: f"10.1.{10 + k}.{10 + n}/24" for k, ifname in enumerate(ifaces)}
        for ifname, given in (addresses or {}).get(name, {}).items():
            addrs[ifname] = given if "/" in given else f"{given}/24"
        for ifname, src in found[name][1].items():
            addrs[ifname] = f"{src}/24"
        out.append(NodeLayout(name, Path(conf), addrs))
    return out


def weightless_scripts(text: str) -> dict[str, list[str]]:
    """Script name -> the instances tracking it with weight 0 (its failure is a FAULT).

    keepalived logs no state line when such a script fails on its very first run (the
    instance goes from INIT to FAULT silently), so the recorder infers that transition
    from ``VRRP_Script(NAME) failed``. Reads ``vrrp_script NAME { weight N }`` and each
    instance's ``track_script { NAME [weight N] }``.
    """
    words = _words(text)
    script_weight: dict[str, int] = {}
    tracking: list[tuple[str, str, int | None]] = []  # (instance, script, own weight)
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("vrrp_script", "vrrp_instance") and i + 2 < len(words) \
                and words[i + 2] == "{":
            name, i = words[i + 1], i + 3
            depth = 1
            while i < len(words) and depth:
                w = words[i]
                if w == "{":
                    depth += 1
                elif w == "}":
                    depth -= 1
                elif word == "vrrp_script" and depth == 1 and w == "weight" \
                        and i + 1 < len(words):
                    script_weight[name] = _int(words[i + 1])
                elif word == "vrrp_instance" and w == "track_script" \
                        and i + 1 < len(words) and words[i + 1] == "{":
                    i += 2
                    while i < len(words) and words[i] != "}":
                        own = None
                        if i + 2 < len(words) and words[i + 1] == "weight":
                            own = _int(words[i + 2])
                        tracking.append((name, words[i], own))
                        i += 3 if own is not None else 1
                i += 1
            continue
        i += 1
    out: dict[str, list[str]] = {}
    for inst, script, own in tracking:
        if (own if own is not None else script_weight.get(script, 0)) == 0:
            out.setdefault(script, []).append(inst)
    return out


def _int(word: str) -> int:
    try:
        return int(word)
    except ValueError:
        return 0

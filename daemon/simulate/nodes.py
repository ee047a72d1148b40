"""Each node's configuration as the daemon would run it, on a made-up host.

Why a made-up host: the simulation answers "what would this cluster do", so every
interface the configuration names exists and is up, with a primary address. The
configuration goes through kaconf's resolver and the daemon's own translation
(:func:`kaconfd.vrrp.config.vrrp_config`), so the simulated instances have exactly the
parameters ``kaconf run`` would give them.

Addresses: an instance's source is its ``unicast_src_ip``, else the scenario's address
for the node's interface, else one inferred from the peers' ``unicast_peer`` lists (the
one address the others list that no node claims and the node does not list itself),
else made up from the node's index (``10.255.0.<n+1>``, ``fe80::<n+1>``): with equal
priorities the later node on the command line wins, as the higher address does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kaconf.effective import resolve
from kaconf.effective.host import Host, Interface
from kaconf.model.objects import Config

from ..vrrp.config import InstanceConfig, VrrpConfig, vrrp_config
from ..vrrp.params import IPAddress

__all__ = ["ConfigError", "NodeConfig", "assign_addresses", "load_node", "node_config",
           "sim_host"]


class ConfigError(ValueError):
    """A node's configuration cannot be simulated (unreadable, errors, unsupported)."""


@dataclass(frozen=True)
class NodeConfig:
    """One node: its name and the daemon's run-time configuration."""

    name: str
    vrrp: VrrpConfig


def _made_up(index: int, family: int) -> IPAddress:
    if family == 6:
        return ipaddress.IPv6Address(f"fe80::{index + 1:x}")
    return ipaddress.IPv4Address(f"10.255.{(index + 1) // 256}.{(index + 1) % 256}")


def sim_host(name: str, interfaces: list[str], index: int = 0) -> Host:
    """A host where ``interfaces`` exist and are up, every script exists, user root."""
    ifaces = [Interface(n, ipv4=str(_made_up(index, 4)), ipv6=str(_made_up(index, 6)),
                        index=i + 1) for i, n in enumerate(interfaces)]
    return Host(hostname=name, interfaces={i.name: i for i in ifaces},
                users={"root": (0, 0)}, groups={"root": 0}, resolve=lambda p: p)


def node_config(name: str, config: Config, index: int = 0) -> NodeConfig:
    """Resolve ``config`` on a host that has every interface it names."""
    eff = resolve(config, sim_host(name, [], index))
    missing = list(eff.vrrp.missing_interfaces) if eff.vrrp is not None else []
    if missing:
        eff = resolve(config, sim_host(name, missing, index))
    try:
        return NodeConfig(name, vrrp_config(eff))
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def load_node(name: str, path: Path, index: int = 0,
              config_id: str | None = None) -> NodeConfig:
    """Read, check and resolve one node's file; ConfigError if it has errors."""
    from kaconf.loader import load_full

    if not Path(path).is_file():
        raise ConfigError(f"{name}: cannot read {path}")
    loaded = load_full(str(path), config_id=config_id)
    if loaded.errors:
        first = loaded.errors[0]
        raise ConfigError(f"{name}: {path} has errors, first: {first.message}")
    return node_config(name, loaded.config, index)


def assign_addresses(nodes: list[NodeConfig],
                     overrides: Mapping[str, Mapping[str, str]] | None = None
                     ) -> dict[tuple[str, str], IPAddress]:
    """(node, instance) -> the address its adverts come from (see the module docstring)."""
    overrides = overrides or {}
    claimed: set[IPAddress] = set()
    for node in nodes:
        for cfg in node.vrrp.instances:
            if cfg.src_ip is not None:
                claimed.add(cfg.src_ip)
        claimed.update(ipaddress.ip_address(a) for a in overrides.get(node.name, {}).values())
    out: dict[tuple[str, str], IPAddress] = {}
    for index, node in enumerate(nodes):
        for cfg in node.vrrp.instances:
            out[(node.name, cfg.name)] = _source(node, index, cfg, nodes, claimed, overrides)
    return out


def _source(node: NodeConfig, index: int, cfg: InstanceConfig, nodes: list[NodeConfig],
            claimed: set[IPAddress], overrides: Mapping[str, Mapping[str, str]]
            ) -> IPAddress:
    if cfg.src_ip is not None:
        return cfg.src_ip
    given = overrides.get(node.name, {}).get(cfg.interface)
    if given is not None:
        addr = ipaddress.ip_address(given)
        if addr.version == cfg.family:
            return addr
    if cfg.unicast:
        listed = {p for other in nodes if other.name != node.name
                  for oc in other.vrrp.instances
                  if oc.vrid == cfg.vrid and oc.family == cfg.family
                  for p in oc.unicast_peers}
        candidates = listed - claimed - set(cfg.unicast_peers)
        if len(candidates) == 1:
            return next(iter(candidates))
    return _made_up(index, cfg.family)

"""Helpers shared by the lint rules (not a rule: modules starting with ``_`` are skipped).

The rules mirror what ``keepalived -t`` (2.2.7) decides after parsing, so most of
them need the *effective* value of a setting the way keepalived derives it
(priority from state, family from the first address, version from the family
and ``global_defs``...). Those derivations live here once, so two rules can
never disagree about what keepalived would do.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import socket
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import compress
from operator import ne
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from kaconf.diagnostics import Span
from kaconf.lint.rules._index import TreeIndex
from kaconf.lint.rules._index import build as build_tree_index
from kaconf.model.addr import parse_ip
from kaconf.model.objects import (
    Authentication,
    Block,
    Config,
    RealServer,
    Route,
    Rule,
    Script,
    SyncGroup,
    TrackRef,
    VirtualAddress,
    VirtualServer,
    VrrpInstance,
)
from kaconf.schema import load_schema

if TYPE_CHECKING:
    from kaconf.lint.rule import Context
    from kaconf.tree import Node

_AF_INET = socket.AF_INET
_inet_pton = socket.inet_pton

#: keepalived's address-owner priority.
OWNER = 255
#: keepalived's default priority for a non-owner.
DEFAULT_PRIORITY = 100

_LATEST = {"master", "current", "latest", "head"}
_DOTTED = re.compile(r"v?(\d+(?:\.\d+)*)")


# -- versions -------------------------------------------------------------------


def version_key(version: str) -> tuple[int, ...]:
    """Order keepalived versions: ``"1.2.2" < "1.4.2" < "2.2.7" < "master"``.

    Unlike :func:`kaconf.schema.normalize_version` this keeps the exact number,
    because behaviour changes (the own-line brace fix of 1.4.2) fall between the
    schema's snapshots. Unparsable text sorts as the newest release.
    """
    text = (version or "").strip().lower()
    if text in _LATEST:
        return (999,)
    m = _DOTTED.fullmatch(text)
    if m is None:
        return (999,)
    parts = [int(p) for p in m.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def older_than(ctx_version: str, version: str) -> bool:
    """True when the targeted keepalived is older than ``version``."""
    return version_key(ctx_version) < version_key(version)


# -- raw tree access ---------------------------------------------------------------


def _walk(nodes: Iterable[Node]) -> Iterator[Node]:
    for n in nodes:
        yield n
        if n.children:
            yield from _walk(n.children)


def walk_nodes(ctx: Context) -> Iterator[Node]:
    """Every statement of the config, depth first, in source order."""
    return _walk(ctx.nodes)


def tree_index(ctx: Context) -> TreeIndex:
    """The shared walk of ``ctx``'s tree (built on first use, see :mod:`._index`)."""
    return ctx.memo("tree", build_tree_index)


def node_of(ctx: Context, block: Block) -> Node | None:
    """The raw tree node a model block was built from (matched by its start position).

    Rules need the raw statements for what the model folds away: the order of
    keywords, repeated keywords, the line of a ``{``. This indexes every node's
    position, which makes every token of the config: for instances use
    :func:`instance_node`, which only looks at ``vrrp_instance`` sections.
    """
    span = block.span
    if span is None:
        return None
    return ctx.memo("node_at", _index_positions).get((span.file, span.line, span.col))


def _index_positions(ctx: Context) -> dict[tuple[str, int, int], Node]:
    index: dict[tuple[str, int, int], Node] = {}
    for n in walk_nodes(ctx):
        k = n.keyword
        index.setdefault((k.file, k.line, k.col), n)
    return index


def instance_node(ctx: Context, inst: VrrpInstance) -> Node | None:
    """The ``vrrp_instance`` section ``inst`` was built from (the first at its position).

    None for an empty block (no statements either way). Unlike :func:`node_of` this
    does not index every node: a node of another kind at exactly the same position
    (possible only through a definition expanding several statements onto one
    column) is not considered.
    """
    found = _instance_section(ctx, inst)
    return found[0] if found is not None else None


def _instance_section(ctx: Context, inst: VrrpInstance) -> tuple[Node, Sequence[str]] | None:
    """:func:`instance_node` and the names of its statements, in one lookup."""
    span = inst.span
    if span is None:
        return None
    return ctx.memo("instance_at", _index_instances).get((span.file, span.line, span.col))


def _index_instances(ctx: Context) -> dict[tuple[str, int, int], tuple[Node, Sequence[str]]]:
    index: dict[tuple[str, int, int], tuple[Node, Sequence[str]]] = {}
    group = tree_index(ctx).by_path.get("vrrp_instance")
    if group is None:
        return index
    for n, names in zip(group.nodes, group.names, strict=True):
        h = n.head_span  # starts where the builder's block span does, without making tokens
        index.setdefault((h.file, h.line, h.col), (n, names))
    return index


def statements(ctx: Context, node: Node | None) -> list[Node]:
    """:func:`children` of ``node``, from the shared index when it is a section (read-only)."""
    if node is None:
        return []
    found = tree_index(ctx).statements(node)
    return found if found is not None else children(node)


def statement_names(ctx: Context, node: Node | None) -> Sequence[str]:
    """The keyword names of :func:`statements` (read-only): a cheap "is X given here"."""
    if node is None:
        return []
    found = tree_index(ctx).names.get(id(node))
    return found if found is not None else [c.name for c in children(node)]


def sections(ctx: Context, path: str) -> list[Node]:
    """The section nodes opening block ``path`` (``"virtual_server/real_server"``), in order."""
    return tree_index(ctx).sections(path)


def statements_in(ctx: Context, path: str) -> list[tuple[Node, str, Any]]:
    """:func:`walk_with_paths` restricted to the statements read in block ``path``.

    Those are the lines of the sections opening ``path`` (a path opens only at one
    depth, so they never nest); walking just them avoids the rest of the config.
    """
    return ctx.memo(f"statements_in:{path}", lambda c: [
        e for n in sections(c, path) for e in _walk_paths(n.children or [], path, load_schema())
        if e[1] == path])


def sections_with_repeats(ctx: Context, paths: Iterable[str]
                          ) -> list[tuple[Node, str, set[str]]]:
    """Sections opening one of ``paths`` where some keyword is given twice, in source
    order: (node, path opened, the repeated names).

    Rules about repeated keywords only need to look closely at these, and only when a
    keyword they care about is repeated; finding them is one set per section of the
    paths asked for (not of every section: a config's checker blocks outnumber the
    blocks these rules read), each path done once for all such rules.
    """
    found: list[tuple[Node, str, set[str]]] = []
    from_paths = 0
    for path in paths:
        here = ctx.memo(f"repeats:{path}", partial(_with_repeats, path=path))
        if here:
            found += here
            from_paths += 1
    if from_paths > 1:
        found.sort(key=lambda e: tree_index(ctx).position(e[0]))
    return found


def _with_repeats(ctx: Context, *, path: str) -> list[tuple[Node, str, set[str]]]:
    group = tree_index(ctx).by_path.get(path)
    if group is None:
        return []
    if all(len(set(names)) == len(names) for names in group.distinct()):
        return []  # the usual case, found by looking at each different list once
    names = group.names
    # the indexes of the name lists that lose an entry as a set, found without a Python loop
    repeats = compress(range(len(names)), map(ne, map(len, map(set, names)), map(len, names)))
    return [(group.nodes[i], path, _repeated(names[i])) for i in repeats]


def _repeated(names: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for name in names:
        if name in seen:
            repeated.add(name)
        seen.add(name)
    return repeated


def names_in(ctx: Context, path: str) -> frozenset[str] | set[str]:
    """Every keyword name read somewhere in block ``path`` (read-only).

    A rule about a keyword most configs never use (``mcast_dst_ip``, ``version``...)
    tests it here first: when no block of the path has the keyword, no statement
    list can, and the rule is done without looking at a single section.
    """
    return ctx.memo("names_by_path", _names_by_path).get(path, frozenset())


def _names_by_path(ctx: Context) -> dict[str, set[str]]:
    return tree_index(ctx).names_by_path()


def distinct_specs(ctx: Context) -> list[Any]:
    """The spec of every keyword name read somewhere, once: lets a rule that looks for
    particular keywords (deprecated ones...) see there are none without a walk."""
    return ctx.memo("distinct_specs", _distinct_specs)


def _distinct_specs(ctx: Context) -> list[Any]:
    schema = load_schema()
    found: dict[int, Any] = {}
    for path, names in ctx.memo("names_by_path", _names_by_path).items():
        block = schema.block(path)
        for name in names:
            spec = block.get(name)
            if spec is not None:
                found[id(spec)] = spec
    return list(found.values())


def children(node: Node | None, keyword: str | None = None) -> list[Node]:
    """Direct statements inside ``node`` (optionally only those named ``keyword``).

    keepalived reads the lines of an unknown keyword's block at the current
    level, so those are included as if they stood in ``node`` itself.
    """
    out: list[Node] = []
    if node is None or not node.children:
        return out
    for c in node.children:
        name = c.name  # not c.keyword: that would make the line's tokens
        if keyword is None or name == keyword:
            out.append(c)
        if c.children and name == "{" and c.keyword.raw == "{":
            out.extend(children(c, keyword))
    return out


def setting_span(block: Block, keyword: str) -> Span | None:
    """Where ``keyword`` was given in ``block`` (its line), else the block's start."""
    s = block.settings.get(keyword)
    if s is not None:
        return s.span
    return head(block.span)


def head(span: Span | None) -> Span | None:
    """Only the first line of a (block) span: findings point at a line, not a region."""
    if span is None:
        return None
    return Span(span.file, span.line, span.col, span.line, span.col + 1, span.origin)


# -- effective VRRP values, as keepalived derives them ---------------------------------


def strict(cfg: Config, inst: VrrpInstance) -> bool:
    """strict_mode of the instance, else global ``vrrp_strict``."""
    if inst.strict_mode is not None:
        return bool(inst.strict_mode)
    return bool(cfg.global_defs.vrrp_strict)


def _family_of_text(text: str) -> int | None:
    """4 or 6 for an address keepalived accepts (``inet_pton``, like :func:`parse_ip`)."""
    addr = text.split("/", 1)[0]
    if ":" in addr:
        try:
            return parse_ip(addr).version
        except ValueError:
            return None
    try:  # no need to build an IPv4Address: inet_pton accepting it is the whole test
        _inet_pton(_AF_INET, addr)
    except (OSError, ValueError):
        return None
    return 4


class FamilyItem(NamedTuple):
    """One statement that fixes or must match the instance's address family."""

    what: str
    text: str
    family: int
    node: Node

    @property
    def span(self) -> Span:
        """The line of the statement (built only for the items a rule reports)."""
        return self.node.head_span


#: statements whose (first) address fixes the instance family, in keepalived's order
_ADDRESS_BLOCKS = ("virtual_ipaddress", "unicast_peer")
_ADDRESS_LINES = ("unicast_src_ip", "mcast_src_ip", "mcast_dst_ip")


def family_items(ctx: Context, inst: VrrpInstance) -> list[FamilyItem]:
    """Address-bearing statements in source order (VIPs, peers, src/dst addresses).

    keepalived takes the instance family from the first of these and rejects
    later ones of the other family, so order matters and comes from the tree.
    Cached per context: KA221 wants them all, :func:`family` only the first.
    """
    cache: dict[int, list[FamilyItem]] = ctx.memo("family_items", _new_dict)
    items = cache.get(id(inst))
    if items is None:
        items = cache[id(inst)] = list(_iter_family_items(ctx, inst))
    return items


def _new_dict(_ctx: Context) -> dict[Any, Any]:
    return {}


def _iter_family_items(ctx: Context, inst: VrrpInstance) -> Iterator[FamilyItem]:
    node = instance_node(ctx, inst)
    if node is None:
        return
    stmts = statements(ctx, node)
    for i, kw in enumerate(statement_names(ctx, node)):
        if kw in _ADDRESS_BLOCKS:
            c = stmts[i]
            if c.children is None:
                continue
            for item in children(c):
                text = item.name
                fam = _family_of_text(text)
                if fam is not None:
                    yield FamilyItem(kw, text, fam, item)
        elif kw in _ADDRESS_LINES:
            c = stmts[i]
            if c.args:
                fam = _family_of_text(c.args[0].text)
                if fam is not None:
                    yield FamilyItem(kw, c.args[0].text, fam, c)
        elif kw == "native_ipv6":
            yield FamilyItem(kw, "", 6, stmts[i])


def family(ctx: Context, inst: VrrpInstance) -> int:
    """4 or 6: the family keepalived gives the instance (IPv4 when nothing says).

    Most rules ask for the family of every instance, so the families of all of them
    are found in one pass on first use (see :func:`_family_facts`).
    """
    return _facts(ctx, inst)[0]


def may_mix_families(ctx: Context, inst: VrrpInstance) -> bool:
    """False when no two address-bearing statements of ``inst`` can be of different
    families: all of them are IPv4 text (no ``:``), or all IPv6 text / native_ipv6.

    :func:`family_items` then cannot disagree with its first item, so a rule about
    mismatches skips the instance without parsing every address.
    """
    return _facts(ctx, inst)[1]


def _facts(ctx: Context, inst: VrrpInstance) -> tuple[int, bool]:
    found = ctx.memo("family_facts", _all_family_facts).get(id(inst))
    if found is None:  # not an instance of this context's config
        found = _family_facts(ctx, inst)
    return found


def _all_family_facts(ctx: Context) -> dict[int, tuple[int, bool]]:
    return {id(inst): _family_facts(ctx, inst) for inst in ctx.config.vrrp_instances}


#: every keyword :func:`_iter_family_items` looks at, to skip the others with one test
_FAMILY_KEYWORDS = frozenset(_ADDRESS_BLOCKS + _ADDRESS_LINES + ("native_ipv6",))


def _family_facts(ctx: Context, inst: VrrpInstance) -> tuple[int, bool]:
    """(family, may the families mix): the first of :func:`_iter_family_items` that
    parses fixes the family; the others are only told apart by a ``:`` in their address.
    """
    found = _instance_section(ctx, inst)
    if found is None:
        return 4, False
    node, names = found
    stmts = tree_index(ctx).flattened.get(id(node)) or node.children or []  # statements()
    fam: int | None = None
    v4 = v6 = False
    for i, kw in enumerate(names):
        if kw not in _FAMILY_KEYWORDS:
            continue
        if kw == "native_ipv6":
            v6 = True
            if fam is None:
                fam = 6
            continue
        c = stmts[i]
        if kw in _ADDRESS_LINES:
            words = c.arg_words()  # not c.args: that would make the line's tokens
            texts = words[:1]
        elif c.children is None:
            continue
        else:
            texts = [item.name for item in children(c)]
        for text in texts:
            if ":" in text.partition("/")[0]:
                v6 = True
            else:
                v4 = True
            if fam is None:
                fam = _family_of_text(text)
    return (fam if fam is not None else 4), v4 and v6


def version(ctx: Context, inst: VrrpInstance) -> int:
    """The VRRP version keepalived runs the instance with (2 or 3)."""
    if inst.version in (2, 3):
        return int(inst.version)
    if family(ctx, inst) == 6:
        return 3
    g = ctx.config.global_defs.vrrp_version
    return int(g) if g in (2, 3) else 2


def priority(inst: VrrpInstance) -> int:
    """Configured priority, else 255 for ``state MASTER`` and 100 otherwise (keepalived)."""
    if inst.priority is not None:
        return int(inst.priority)
    return OWNER if inst.state == "MASTER" else DEFAULT_PRIORITY


def want_state(inst: VrrpInstance) -> str:
    """Initial state: the configured one (bogus words mean BACKUP), else from priority."""
    if inst.state == "MASTER":
        return "MASTER"
    if inst.state is not None:
        return "BACKUP"
    return "MASTER" if priority(inst) == OWNER else "BACKUP"


def unicast_configured(inst: VrrpInstance) -> bool:
    """Any keyword that makes keepalived think the instance wants unicast."""
    return any(inst.given(k) for k in ("unicast_peer", "unicast_src_ip", "unicast_fault_no_peer",
                                       "check_unicast_src", "old_unicast_checksum"))


def valid_peers(ctx: Context, inst: VrrpInstance) -> list[Any]:
    """Unicast peers keepalived keeps (parsable, same family as the instance)."""
    fam = family(ctx, inst)
    return [p for p in inst.unicast_peer if p.address is not None and p.address.version == fam]


def is_unicast(ctx: Context, inst: VrrpInstance) -> bool:
    """keepalived runs the instance in unicast mode: it has at least one usable peer."""
    return bool(valid_peers(ctx, inst))


def kept_auth(ctx: Context, inst: VrrpInstance) -> Authentication | None:
    """The authentication block keepalived keeps for ``inst``, else None.

    It needs a type and a password, and is ignored in strict mode and with VRRPv3 (AH on
    IPv6 is returned: keepalived drops that one later, with its own message).
    """
    auth = inst.authentication
    if auth is None or auth.auth_type is None or not auth.auth_pass:
        return None
    if strict(ctx.config, inst) or version(ctx, inst) == 3:
        return None
    return auth


def sync_group_of(cfg: Config, inst: VrrpInstance) -> SyncGroup | None:
    """The (first) sync group that really takes ``inst`` as a member."""
    for sg in cfg.sync_groups:
        if inst.name in sg.group:
            return sg
    return None


class _Weighted(Protocol):
    """A tracked object with an optional default weight (vrrp_script, track_file, bfd)."""

    weight: int | None


def _ref_weight(ref: TrackRef, defined: Mapping[str, _Weighted], default: int) -> int:
    """A tracking line's weight: its own, else the tracked object's, else ``default``."""
    if ref.weight is not None:
        return ref.weight
    obj = defined.get(ref.name)
    if obj is not None and obj.weight is not None:
        return obj.weight
    return default


def script_weight(cfg: Config, ref: TrackRef) -> int:
    """Weight a ``track_script`` line applies: its own, else the vrrp_script's, else 0."""
    return _ref_weight(ref, cfg.vrrp_scripts, 0)


def file_weight(cfg: Config, ref: TrackRef) -> int:
    """Weight a ``track_file`` line applies: its own, else the track_file's, else 1."""
    return _ref_weight(ref, cfg.track_files, 1)


def bfd_weight(cfg: Config, ref: TrackRef) -> int:
    """Weight a ``track_bfd`` line applies: its own, else the bfd_instance's, else 0."""
    return _ref_weight(ref, cfg.bfd_instances, 0)


def vip_set(inst: VrrpInstance) -> frozenset[str]:
    """The VIPs as normalised text (address/prefix), for comparing nodes."""
    return frozenset(str(v.address) for v in inst.virtual_ipaddress if v.address is not None)


# -- lines of the whole config ------------------------------------------------------------


def ip_routes(cfg: Config) -> list[Route]:
    """Every route line: static_routes, then each instance's virtual_routes."""
    return list(cfg.static_routes) + [r for i in cfg.vrrp_instances for r in i.virtual_routes]


def ip_rules(cfg: Config) -> list[Rule]:
    """Every (ip) rule line: static_rules, then each instance's virtual_rules."""
    return list(cfg.static_rules) + [r for i in cfg.vrrp_instances for r in i.virtual_rules]


def address_lines(cfg: Config) -> Iterator[VirtualAddress]:
    """Every address line: static_ipaddress, then each instance's VIPs and excluded VIPs."""
    yield from cfg.static_ipaddress
    for inst in cfg.vrrp_instances:
        yield from inst.virtual_ipaddress
        yield from inst.virtual_ipaddress_excluded


# -- the host keepalived -t would run on -----------------------------------------------


def host_interfaces(ctx: Context) -> frozenset[str] | None:
    """Interface names of the host the config is meant for, or None when unknown.

    ``keepalived -t`` checks interfaces on the machine it runs on. kaconf usually
    lints on another machine, so this check is opt-in: a ``interfaces`` attribute
    on the context (if the engine provides one) or ``KACONF_INTERFACES`` (a comma
    separated list, or ``auto`` for this machine's interfaces).
    """
    given = getattr(ctx, "interfaces", None)
    if given is not None:
        return frozenset(given) | {"lo"}
    env = os.environ.get("KACONF_INTERFACES")
    if env is None or env.strip() == "":
        return None
    if env.strip().lower() == "auto":
        try:
            return frozenset(name for _, name in socket.if_nameindex())
        except OSError:
            return None
    # every Linux host has a loopback, whatever the list says
    return frozenset(x.strip() for x in env.split(",") if x.strip()) | {"lo"}


@dataclass(frozen=True)
class ScriptUse:
    """A script keepalived would check at start: where it is and what runs it."""

    script: Script
    kind: str  # "vrrp_script", "notify", "check"
    owner: str
    keyword: str
    span: Span | None


def _keyword_scripts(block: Block, owner: str, keywords: Iterable[str]) -> list[ScriptUse]:
    """Notify-style scripts given in ``block`` under ``keywords`` (in that order)."""
    out: list[ScriptUse] = []
    settings = block.settings
    for kw in keywords:
        s = settings.get(kw)  # most blocks have none: skip them without a call per keyword
        if s is not None and isinstance(s.value, Script) and s.value.args:
            out.append(ScriptUse(s.value, "notify", owner, kw, s.span))
    return out


def vrrp_script_uses(cfg: Config) -> list[ScriptUse]:
    """Scripts the VRRP process checks (all vrrp_scripts, instance/group notifies)."""
    out: list[ScriptUse] = []
    for name, vs in cfg.vrrp_scripts.items():
        if vs.script is not None and vs.script.args:
            out.append(ScriptUse(vs.script, "vrrp_script", name, "script",
                                 setting_span(vs, "script")))
    notify_kws = ("notify_backup", "notify_master", "notify_fault", "notify_stop",
                  "notify_deleted", "notify", "notify_master_rx_lower_pri")
    for inst in cfg.vrrp_instances:
        out += _keyword_scripts(inst, inst.name, notify_kws)
    for sg in cfg.sync_groups:
        out += _keyword_scripts(sg, sg.name, notify_kws[:4] + ("notify",))
    out += _keyword_scripts(cfg.global_defs, "global_defs",
                            ("notify_fifo_script", "vrrp_notify_fifo_script"))
    return out


def global_script_uses(cfg: Config) -> list[ScriptUse]:
    """startup_script / shutdown_script: checked by the parent process, always."""
    return _keyword_scripts(cfg.global_defs, "global_defs", ("startup_script", "shutdown_script"))


def all_script_uses(ctx: Context) -> list[ScriptUse]:
    """Every script keepalived -t checks, each once (cached per context, read-only).

    The VRRP process checks its scripts only when there are vrrp instances, the checker
    process only when there are virtual servers (both check the global notify_fifo
    script); startup/shutdown scripts are always checked. Several rules look at every
    script, and finding them means visiting every real server, so it is done once.
    """
    return ctx.memo("all_script_uses", lambda c: _all_script_uses(c.config))


def _all_script_uses(cfg: Config) -> list[ScriptUse]:
    uses = global_script_uses(cfg)
    if cfg.vrrp_instances:
        uses += vrrp_script_uses(cfg)
    if cfg.virtual_servers:
        uses += check_script_uses(cfg)
    out: list[ScriptUse] = []
    seen: set[tuple[str, str]] = set()
    for x in uses:
        key = (x.owner, x.keyword) if x.owner == "global_defs" else (str(id(x.script)), "")
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


def check_script_uses(cfg: Config) -> list[ScriptUse]:
    """Scripts the checker process checks (MISC_CHECK, quorum and real-server notifies)."""
    out: list[ScriptUse] = []
    for vs in cfg.virtual_servers:
        found = _keyword_scripts(vs, "", ("quorum_up", "quorum_down"))
        for rs in vs.real_server:
            if rs.settings:
                found += _keyword_scripts(rs, "", ("notify_up", "notify_down"))
            for ck in rs.checkers:
                if ck.kind == "MISC_CHECK" and ck.misc_path is not None and ck.misc_path.args:
                    found.append(ScriptUse(ck.misc_path, "check", "", "misc_path",
                                           setting_span(ck, "misc_path")))
        if found:  # the owner is the VS label, formatted only for a VS that has scripts
            label = vs.label
            out += [dataclasses.replace(x, owner=label) for x in found]
    out += _keyword_scripts(cfg.global_defs, "global_defs",
                            ("notify_fifo_script", "lvs_notify_fifo_script"))
    return out


def executed_script_uses(ctx: Context) -> list[ScriptUse]:
    """:func:`all_script_uses` without the ``<file`` tests, which keepalived only opens."""
    return ctx.memo("executed_script_uses", lambda c: [
        x for x in all_script_uses(c) if not is_file_test(x.script)])


def script_what(use: ScriptUse, quote: bool = False) -> str:
    """How messages name a script: ``script P of vrrp_script N`` or ``KEYWORD script P (OWNER)``."""
    path = f"'{use.script.path}'" if quote else use.script.path
    if use.kind == "vrrp_script":
        return f"script {path} of vrrp_script {use.owner}"
    return f"{use.keyword} script {path} ({use.owner})"


def is_file_test(sc: Script) -> bool:
    """``</dev/tcp/...``-style scripts: keepalived only opens the file, never runs it."""
    raw = sc.raw.lstrip().lstrip('"').lstrip("'")
    return raw.startswith("<") and raw[1:].lstrip(" \t").startswith("/")


def resolve_script(sc: Script) -> str | None:
    """The file keepalived would run for ``sc`` on this machine (PATH search for bare names)."""
    path = sc.path
    if not path:
        return None
    if "/" not in path:
        return shutil.which(path)
    return path if os.path.exists(path) else None


def script_found(sc: Script) -> bool:
    """keepalived finds the script file (so it counts it as a script to secure)."""
    if is_file_test(sc):
        return False
    found = resolve_script(sc)
    return found is not None and os.path.isfile(found)


def has_vrrp_instances(cfg: Config) -> bool:
    return bool(cfg.vrrp_instances)


def tracks(inst: VrrpInstance | SyncGroup) -> dict[str, list[TrackRef]]:
    """The tracking lists of an instance or sync group by keyword."""
    return {
        "track_script": inst.track_script,
        "track_interface": inst.track_interface,
        "track_file": inst.track_file,
        "track_process": inst.track_process,
        "track_bfd": inst.track_bfd,
    }


def weighted_tracks(cfg: Config, inst: VrrpInstance) -> list[tuple[TrackRef, str]]:
    """Tracking entries of ``inst`` that carry a non-zero weight, with keepalived's wording.

    Used where keepalived refuses weights (address owner, sync group members).
    """
    out: list[tuple[TrackRef, str]] = []
    for ref in inst.track_interface:
        if ref.weight:
            out.append((ref, f"{ref.name} tracked interface weight"))
    for ref in inst.track_script:
        if ref.name in cfg.vrrp_scripts and script_weight(cfg, ref):
            out.append((ref, f"tracked script {ref.name} with weights (keepalived drops it)"))
    for ref in inst.track_file:
        if ref.name in cfg.track_files and file_weight(cfg, ref):
            out.append((ref, f"weight from tracked file {ref.name} (specify weight 0)"))
    for ref in inst.track_bfd:
        if ref.name in cfg.bfd_instances and bfd_weight(cfg, ref):
            out.append((ref, f"tracked bfd {ref.name} with weight"))
    return out


@dataclass(frozen=True)
class Membership:
    """How keepalived resolves one name of a sync group's ``group`` block."""

    group: SyncGroup
    name: str
    span: Span | None
    status: str  # "member", "missing", "taken"
    taken_by: str = ""


_MEMBERSHIP_CACHE: dict[int, tuple[Config, list[Membership]]] = {}
_CACHE_SIZE = 32  # a few configs (a cluster), never unbounded


def sync_memberships(cfg: Config) -> list[Membership]:
    """Resolve every sync-group member name the way keepalived does, in config order.

    An instance joins the first group that names it; later mentions (in the same or
    another group) are rejected, and names without an instance are dropped. Cached per
    config: several rules ask for every instance.
    """
    hit = _MEMBERSHIP_CACHE.get(id(cfg))
    if hit is not None and hit[0] is cfg:
        return hit[1]
    out = _resolve_memberships(cfg)
    if len(_MEMBERSHIP_CACHE) >= _CACHE_SIZE:
        _MEMBERSHIP_CACHE.clear()
    _MEMBERSHIP_CACHE[id(cfg)] = (cfg, out)
    return out


def _resolve_memberships(cfg: Config) -> list[Membership]:
    names = {i.name for i in cfg.vrrp_instances}
    owner: dict[str, str] = {}
    out: list[Membership] = []
    for sg in cfg.sync_groups:
        for idx, name in enumerate(sg.group):
            span = sg.group_spans[idx] if idx < len(sg.group_spans) else head(sg.span)
            if name not in names:
                out.append(Membership(sg, name, span, "missing"))
            elif name in owner:
                out.append(Membership(sg, name, span, "taken", owner[name]))
            else:
                owner[name] = sg.name
                out.append(Membership(sg, name, span, "member"))
    return out


def sync_members(cfg: Config, sg: SyncGroup) -> list[VrrpInstance]:
    """The instances that really end up in ``sg`` (in group order)."""
    by_name = {i.name: i for i in cfg.vrrp_instances}
    return [by_name[m.name] for m in sync_memberships(cfg)
            if m.group is sg and m.status == "member"]


def sync_group_of_member(cfg: Config, inst: VrrpInstance) -> SyncGroup | None:
    """The sync group keepalived puts ``inst`` in, if any."""
    for m in sync_memberships(cfg):
        if m.name == inst.name and m.status == "member":
            return m.group
    return None


def walk_with_paths(ctx: Context) -> Iterator[tuple[Node, str, Any]]:
    """Every keyword statement with the block path it is read in and its spec (or None).

    Mirrors the builder's walk: sections open their child path, value blocks are not
    entered (their lines are items, not keywords), and the lines of an unknown
    keyword's block are read at the same level, as keepalived does. This visits every
    statement: rules first check :func:`distinct_specs` or use :func:`statements_in`.
    """
    return iter(ctx.memo("walk_with_paths", lambda c: list(
        _walk_paths(c.nodes, "", load_schema()))))


def _walk_paths(nodes: Iterable[Node], path: str, schema: Any) -> Iterator[tuple[Node, str, Any]]:
    for n in nodes:
        if n.name == "{" and n.keyword.raw == "{":
            if n.children:
                yield from _walk_paths(n.children, path, schema)
            continue
        spec = schema.lookup(path, n.name)
        yield n, path, spec
        if not n.children:
            continue
        if spec is None:
            yield from _walk_paths(n.children, path, schema)
        elif spec.opens == "sublevel":
            yield from _walk_paths(n.children, spec.child_path, schema)
        elif spec.opens is None:
            yield from _walk_paths(n.children, path, schema)


# -- virtual servers ---------------------------------------------------------------------


class RealServers(NamedTuple):
    """A virtual server's real servers as keepalived's duplicate removal leaves them."""

    #: the first real server of each address and port, in order (what keepalived keeps)
    kept: list[RealServer]
    #: the later ones with an address and port already seen (what it removes), in order
    removed: list[RealServer]


def real_servers(ctx: Context, vs: VirtualServer) -> RealServers:
    """``vs``'s real servers split by keepalived's duplicate test (address, port or 0).

    Several rules count or compare the real servers keepalived keeps; hashing 8,000
    addresses (:mod:`ipaddress` hashes in Python) once per context instead of once
    per rule is what this saves. A real server without an address is kept, compared
    only with the others without one.
    """
    found = ctx.memo("real_servers", _all_real_servers).get(id(vs))
    return found if found is not None else _split_real_servers(vs)


def _all_real_servers(ctx: Context) -> dict[int, RealServers]:
    return {id(vs): _split_real_servers(vs) for vs in ctx.config.virtual_servers}


def _split_real_servers(vs: VirtualServer) -> RealServers:
    kept: list[RealServer] = []
    removed: list[RealServer] = []
    seen: set[tuple[object, int]] = set()
    for rs in vs.real_server:
        size = len(seen)
        seen.add((rs.address, rs.port or 0))  # equal addresses print alike
        (kept if len(seen) > size else removed).append(rs)
    return RealServers(kept, removed)


def vs_by_address(cfg: Config, vs: Any) -> bool:
    """keepalived's "specified by address" test: an address VS, or a group with addresses."""
    if vs.fwmark is not None:
        return False
    if vs.group is not None:
        vsg = cfg.virtual_server_groups.get(vs.group)
        return vsg is not None and any(e.kind != "fwmark" for e in vsg.entries)
    return True


def vs_fwmark_only(cfg: Config, vs: Any) -> bool:
    """A fwmark VS, or a group made only of fwmark entries."""
    if vs.fwmark is not None:
        return True
    if vs.group is not None:
        vsg = cfg.virtual_server_groups.get(vs.group)
        return vsg is not None and bool(vsg.entries) and all(
            e.kind == "fwmark" for e in vsg.entries)
    return False


def rs_method(vs: Any, rs: Any) -> str:
    """Forwarding method of a real server: its own, else the VS's, else NAT (the default)."""
    m = rs.get("lvs_method") or vs.lb_kind
    return str(m) if m else "NAT"


def rs_weight(vs: Any, rs: Any) -> int:
    """Weight of a real server: its own, else the virtual server's ``weight``, else 1."""
    if rs.weight is not None:
        return int(rs.weight)
    w = vs.get("weight")
    return int(w) if isinstance(w, int) else 1


def vs_head(vs: Any) -> Span | None:
    return head(vs.span)


# -- clusters ------------------------------------------------------------------------------


def node_label(ctx: Context) -> str:
    """A short name for a node in messages: its router_id, else its file name."""
    rid = ctx.config.global_defs.router_id
    if rid:
        return str(rid)
    name = ctx.path or (ctx.config.files[0] if ctx.config.files else "?")
    return os.path.basename(name)


#: one node's instance: the node's context and the instance
Member = tuple["Context", VrrpInstance]


def peers_by_instance(nodes: list[Context]) -> dict[str, list[Member]]:
    """Instances of the same name across the nodes of a cluster, in node order."""
    out: dict[str, list[Member]] = {}
    for ctx in nodes:
        for inst in ctx.config.vrrp_instances:
            out.setdefault(inst.name, []).append((ctx, inst))
    return out


def shared_instances(nodes: list[Context]) -> Iterator[tuple[str, list[Member]]]:
    """:func:`peers_by_instance` without the instances only one node defines."""
    for name, members in peers_by_instance(nodes).items():
        if len(members) >= 2:
            yield name, members


def against_first(nodes: list[Context]) -> Iterator[tuple[str, Member, Member]]:
    """Each node's instance with the first node's of the same name: (name, first, other).

    Cluster rules that want every node to agree compare the others with the first
    node of an instance (in node order), so each disagreement is reported once.
    """
    for name, members in peers_by_instance(nodes).items():
        for other in members[1:]:
            yield name, members[0], other


def vs_name(vs: Any) -> str:
    """How messages name a virtual server: ``addr:port``, ``FWM n`` or ``GROUP name``."""
    if vs.fwmark is not None:
        return f"FWM {vs.fwmark}"
    if vs.group is not None:
        return f"GROUP {vs.group}"
    addr = f"[{vs.address}]" if getattr(vs.address, "version", 4) == 6 else str(vs.address)
    return f"{addr}:{vs.port or 0}"


def vsg_entry_valid(entry: Any) -> bool:
    """keepalived keeps a group entry: ranges must end above their start."""
    if entry.kind != "range":
        return True
    addr = entry.text.split()[0]
    start, _, end = addr.partition("-")
    sep = ":" if ":" in start else "."
    last = start.rsplit(sep, 1)[-1]
    try:
        base = 16 if sep == ":" else 10
        return int(end, base) > int(last or "0", base)
    except ValueError:
        return False


def script_run_user(cfg: Config, use: ScriptUse) -> str:
    """The user keepalived runs a script as: its own user, else script_user, else the default.

    Notify lines take ``"cmd args" [user [group]]``: words after the (quoted) command are
    the user and group. With script security and no script_user the default is
    keepalived_script when that user exists, else root.
    """
    import pwd
    import shlex

    if use.kind == "vrrp_script":
        vs = cfg.vrrp_scripts.get(use.owner)
        if vs is not None and vs.user:
            return vs.user
    else:
        try:
            words = shlex.split(use.script.raw)
        except ValueError:
            words = use.script.raw.split()
        if len(words) > 1:
            return words[1]
    g = cfg.global_defs
    if g.script_user:
        return str(g.script_user)
    if g.enable_script_security:
        try:
            pwd.getpwnam("keepalived_script")
            return "keepalived_script"
        except KeyError:
            return "root"
    return "root"

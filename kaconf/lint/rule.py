"""The shape of a lint rule: metadata plus a check function.

Rules live one per module in :mod:`kaconf.lint.rules` (ruff's rule-per-file
layout): each module defines ``META`` (a :class:`RuleMeta`) and ``check(ctx)``
yielding :class:`~kaconf.diagnostics.Diagnostic` objects, usually through
``ctx.diag(...)``. Cluster rules set ``scope="cluster"`` and receive a
:class:`ClusterContext`. The docs (docs/rules.md) and ``kaconf rules`` are
generated from ``META``, so a rule documents itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from kaconf.diagnostics import Diagnostic, Fix, Severity, Span

if TYPE_CHECKING:
    from kaconf.effective import Effective
    from kaconf.effective.vrrp_types import EffInstance
    from kaconf.loader import Loaded
    from kaconf.model.objects import Config, VrrpInstance
    from kaconf.tree import Node

_T = TypeVar("_T")

#: the memo key of the resolved instances by ``id()`` of their model instance
#: (filled by :mod:`kaconf.lint.helpers.resolved`, read by :meth:`Context.resolved`)
RESOLVED_INSTANCES = "effective_instances"


@dataclass(frozen=True)
class RuleMeta:
    """Everything a user needs to know about a rule, in one place."""

    code: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    bad: str
    good: str
    scope: Literal["config", "cluster", "reader"] = "config"
    #: the validation-rules.md ids this rule mirrors, when it mirrors keepalived
    keepalived_check: tuple[str, ...] = ()
    #: what the rule's fix does (``kaconf lint --fix``, code actions); empty: no fix
    fix: str = ""
    #: whether that fix is applied by plain ``--fix`` (else only with ``--unsafe-fixes``)
    fix_safe: bool = True


@dataclass
class Context:
    """What a single-file rule sees: the model, the raw tree, the target version."""

    loaded: Loaded
    target_version: str = "2.2.7"
    path: str = ""
    #: derived indexes shared by the rules, see :meth:`memo`
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def config(self) -> Config:
        return self.loaded.config

    @property
    def nodes(self) -> list[Node]:
        return self.loaded.nodes

    @property
    def effective(self) -> Effective:
        """The config resolved as keepalived completes it, on a host-neutral host.

        Computed on first use and shared by every rule (see
        :mod:`kaconf.lint.helpers.resolved`): rules ask it for derived values.
        """
        from kaconf.lint.helpers.resolved import effective

        return effective(self)

    def resolved(self, inst: VrrpInstance) -> EffInstance:
        """The resolved form of ``inst`` (an instance of this context's config)."""
        # rules ask this tens of thousands of times on a large config: the index
        # kaconf.lint.helpers.resolved keeps in the memo answers most asks directly
        found: dict[int, EffInstance] | None = self._memo.get(RESOLVED_INSTANCES)
        if found is not None:
            ei = found.get(id(inst))
            if ei is not None:
                return ei
        from kaconf.lint.helpers.resolved import instance

        return instance(self, inst)

    def memo(self, key: str, build: Callable[[Context], _T]) -> _T:
        """``build(self)``, computed once per context and shared by every rule.

        A hundred rules look at the same config; the walks and indexes several of
        them need (the tree by block path, the scripts keepalived checks...) are
        built on first use and kept here, so each costs one pass, not one per rule.
        ``key`` names the index; the helpers in :mod:`kaconf.lint.helpers` own them.
        """
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._memo[key] = build(self)
            return value

    def diag(self, meta: RuleMeta, message: str, span: Span | None, hint: str = "",
             severity: Severity | None = None, fix: Fix | None = None) -> Diagnostic:
        """Build a finding of ``meta``'s rule at ``span`` (the file start if unknown).

        ``fix`` is the repair, when the rule can offer one here (see
        :mod:`kaconf.fix.build` for helpers that make it).
        """
        if span is None:
            span = Span(self.path or (self.config.files[0] if self.config.files else "<input>"),
                        1, 1, 1, 2)
        return Diagnostic(meta.code, severity if severity is not None else meta.severity,
                          message, span, hint, fix=fix)


@dataclass
class ClusterContext:
    """What a cluster rule sees: one context per node, in command-line order."""

    nodes: list[Context] = field(default_factory=list)
    target_version: str = "2.2.7"

    def diag(self, meta: RuleMeta, message: str, span: Span | None, hint: str = "",
             severity: Severity | None = None) -> Diagnostic:
        if span is None:
            first = self.nodes[0].config.files[0] if self.nodes and self.nodes[0].config.files \
                else "<cluster>"
            span = Span(first, 1, 1, 1, 2)
        return Diagnostic(meta.code, severity if severity is not None else meta.severity,
                          message, span, hint)


CheckFn = Callable[[Context], Iterable[Diagnostic]]
ClusterCheckFn = Callable[[ClusterContext], Iterable[Diagnostic]]

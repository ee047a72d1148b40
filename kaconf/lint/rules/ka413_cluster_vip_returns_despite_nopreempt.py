"""KA413: the simulated VIP moves back to a returning node that has nopreempt.

Found by simulating the cluster (kaconf simulate --what-if): the checks run in the
daemon (``kaconfd.simulate.cluster_checks``), plugged in through the
``kaconf.cluster_checks`` entry point (see :mod:`kaconf.lint.helpers.simulation`).
"""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import simulation
from kaconf.lint.rule import ClusterContext, RuleMeta

META = RuleMeta(
    code="KA413",
    name="cluster-vip-returns-despite-nopreempt",
    severity=Severity.WARNING,
    summary="the simulated VIP moves back to a returning node that has nopreempt",
    rationale=(
        "nopreempt is meant to keep the VIP where it is when a node comes back (the seed "
        "document's test: restart serverA, the VIP stays on serverB). kaconf simulates "
        "each node stopping, crashing and returning with kaconfd's VRRP state machine; "
        "when the VIP moves back to a node whose instance says nopreempt, the option has "
        "no effect: keepalived clears it with 'state MASTER' (\"nopreempt will not work "
        "with initial state MASTER\") and for an address owner. The notes show the "
        "simulated timeline."
    ),
    bad=(
        'vrrp_instance VI_1 {\n'
        '    state MASTER\n'
        '    interface eth0\n'
        '    virtual_router_id 51\n'
        '    priority 150\n'
        '    nopreempt\n'
        '    virtual_ipaddress {\n'
        '        10.0.0.10/24\n'
        '    }\n'
        '}\n'
        '---\n'
        'vrrp_instance VI_1 {\n'
        '    state BACKUP\n'
        '    interface eth0\n'
        '    virtual_router_id 51\n'
        '    priority 100\n'
        '    virtual_ipaddress {\n'
        '        10.0.0.10/24\n'
        '    }\n'
        '}\n'
    ),
    good=(
        'vrrp_instance VI_1 {\n'
        '    state BACKUP\n'
        '    interface eth0\n'
        '    virtual_router_id 51\n'
        '    priority 150\n'
        '    nopreempt\n'
        '    virtual_ipaddress {\n'
        '        10.0.0.10/24\n'
        '    }\n'
        '}\n'
        '---\n'
        'vrrp_instance VI_1 {\n'
        '    state BACKUP\n'
        '    interface eth0\n'
        '    virtual_router_id 51\n'
        '    priority 100\n'
        '    virtual_ipaddress {\n'
        '        10.0.0.10/24\n'
        '    }\n'
        '}\n'
    ),
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    yield from simulation.diagnostics(cctx, META)

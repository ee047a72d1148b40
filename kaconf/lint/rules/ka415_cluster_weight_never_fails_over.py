"""KA415: a simulated tracked failure lowers the master's priority without moving the VIP.

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
    code="KA415",
    name="cluster-weight-never-fails-over",
    severity=Severity.WARNING,
    summary="a simulated tracked failure lowers the master's priority without moving the VIP",
    rationale=(
        "A weight on a tracked interface or script is meant to hand the VIP over when the"
        " object fails; if the lowered priority still outranks every other node, the "
        "master keeps the VIP with the failure. kaconf simulates each tracked interface "
        "going down and each tracked script failing on every node; this reports the cases"
        " where the priority dropped and the VIP stayed. (Negative track_script weights "
        "are checked without simulation by KA412.) The notes show the simulated timeline."
    ),
    bad=(
        'vrrp_instance VI_1 {\n'
        '    state BACKUP\n'
        '    interface eth0\n'
        '    virtual_router_id 51\n'
        '    priority 150\n'
        '    track_interface {\n'
        '        eth1 weight -10\n'
        '    }\n'
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
        '    track_interface {\n'
        '        eth1 weight -60\n'
        '    }\n'
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

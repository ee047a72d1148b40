"""KA414: the simulated crash of a node leaves a VIP without holder for longer than master-down.

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
    code="KA414",
    name="cluster-crash-leaves-no-holder",
    severity=Severity.WARNING,
    summary="the simulated crash of a node leaves a VIP without holder for longer than master-down",
    rationale=(
        "When a master crashes, a backup takes over once its master-down interval (3 "
        "advert intervals plus the skew time) has passed without adverts. kaconf "
        "simulates every node crashing; when a VIP that other nodes configure stays "
        "without holder longer, something holds them back: typically a vrrp_sync_group "
        "whose other member still hears its own master (keepalived moves a group to "
        "MASTER only when every member wants it), so the VIP stays down until the crashed"
        " node returns. The notes show the simulated timeline."
    ),
    bad=(
        'vrrp_instance VI_1 {\n'
        '    state BACKUP\n'
        '    interface eth0\n'
        '    virtual_router_id 1\n'
        '    priority 150\n'
        '    virtual_ipaddress {\n'
        '        10.0.0.1/24\n'
        '    }\n'
        '}\n'
        '---\n'
        'vrrp_instance VI_1 {\n'
        '    state BACKUP\n'
        '    interface eth0\n'
        '    virtual_router_id 1\n'
        '    priority 100\n'
        '    virtual_ipaddress {\n'
        '        10.0.0.1/24\n'
        '    }\n'
        '}\n'
        'vrrp_instance VI_2 {\n'
        '    state BACKUP\n'
        '    interface eth1\n'
        '    virtual_router_id 2\n'
        '    priority 50\n'
        '    virtual_ipaddress {\n'
        '        10.0.1.1/24\n'
        '    }\n'
        '}\n'
        'vrrp_sync_group G {\n'
        '    group {\n'
        '        VI_1\n'
        '        VI_2\n'
        '    }\n'
        '}\n'
        '---\n'
        'vrrp_instance VI_2 {\n'
        '    state BACKUP\n'
        '    interface eth1\n'
        '    virtual_router_id 2\n'
        '    priority 100\n'
        '    virtual_ipaddress {\n'
        '        10.0.1.1/24\n'
        '    }\n'
        '}\n'
    ),
    good=(
        'vrrp_instance VI_1 {\n'
        '    state BACKUP\n'
        '    interface eth0\n'
        '    virtual_router_id 1\n'
        '    priority 150\n'
        '    virtual_ipaddress {\n'
        '        10.0.0.1/24\n'
        '    }\n'
        '}\n'
        '---\n'
        'vrrp_instance VI_1 {\n'
        '    state BACKUP\n'
        '    interface eth0\n'
        '    virtual_router_id 1\n'
        '    priority 100\n'
        '    virtual_ipaddress {\n'
        '        10.0.0.1/24\n'
        '    }\n'
        '}\n'
        'vrrp_instance VI_2 {\n'
        '    state BACKUP\n'
        '    interface eth1\n'
        '    virtual_router_id 2\n'
        '    priority 50\n'
        '    virtual_ipaddress {\n'
        '        10.0.1.1/24\n'
        '    }\n'
        '}\n'
        '---\n'
        'vrrp_instance VI_2 {\n'
        '    state BACKUP\n'
        '    interface eth1\n'
        '    virtual_router_id 2\n'
        '    priority 100\n'
        '    virtual_ipaddress {\n'
        '        10.0.1.1/24\n'
        '    }\n'
        '}\n'
    ),
    scope="cluster",
)


def check(cctx: ClusterContext) -> Iterable[Diagnostic]:
    yield from simulation.diagnostics(cctx, META)

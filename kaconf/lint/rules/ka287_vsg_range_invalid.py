"""KA287: address ranges in virtual_server_group that end before they start."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import lvs
from kaconf.lint.rule import Context, RuleMeta

META = RuleMeta(
    code="KA287",
    name="virtual-server-group-range-invalid",
    severity=Severity.ERROR,
    summary="virtual_server_group range whose end is not above its start",
    rationale="A range 'A.B.C.D-E' runs from D to E in the last part of the address; keepalived "
              "skips a range with E <= D (\"Address range end is not greater than address "
              "range start\").",
    bad="virtual_server_group G1 {\n    10.0.0.10-5 80\n    10.0.0.20 80\n}\n",
    good="virtual_server_group G1 {\n    10.0.0.10-15 80\n    10.0.0.20 80\n}\n",
    keepalived_check=("vsg-range",),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    for name, vsg in ctx.config.virtual_server_groups.items():
        for e in vsg.entries:
            if not lvs.vsg_entry_valid(e):
                yield ctx.diag(META, f"virtual server group {name}: range {e.text.split()[0]} "
                               "does not end above its start - keepalived skips it", e.span,
                               "write START-END with END greater than the last part of START")

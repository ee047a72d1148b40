"""KA229: settings that strict mode resets."""

from __future__ import annotations

from collections.abc import Iterable

from kaconf.diagnostics import Diagnostic, Severity
from kaconf.lint.helpers import semantics, tree
from kaconf.lint.rule import Context, RuleMeta
from kaconf.model.objects import VrrpInstance

META = RuleMeta(
    code="KA229",
    name="strict-mode-conflict",
    severity=Severity.ERROR,
    summary="setting that vrrp_strict / strict_mode does not allow",
    rationale="Strict mode enforces RFC 5798 and resets what the RFC forbids, each with a "
              "message that fails `keepalived -t`: preempt_delay, garp_lower_prio_*, "
              "lower_prio_no_advert off, higher_prio_send_advert on, a non-default "
              "down_timer_adverts, accept mode with VRRPv2 on a non-owner, IPv6 with version 2.",
    bad="global_defs {\n    vrrp_strict\n}\nvrrp_instance VI_1 {\n    state BACKUP\n"
        "    interface eth0\n    virtual_router_id 51\n    priority 100\n"
        "    preempt_delay 10\n    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    good="global_defs {\n    vrrp_strict\n}\nvrrp_instance VI_1 {\n    state BACKUP\n"
         "    interface eth0\n    virtual_router_id 51\n    priority 100\n"
         "    virtual_ipaddress {\n        10.0.0.10/24\n    }\n}\n",
    keepalived_check=("strict-garp", "v6-v2-strict", "vmac-strict-mac"),
)


def check(ctx: Context) -> Iterable[Diagnostic]:
    cfg = ctx.config
    for inst in cfg.vrrp_instances:
        if not ctx.resolved(inst).strict:
            continue
        def d(kw: str, msg: str, inst: VrrpInstance = inst) -> Diagnostic:
            return ctx.diag(META, f"({inst.name}) {msg}", tree.setting_span(inst, kw),
                            f"remove '{kw}' (strict mode)")

        if ctx.resolved(inst).family == 6 and inst.version == 2:
            yield d("version", "cannot use IPv6 with VRRP version 2 - keepalived uses version 3")
        if (inst.preempt_delay and not semantics.starts_master(ctx, inst)
                and not semantics.is_owner(ctx, inst)):
            yield d("preempt_delay", "preempt_delay is incompatible with strict mode - keepalived "
                    "resets it")
        if inst.down_timer_adverts is not None and inst.down_timer_adverts != 3:
            yield d("down_timer_adverts", "down_timer_adverts is incompatible with strict mode - "
                    "keepalived resets it")
        if (inst.given("accept") and not semantics.is_owner(ctx, inst)
                and ctx.resolved(inst).version == 2):
            yield d("accept", "accept mode for VRRP version 2 does not comply with RFC3768 - "
                    "keepalived resets it")
        if inst.garp_lower_prio_repeat:
            yield d("garp_lower_prio_repeat", "strict mode requires no repeat garps - keepalived "
                    "resets it")
        if inst.garp_lower_prio_delay:
            yield d("garp_lower_prio_delay", "strict mode requires no repeat garp delay - "
                    "keepalived resets it")
        if inst.given("lower_prio_no_advert") and inst.get("lower_prio_no_advert") is False:
            yield d("lower_prio_no_advert", "strict mode requires no lower priority advert - "
                    "keepalived resets it")
        if inst.given("higher_prio_send_advert") and inst.get("higher_prio_send_advert"):
            yield d("higher_prio_send_advert", "strict mode requires higher_prio_send_advert to "
                    "be clear - keepalived resets it")

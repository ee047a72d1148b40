"""Small keepalived configs that several test files build the same way.

Each builder returns the text byte for byte as the tests wrote it before they shared it, so
positions in findings and logs did not move.
"""

from __future__ import annotations

import textwrap

_VRRP = """global_defs {{
    router_id {router}
{globals}}}
{blocks}vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 90
    priority {prio}
    advert_int 1
{extra}    virtual_ipaddress {{
        {vip}
    }}
}}
"""


def vrrp_conf(router: str, prio: int, vip: str, *, globals_: str = "", blocks: str = "",
              extra: str = "") -> str:
    """One node of the namespace pairs: VI_1 (BACKUP, eth0, VRID 90, advert_int 1) with ``vip``.

    ``globals_`` is added to global_defs after router_id, ``blocks`` stands before the
    instance (vrrp_script, ...), ``extra`` inside it before virtual_ipaddress; each is whole
    lines with their newline.
    """
    return _VRRP.format(router=router, prio=prio, vip=vip, globals=globals_, blocks=blocks,
                        extra=extra)


def real_server_conf(checkers: str, *, service: str = "") -> str:
    """virtual_server 192.0.2.1 80 (TCP) whose one real_server 192.0.2.10 80 has ``checkers``.

    ``checkers`` (checker blocks, dedented here) go inside the real_server; ``service`` lines
    (e.g. ``"delay_loop 7\\n"``) go into the virtual_server before it.
    """
    return ("\nvirtual_server 192.0.2.1 80 {\n  protocol TCP\n" + textwrap.indent(service, "  ")
            + "  real_server 192.0.2.10 80 {\n"
            + textwrap.indent(textwrap.dedent(checkers), "    ") + "\n  }\n}\n")

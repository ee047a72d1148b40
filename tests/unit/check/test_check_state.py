"""The sans-I/O checker pool (kaconfd.check.state): results in, actions and tables out.

Timelines are keepalived 2.2.7's (check_api.c, ipwrapper.c); each test names the rule.
"""

from __future__ import annotations

from kaconfd.check.probes import CheckResult
from kaconfd.check.spec import (
    CheckerSpec,
    ConnOpts,
    FileParams,
    MiscParams,
    RealServerSpec,
    ServiceAddr,
    SorryServerSpec,
    VirtualServerSpec,
)
from kaconfd.check.state import Log, Notify, Pool
from kaconfd.command import Command

UP = CheckResult(True, "ok")
DOWN = CheckResult(False, "refused")
SVC = ServiceAddr(4, "TCP", "192.0.2.1", 80)


def checker(rs: str = "192.0.2.10", *, retry: int = 1, alpha: bool = False,
            params=None, kind: str = "TCP_CHECK") -> CheckerSpec:
    return CheckerSpec(name=f"{kind} {rs}", kind=kind, conn=ConnOpts(rs, 80, 1.0),
                       delay_loop=10.0, retry=retry, delay_before_retry=2.0, warmup=0.0,
                       alpha=alpha, params=params)


def rserver(addr: str, *checkers: CheckerSpec, weight: int = 1, inhibit: bool = False,
            alpha: bool = False) -> RealServerSpec:
    return RealServerSpec(addr, 80, weight, inhibit, alpha, notify_up=Command(("up", addr)),
                          notify_down=Command(("down", addr)), checkers=list(checkers))


def vserver(*rss: RealServerSpec, quorum: int = 1, hysteresis: int = 0, sorry=None,
            omega: bool = False) -> VirtualServerSpec:
    return VirtualServerSpec("192.0.2.1:80", [SVC], quorum=quorum, hysteresis=hysteresis,
                             quorum_up=Command(("qup",)), quorum_down=Command(("qdown",)),
                             omega=omega,
                             sorry=sorry, real_servers=list(rss))


def notifies(actions) -> list[tuple[str, ...]]:
    return [a.command.argv for a in actions if isinstance(a, Notify)]


def weights(pool: Pool) -> dict[str, int]:
    table = pool.desired_all()
    return {d.address: d.weight for d in table[SVC].dests.values()} if SVC in table else {}


def test_start_without_alpha_all_alive_and_quorum_up_runs_once() -> None:
    pool = Pool([vserver(rserver("192.0.2.10", checker()), rserver("192.0.2.11", checker()))])
    actions = pool.start()
    assert notifies(actions) == [("qup",)]  # "Starting with quorum up"
    assert weights(pool) == {"192.0.2.10": 1, "192.0.2.11": 1}
    cs = pool.checkers[0]
    # first success: nothing new
    assert pool.result(cs, UP) == (10.0, [])


def test_first_failure_is_enough_then_retries_after_a_success() -> None:
    pool = Pool([vserver(rserver("192.0.2.10", checker(retry=2)), quorum=1)])
    pool.start()
    cs = pool.checkers[0]
    delay, actions = pool.result(cs, DOWN)  # start-up: retry_it starts at retry
    assert delay == 10.0
    assert notifies(actions) == [("down", "192.0.2.10"), ("qdown",)]
    assert weights(pool) == {}
    delay, actions = pool.result(cs, UP)
    assert delay == 10.0 and notifies(actions) == [("up", "192.0.2.10"), ("qup",)]
    # now up: two retries, delay_before_retry apart, before it is declared down
    assert pool.result(cs, DOWN)[0] == 2.0
    assert pool.result(cs, DOWN)[0] == 2.0
    delay, actions = pool.result(cs, DOWN)
    assert delay == 10.0
    assert notifies(actions) == [("down", "192.0.2.10"), ("qdown",)]
    assert any(isinstance(a, Log) and "after 2 retries" in a.text for a in actions)
    # down: re-checked every delay_loop, nothing more is announced
    assert pool.result(cs, DOWN) == (10.0, [])


def test_a_success_between_failures_resets_the_retry_count() -> None:
    pool = Pool([vserver(rserver("192.0.2.10", checker(retry=1)))])
    pool.start()
    cs = pool.checkers[0]
    assert pool.result(cs, UP) == (10.0, [])
    assert pool.result(cs, DOWN)[0] == 2.0
    assert pool.result(cs, UP) == (10.0, [])
    assert pool.result(cs, DOWN)[0] == 2.0
    assert pool.checkers[0].rs.alive


def test_alpha_starts_down_and_announces_once() -> None:
    rs = rserver("192.0.2.10", checker(alpha=True), checker(alpha=True), alpha=True)
    pool = Pool([vserver(rs)])
    actions = pool.start()
    assert notifies(actions) == []  # quorum never reached, no sorry server: nothing
    assert weights(pool) == {}
    a, b = pool.checkers
    # first failing check confirms the down state: notify_down once per real server
    assert notifies(pool.result(a, DOWN)[1]) == [("down", "192.0.2.10")]
    assert notifies(pool.result(b, DOWN)[1]) == []
    assert notifies(pool.result(a, UP)[1]) == []  # b still down
    assert notifies(pool.result(b, UP)[1]) == [("up", "192.0.2.10"), ("qup",)]
    assert weights(pool) == {"192.0.2.10": 1}


def test_several_checkers_real_server_dies_with_the_first_and_lives_with_the_last() -> None:
    pool = Pool([vserver(rserver("192.0.2.10", checker(retry=0), checker(retry=0)))])
    pool.start()
    a, b = pool.checkers
    assert notifies(pool.result(a, DOWN)[1]) == [("down", "192.0.2.10"), ("qdown",)]
    assert notifies(pool.result(b, DOWN)[1]) == []
    assert notifies(pool.result(a, UP)[1]) == []
    assert notifies(pool.result(b, UP)[1]) == [("up", "192.0.2.10"), ("qup",)]


def test_quorum_hysteresis_fires_once_per_transition() -> None:
    rss = [rserver(f"192.0.2.{10 + i}", checker(f"192.0.2.{10 + i}", retry=0))
           for i in range(4)]
    pool = Pool([vserver(*rss, quorum=3, hysteresis=1)])
    assert notifies(pool.start()) == [("qup",)]  # 4 >= 3 + 1
    c = pool.checkers
    assert notifies(pool.result(c[0], DOWN)[1]) == [("down", "192.0.2.10")]  # 3 >= 2
    assert notifies(pool.result(c[1], DOWN)[1]) == [("down", "192.0.2.11")]  # 2 >= 2
    assert notifies(pool.result(c[2], DOWN)[1]) == [("down", "192.0.2.12"), ("qdown",)]
    assert notifies(pool.result(c[2], UP)[1]) == [("up", "192.0.2.12")]  # 2 < 4
    assert notifies(pool.result(c[1], UP)[1]) == [("up", "192.0.2.11")]  # 3 < 4
    assert notifies(pool.result(c[0], UP)[1]) == [("up", "192.0.2.10"), ("qup",)]


def test_start_with_quorum_down_and_sorry_server() -> None:
    sorry = SorryServerSpec("192.0.2.99", 80, "NAT")
    rs = rserver("192.0.2.10", checker(alpha=True), alpha=True)
    pool = Pool([vserver(rs, sorry=sorry)])
    assert notifies(pool.start()) == [("qdown",)]  # "Starting with quorum down"
    assert weights(pool) == {"192.0.2.99": 1}
    assert notifies(pool.result(pool.checkers[0], UP)[1]) == [("up", "192.0.2.10"), ("qup",)]
    assert weights(pool) == {"192.0.2.10": 1}


def test_sorry_server_replaces_inhibited_servers_with_weight_zero() -> None:
    sorry = SorryServerSpec("192.0.2.99", 80, "NAT", inhibit=True)
    rss = [rserver("192.0.2.10", checker("192.0.2.10", retry=0), weight=2, inhibit=True),
           rserver("192.0.2.11", checker("192.0.2.11", retry=0), weight=2)]
    pool = Pool([vserver(*rss, quorum=4, sorry=sorry)])
    pool.start()
    assert weights(pool) == {"192.0.2.10": 2, "192.0.2.11": 2, "192.0.2.99": 0}
    pool.result(pool.checkers[1], DOWN)
    # quorum lost: alive inhibited server kept at weight 0, sorry server in
    assert weights(pool) == {"192.0.2.10": 0, "192.0.2.99": 1}
    pool.result(pool.checkers[1], UP)
    assert weights(pool) == {"192.0.2.10": 2, "192.0.2.11": 2, "192.0.2.99": 0}


def test_inhibit_on_failure_keeps_dead_server_at_weight_zero() -> None:
    pool = Pool([vserver(rserver("192.0.2.10", checker(retry=0), weight=3, inhibit=True))])
    pool.start()
    assert weights(pool) == {"192.0.2.10": 3}
    pool.result(pool.checkers[0], DOWN)
    assert weights(pool) == {"192.0.2.10": 0}


def test_misc_dynamic_weight_and_quorum() -> None:
    misc = MiscParams(("x",), 1.0, dynamic=True)
    pool = Pool([vserver(rserver("192.0.2.10", checker(params=misc, kind="MISC_CHECK",
                                                       retry=0), weight=5), quorum=3)])
    assert notifies(pool.start()) == [("qup",)]
    cs = pool.checkers[0]
    _, actions = pool.result(cs, CheckResult(True, "w", weight=1))  # exit 3
    assert weights(pool) == {"192.0.2.10": 1}
    assert notifies(actions) == [("qdown",)]
    assert any(isinstance(a, Log) and "Changing weight from 5 to 1" in a.text
               for a in actions)
    _, actions = pool.result(cs, CheckResult(True, "ok"))  # exit 0: configured weight
    assert weights(pool) == {"192.0.2.10": 5} and notifies(actions) == [("qup",)]
    _, actions = pool.result(cs, DOWN)  # exit 1
    assert weights(pool) == {}


def test_file_check_initial_reading_weight_offset_and_fault() -> None:
    fp = FileParams("/f", 2, False)
    pool = Pool([vserver(rserver("192.0.2.10", checker(params=fp, kind="FILE_CHECK",
                                                       retry=0), weight=10))])
    cs = pool.checkers[0]
    pool.start({id(cs): CheckResult(True, "v=3", weight=6)})
    assert weights(pool) == {"192.0.2.10": 16}
    assert pool.result(cs, CheckResult(True, "v=3", weight=6)) == (10.0, [])
    pool.result(cs, CheckResult(True, "v=-1", weight=-2))
    assert weights(pool) == {"192.0.2.10": 8}
    _, actions = pool.result(cs, CheckResult(False, "fault", weight=0))
    assert notifies(actions) == [("down", "192.0.2.10"), ("qdown",)]
    _, actions = pool.result(cs, CheckResult(True, "v=0", weight=0))
    assert notifies(actions) == [("up", "192.0.2.10"), ("qup",)]
    assert weights(pool) == {"192.0.2.10": 10}


def test_file_check_faulty_at_start() -> None:
    fp = FileParams("/f", 0, False)
    pool = Pool([vserver(rserver("192.0.2.10", checker(params=fp, kind="FILE_CHECK",
                                                       retry=0)))])
    cs = pool.checkers[0]
    pool.start({id(cs): CheckResult(False, "fault", weight=0)})
    assert weights(pool) == {}
    # same reading again: no announcement (the file did not change)
    assert notifies(pool.result(cs, CheckResult(False, "fault", weight=0))[1]) == []


def test_real_server_without_checkers_is_always_alive() -> None:
    pool = Pool([vserver(rserver("192.0.2.10"))])
    assert notifies(pool.start()) == [("qup",)]
    assert weights(pool) == {"192.0.2.10": 1}


def test_omega_notifies_on_stop_and_table_empties() -> None:
    pool = Pool([vserver(rserver("192.0.2.10", checker()), omega=True)])
    pool.start()
    actions = pool.stop()
    assert notifies(actions) == [("down", "192.0.2.10"), ("qdown",)]
    assert pool.desired_all() == {}


def test_no_omega_no_notifies_on_stop() -> None:
    pool = Pool([vserver(rserver("192.0.2.10", checker()))])
    pool.start()
    assert notifies(pool.stop()) == []


def test_dirty_tracks_only_changed_virtual_servers() -> None:
    a = vserver(rserver("192.0.2.10", checker(retry=0)))
    b = VirtualServerSpec("192.0.2.2:80", [ServiceAddr(4, "TCP", "192.0.2.2", 80)],
                          real_servers=[rserver("192.0.2.20", checker("192.0.2.20"))])
    pool = Pool([a, b])
    pool.start()
    assert len(pool.take_dirty()) == 2
    pool.result(pool.checkers[1], UP)
    assert pool.take_dirty() == []
    pool.result(pool.checkers[0], DOWN)
    assert [vs.spec.label for vs in pool.take_dirty()] == ["192.0.2.1:80"]


def test_adopt_carries_state_over_a_reload() -> None:
    old = Pool([vserver(rserver("192.0.2.10", checker(retry=0)),
                        rserver("192.0.2.11", checker("192.0.2.11", retry=0)), quorum=2)])
    old.start()
    old.result(old.checkers[0], DOWN)  # .10 dead, quorum lost
    assert not old.virtual_servers[0].quorum_up
    # new config: same VS, .10 kept, .11 gone, .12 new
    new = Pool([vserver(rserver("192.0.2.10", checker(retry=0)),
                        rserver("192.0.2.12", checker("192.0.2.12", retry=0)), quorum=2)])
    new.adopt(old)
    actions = new.start()
    vs = new.virtual_servers[0]
    assert [rs.alive for rs in vs.real_servers] == [False, True]  # .10 stays dead
    assert notifies(actions) == []  # nothing is re-announced
    assert not vs.quorum_up
    assert weights(new) == {"192.0.2.12": 1}
    # the adopted checker recovers normally: one notify, quorum regained once
    assert notifies(new.result(new.checkers[0], UP)[1]) == [("up", "192.0.2.10"), ("qup",)]


def test_the_pool_is_pure() -> None:
    """Importing the pool (with every checker kind) loads no asyncio, ssl or socket."""
    import subprocess
    import sys

    code = ("import sys\nimport kaconfd.check.state\nfrom kaconf.checkers import registry\n"
            "registry.all_kinds()\n"
            "print(' '.join(m for m in ('asyncio', 'ssl', 'socket') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == []


def test_smtp_alert_mails_each_checker_transition() -> None:
    from kaconfd.alerts import SmtpSettings, checker_mail
    from kaconfd.check.state import Mail

    rs = rserver("192.0.2.10", checker(), checker(kind="HTTP_GET"))
    rs.smtp_alert, rs.mail_label = True, "[192.0.2.10]:tcp:80"
    quiet = rserver("192.0.2.11", checker())  # no smtp_alert: no mail
    pool = Pool([vserver(rs, quiet)])
    pool.start()
    tcp, http, other = pool.checkers
    assert [a for a in pool.result(other, DOWN)[1] if isinstance(a, Mail)] == []
    mails = [a for a in pool.result(tcp, DOWN)[1] if isinstance(a, Mail)]
    assert mails == [Mail("TCP_CHECK", False, "[192.0.2.10]:tcp:80", "192.0.2.1:80",
                          False, True)]
    # the second checker failing too: the server was already down
    mails = [a for a in pool.result(http, DOWN)[1] if isinstance(a, Mail)]
    assert mails == [Mail("HTTP_GET", False, "[192.0.2.10]:tcp:80", "192.0.2.1:80",
                          False, False)]
    s = SmtpSettings("127.0.0.1", 25, "h", "f", ("t",), 1.0, "LB")
    assert checker_mail(s, "HTTP_GET", False, "[192.0.2.10]:tcp:80", "192.0.2.1:80",
                        False) == (
        "[LB] Realserver [192.0.2.10]:tcp:80 of virtual server 192.0.2.1:80 - DOWN",
        "=> CHECK failed on service : HTTP request failed <=")
    assert checker_mail(s, "FILE_CHECK", True, "rs", "vs", True) is None


def test_smtp_alert_on_a_virtual_server_mails_quorum_changes() -> None:
    from kaconfd.alerts import SmtpSettings, virtual_server_mail
    from kaconfd.check.state import VsMail

    vs = vserver(rserver("192.0.2.10", checker()))
    vs.smtp_alert, vs.mail_label = True, "[192.0.2.1]:tcp:80"
    pool = Pool([vs])
    start = [a for a in pool.start() if isinstance(a, VsMail)]
    assert start == [VsMail("[192.0.2.1]:tcp:80", True,
                            "=> Starting with quorum up 1+0=1 <= 1 <=")]
    lost = [a for a in pool.result(pool.checkers[0], DOWN)[1] if isinstance(a, VsMail)]
    assert lost == [VsMail("[192.0.2.1]:tcp:80", False, "=> Lost quorum 1+0=1 <= 0 <=")]
    s = SmtpSettings("127.0.0.1", 25, "h", "f", ("t",), 1.0, "LB")
    assert virtual_server_mail(s, lost[0].vs, False, lost[0].body) == (
        "[LB] Virtualserver [192.0.2.1]:tcp:80 - DOWN", "=> Lost quorum 1+0=1 <= 0 <=")

"""kaconfd.vrrp.events.describe: why a state changed, as kaconf status shows it."""

from __future__ import annotations

import ipaddress

from kaconfd.vrrp.events import (
    MASTER_DOWN_TIMER,
    AdvertReceived,
    Shutdown,
    Startup,
    SyncFault,
    TimerFired,
    TrackUpdate,
    describe,
)


def test_describe() -> None:
    src = ipaddress.ip_address("10.0.0.2")
    assert describe(AdvertReceived(src, 150, 1.0)) == "advert from 10.0.0.2 with priority 150"
    assert describe(TimerFired(MASTER_DOWN_TIMER)) == "master down timer expired"
    assert describe(TrackUpdate("if:eth0", False)) == "if:eth0 down"
    assert describe(TrackUpdate("file:f", value=-254)) == "file:f value -254"
    assert describe(Startup()) == "start-up"
    assert describe(Startup(resume_master=True)) == "resumed as master after child restart"
    assert describe(Shutdown()) == "stopping"
    assert describe(SyncFault()) == "sync group fault"

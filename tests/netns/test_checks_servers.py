"""Every network checker against real servers this test starts on loopback.

For each kind (TCP, HTTP, HTTPS, SMTP, DNS, UDP, ICMP) the scheduler runs on the real clock
with ``delay_loop 0.2``: the checker must see the server up, then down once it is stopped,
then up again once it is restarted, each within ``delay_loop + connect_timeout`` (plus a
little slack for a loaded machine); ``notify_down`` / ``notify_up`` scripts (appending to a
file in tmp_path) must run exactly once per transition.  Every wait has a deadline.

ICMP down/recovery needs an address that can stop answering: the test runs the checker in a
fresh network namespace (``unshare --net``, root only) and takes its ``lo`` down and up.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from kaconfd.check import probes
from kaconfd.check.ipvs_writer import IpvsWriter
from kaconfd.check.scheduler import Scheduler
from kaconfd.check.spec import ConnOpts, DnsParams, HttpParams, SmtpParams, UdpParams, UrlSpec
from kaconfd.check.spec import resolve as resolve_config

import kaconf
from tests.support.aio import run, wait_until

LOG = logging.getLogger("test.checks")
DELAY = 0.2
TIMEOUT = 1.0
#: extra time a transition may take on a loaded machine (scripts, scheduling)
SLACK = 1.0
BOUND = DELAY + TIMEOUT + SLACK
BODY = b"hello from kaconf\n"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- servers --------------------------------------------------------------------------------


class Server:
    """A restartable loopback server on a fixed port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.seen: list[Any] = []

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError


class StreamServer(Server):
    def __init__(self, port: int, handler: Callable[..., Awaitable[None]],
                 ssl_ctx: ssl.SSLContext | None = None) -> None:
        super().__init__(port)
        self.handler = handler
        self.ssl_ctx = ssl_ctx
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            try:
                await asyncio.wait_for(self.handler(self, r, w), 5)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ssl.SSLError):
                pass
            finally:
                w.close()

        self.server = await asyncio.start_server(handle, "127.0.0.1", self.port,
                                                 ssl=self.ssl_ctx, reuse_address=True)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.server.wait_closed(), 2)


class DatagramServer(Server):
    def __init__(self, port: int, answer: Callable[[Server, bytes], bytes | None]) -> None:
        super().__init__(port)
        self.answer = answer
        self.transport: asyncio.DatagramTransport | None = None

    async def start(self) -> None:
        outer = self

        class Proto(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.t = transport

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                reply = outer.answer(outer, data)
                if reply is not None:
                    self.t.sendto(reply, addr)  # type: ignore[attr-defined]

        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_datagram_endpoint(
            Proto, local_addr=("127.0.0.1", self.port))

    async def stop(self) -> None:
        assert self.transport is not None
        self.transport.close()
        await asyncio.sleep(0)


async def tcp_handler(srv: Server, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    srv.seen.append("conn")


async def http_handler(srv: Server, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    head = await r.readuntil(b"\r\n\r\n")
    srv.seen.append(head)
    path = head.split(b" ")[1]
    if path == b"/missing":
        w.write(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    elif path == b"/redirect":
        w.write(b"HTTP/1.0 302 Found\r\nLocation: /\r\n\r\n")
    else:
        w.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                + f"Content-Length: {len(BODY)}\r\n\r\n".encode() + BODY)
    await w.drain()


async def smtp_handler(srv: Server, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    w.write(b"220-smtp.test ESMTP\r\n220 ready\r\n")
    await w.drain()
    while line := await r.readline():
        cmd = line.strip().decode()
        srv.seen.append(cmd)
        if cmd.startswith("HELO "):
            w.write(b"250 smtp.test pleased to meet you\r\n")
        elif cmd == "QUIT":
            w.write(b"221 bye\r\n")
            await w.drain()
            return
        else:
            w.write(b"500 what\r\n")
        await w.drain()


def dns_answer(srv: Server, q: bytes) -> bytes | None:
    if len(q) < 12:
        return None
    qid, _flags = struct.unpack("!HH", q[:4])
    srv.seen.append(q)
    question = q[12:]
    answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 1])
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer


def udp_echo(srv: Server, data: bytes) -> bytes | None:
    srv.seen.append(data)
    return b"\x0a\x0b" + data


# -- TLS ------------------------------------------------------------------------------------


def self_signed(tmp: Path) -> tuple[Path, Path]:
    """A throw-away certificate: with ``cryptography`` if importable, else ``openssl req``."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("neither the cryptography package nor openssl is available")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                        "/CN=kaconf.test", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=60)
        return cert, key
    k = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kaconf.test")])
    now = dt.datetime.now(dt.UTC)
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
         .public_key(k.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(days=1))
         .not_valid_after(now + dt.timedelta(days=1))
         .add_extension(x509.SubjectAlternativeName([x509.DNSName("kaconf.test")]),
                        critical=False)
         .sign(k, hashes.SHA256()))
    cert.write_bytes(c.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(k.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return cert, key


def server_tls(tmp: Path, sni_seen: list[str | None]) -> ssl.SSLContext:
    cert, key = self_signed(tmp)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    def on_sni(sslobj: ssl.SSLObject, name: str | None, c: ssl.SSLContext) -> None:
        sni_seen.append(name)

    ctx.sni_callback = on_sni  # type: ignore[assignment]
    return ctx


# -- the scenario ---------------------------------------------------------------------------


def with_retry0(checker: str) -> str:
    """``retry 0`` inside the checker block (the VS-level keyword must be >= 1)."""
    head, brace, rest = textwrap.dedent(checker).strip("\n").partition("{")
    return f"{head}{brace}\n  retry 0{rest}\n"


def config_for(tmp: Path, port: int, checker: str, proto: str = "TCP") -> kaconf.Config:
    notes = tmp / "notify.log"
    text = textwrap.dedent(f"""
        virtual_server 192.0.2.1 {port} {{
          protocol {proto}
          lb_algo rr
          lb_kind NAT
          delay_loop {DELAY}
          connect_timeout {TIMEOUT}
          real_server 127.0.0.1 {port} {{
            notify_up "/bin/sh -c 'echo up >> {notes}'"
            notify_down "/bin/sh -c 'echo down >> {notes}'"
        """) + textwrap.indent(with_retry0(checker), "    ") + "  }\n}\n"
    loaded = kaconf.load_full(str(tmp / "keepalived.conf"), data=text.encode())
    assert not loaded.errors, loaded.errors
    return loaded.config


async def up_down_up(tmp: Path, server: Server, checker: str, proto: str = "TCP") -> Scheduler:
    """Start, stop and restart ``server``; assert the transitions and their timing."""
    resolved = resolve_config(config_for(tmp, server.port, checker, proto))
    # keepalived logs the script-security warning for these notify scripts too
    assert not [w for w in resolved.warnings if "protocol" not in w
                and not w.startswith("SECURITY VIOLATION")], resolved.warnings
    sched = Scheduler(resolved, log=LOG, writer=IpvsWriter(LOG, use_kernel=False))
    rs = sched.pool.virtual_servers[0].real_servers[0]
    cs = rs.checkers[0]
    await server.start()
    await sched.start()
    try:
        await wait_until(lambda: cs.has_run, DELAY + BOUND, "first check")
        assert rs.alive and cs.is_up, cs.last_reason
        await server.stop()
        took = await wait_until(lambda: not rs.alive, BOUND, "down after stop")
        assert took <= BOUND
        assert "192.0.2.1" in sched.writer.render() and "127.0.0.1" not in sched.writer.render()
        await server.start()
        took = await wait_until(lambda: rs.alive, BOUND, "up after restart")
        assert took <= BOUND, cs.last_reason
        assert f"127.0.0.1:{server.port}" in sched.writer.render()
    finally:
        await sched.stop()
        await server.stop()
    assert (tmp / "notify.log").read_text().split() == ["down", "up"]
    return sched


def test_tcp_check(tmp_path: Path) -> None:
    srv = StreamServer(free_port(), tcp_handler)
    run(up_down_up(tmp_path, srv, "TCP_CHECK {\n}\n"))
    assert srv.seen


def test_http_get_with_digest_and_status_range(tmp_path: Path) -> None:
    srv = StreamServer(free_port(), http_handler)
    digest = hashlib.md5(BODY).hexdigest()
    run(up_down_up(tmp_path, srv, f"""
        HTTP_GET {{
          url {{
            path /health
            digest {digest}
          }}
          url {{
            path /redirect
            status_code 300-399
          }}
          url {{
            path /missing
            status_code 404
            virtualhost www.example
          }}
        }}
    """))
    heads = [h.decode() for h in srv.seen]
    assert f"Host: 127.0.0.1:{srv.port}\r\n" in heads[0]
    assert "User-Agent: KeepAliveClient" in heads[0]
    assert any("GET /missing HTTP/1.0\r\n" in h and "Host: www.example\r\n" in h
               for h in heads)


def test_ssl_get_with_sni(tmp_path: Path) -> None:
    sni: list[str | None] = []
    srv = StreamServer(free_port(), http_handler, server_tls(tmp_path, sni))
    run(up_down_up(tmp_path, srv, """
        SSL_GET {
          enable_sni
          virtualhost kaconf.test
          url {
            path /
          }
        }
    """))
    assert sni and set(sni) == {"kaconf.test"}
    assert all(b"Host: kaconf.test\r\n" in h for h in srv.seen)

    async def without_sni() -> probes.CheckResult:
        await srv.start()
        try:
            return await probes.http_check(ConnOpts("127.0.0.1", srv.port, TIMEOUT),
                                           HttpParams((UrlSpec("/"),), tls=True))
        finally:
            await srv.stop()

    sni.clear()
    res = run(without_sni())
    assert res.up, res.reason
    assert sni == [None]  # enable_sni not set: no server name sent


def test_smtp_check(tmp_path: Path) -> None:
    srv = StreamServer(free_port(), smtp_handler)
    run(up_down_up(tmp_path, srv, "SMTP_CHECK {\n  helo_name checker.test\n}\n"))
    assert srv.seen[:2] == ["HELO checker.test", "QUIT"]


def test_dns_check(tmp_path: Path) -> None:
    srv = DatagramServer(free_port(socket.SOCK_DGRAM), dns_answer)
    run(up_down_up(tmp_path, srv, "DNS_CHECK {\n  type A\n  name www.example\n}\n", "UDP"))
    q = srv.seen[0]
    assert q[12:] == b"\x03www\x07example\x00\x00\x01\x00\x01"


def test_udp_check_with_required_reply(tmp_path: Path) -> None:
    srv = DatagramServer(free_port(socket.SOCK_DGRAM), udp_echo)
    run(up_down_up(tmp_path, srv, """
        UDP_CHECK {
          payload 01 02 03
          require_reply 0a 0b 01
        }
    """, "UDP"))
    assert srv.seen[0] == b"\x01\x02\x03"


# -- single probes: the failure reasons ----------------------------------------------------


def test_http_probe_failure_reasons() -> None:
    async def main() -> None:
        srv = StreamServer(free_port(), http_handler)
        await srv.start()
        conn = ConnOpts("127.0.0.1", srv.port, TIMEOUT)
        try:
            ok = await probes.http_check(conn, HttpParams((UrlSpec("/"),)))
            assert ok.up, ok.reason
            bad = await probes.http_check(conn, HttpParams((UrlSpec("/missing"),)))
            assert not bad.up and "HTTP status code error" in bad.reason
            wrong = await probes.http_check(conn, HttpParams((UrlSpec("/", "0" * 32),)))
            assert not wrong.up and "MD5 digest error" in wrong.reason
            # every url must pass: a failing second url fails the check
            both = await probes.http_check(conn, HttpParams((UrlSpec("/"),
                                                             UrlSpec("/missing"))))
            assert not both.up
        finally:
            await srv.stop()
        gone = await probes.http_check(conn, HttpParams((UrlSpec("/"),)))
        assert not gone.up and "refused" in gone.reason.lower()

    run(main())


def test_smtp_probe_bad_banner() -> None:
    async def bad(srv: Server, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        w.write(b"554 go away\r\n")
        await w.drain()

    async def main() -> None:
        srv = StreamServer(free_port(), bad)
        await srv.start()
        try:
            res = await probes.smtp_check(ConnOpts("127.0.0.1", srv.port, TIMEOUT),
                                          SmtpParams())
        finally:
            await srv.stop()
        assert not res.up and "Bad greeting banner" in res.reason

    run(main())


def test_dns_probe_rcode_and_ignored_replies() -> None:
    def answer(srv: Server, q: bytes) -> bytes | None:
        qid = struct.unpack("!H", q[:2])[0]
        # first a reply with the wrong id (ignored), then SERVFAIL
        srv.seen.append(q)
        return struct.pack("!HHHHHH", qid, 0x8182, 1, 0, 0, 0) + q[12:]

    async def main() -> None:
        srv = DatagramServer(free_port(socket.SOCK_DGRAM), answer)
        await srv.start()
        try:
            res = await probes.dns_check(ConnOpts("127.0.0.1", srv.port, TIMEOUT),
                                         DnsParams())
        finally:
            await srv.stop()
        assert not res.up and "rcode = 2" in res.reason

    run(main())


def test_dns_probe_timeout_and_answer_requirement() -> None:
    def noanswer(srv: Server, q: bytes) -> bytes | None:
        qid = struct.unpack("!H", q[:2])[0]
        return struct.pack("!HHHHHH", qid, 0x8180, 1, 0, 0, 0) + q[12:]

    async def main() -> None:
        srv = DatagramServer(free_port(socket.SOCK_DGRAM), noanswer)
        await srv.start()
        conn = ConnOpts("127.0.0.1", srv.port, 0.3)
        try:
            assert (await probes.dns_check(conn, DnsParams())).up  # keepalived: no ANCOUNT
            res = await probes.dns_check(conn, DnsParams(), require_answer=True)
            assert not res.up and "no answer" in res.reason
        finally:
            await srv.stop()

    async def silent() -> None:
        srv = DatagramServer(free_port(socket.SOCK_DGRAM), lambda s, q: None)
        await srv.start()
        try:
            res = await probes.dns_check(ConnOpts("127.0.0.1", srv.port, 0.3), DnsParams())
        finally:
            await srv.stop()
        assert not res.up and "timeout" in res.reason

    run(main())
    run(silent())


def test_udp_probe_silence_mismatch_and_refusal() -> None:
    async def main() -> None:
        quiet = DatagramServer(free_port(socket.SOCK_DGRAM), lambda s, d: None)
        await quiet.start()
        conn = ConnOpts("127.0.0.1", quiet.port, 0.3)
        try:
            assert (await probes.udp_check(conn, UdpParams())).up  # silence is success
            res = await probes.udp_check(conn, UdpParams(require_reply=True))
            assert not res.up and "no reply" in res.reason
        finally:
            await quiet.stop()
        res = await probes.udp_check(conn, UdpParams())  # port closed: ICMP unreachable
        assert not res.up and "refused" in res.reason.lower()
        echo = DatagramServer(free_port(socket.SOCK_DGRAM), udp_echo)
        await echo.start()
        try:
            c2 = ConnOpts("127.0.0.1", echo.port, 0.3)
            res = await probes.udp_check(c2, UdpParams(b"x", True, b"\x0a\x0c"))
            assert not res.up and "mismatch" in res.reason
            assert (await probes.udp_check(c2, UdpParams(b"x", True, b"\x0a\x0f",
                                                         b"\x00\x0f"))).up
            assert echo.seen[-1] == b"x"
        finally:
            await echo.stop()

    run(main())


def test_tcp_probe_timeout_honours_connect_timeout() -> None:
    async def main() -> None:
        # a listener with a full backlog never completes new handshakes
        with socket.socket() as lsn:
            lsn.bind(("127.0.0.1", 0))
            lsn.listen(0)
            port = lsn.getsockname()[1]
            fillers = []
            try:
                for _ in range(8):
                    s = socket.socket()
                    s.setblocking(False)
                    with contextlib.suppress(BlockingIOError):
                        s.connect(("127.0.0.1", port))
                    fillers.append(s)
                await asyncio.sleep(0.05)
                loop = asyncio.get_running_loop()
                t0 = loop.time()
                res = await probes.tcp_check(ConnOpts("127.0.0.1", port, 0.3))
                took = loop.time() - t0
            finally:
                for s in fillers:
                    s.close()
        assert not res.up and "timeout" in res.reason
        assert 0.25 <= took < 2.0

    run(main())


def test_tcp_probe_bindto_and_connect_ip() -> None:
    async def main() -> None:
        peers: list[str] = []

        async def record(srv: Server, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            peers.append(w.get_extra_info("peername")[0])

        srv = StreamServer(free_port(), record)
        await srv.start()
        try:
            res = await probes.tcp_check(ConnOpts("127.0.0.1", srv.port, TIMEOUT,
                                                  bindto="127.0.0.2"))
            await wait_until(lambda: bool(peers), 2, "server saw the connection")
        finally:
            await srv.stop()
        assert res.up and peers == ["127.0.0.2"]

    run(main())


# -- ICMP -----------------------------------------------------------------------------------


def test_ping_check_loopback_up() -> None:
    res = run(probes.ping_check(ConnOpts("127.0.0.1", 0, TIMEOUT)))
    if not res.up and "not permitted" in res.reason.lower():
        pytest.skip(f"no ICMP socket here: {res.reason}")
    assert res.up, res.reason


_NETNS_SCRIPT = r"""
import asyncio, json, logging, subprocess, sys, textwrap
import kaconf
from kaconfd.check.ipvs_writer import IpvsWriter
from kaconfd.check.scheduler import Scheduler
from kaconfd.check.spec import resolve

mode, notes = sys.argv[1], sys.argv[2]
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
if mode == "dgram":  # allow ping sockets for root in this namespace only
    with open("/proc/sys/net/ipv4/ping_group_range", "w") as f:
        f.write("0 0")
text = textwrap.dedent(f'''
    virtual_server 192.0.2.1 80 {{
      protocol TCP
      delay_loop 0.2
      connect_timeout 0.5
      retry 0
      real_server 127.0.0.1 80 {{
        notify_up "/bin/sh -c 'echo up >> {notes}'"
        notify_down "/bin/sh -c 'echo down >> {notes}'"
        PING_CHECK {{
          retry 0
        }}
      }}
    }}
''')
cfg = kaconf.load_full("ping.conf", data=text.encode()).config
log = logging.getLogger("ping")

async def until(pred, timeout):
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    while not pred():
        if loop.time() - t0 > timeout:
            return None
        await asyncio.sleep(0.01)
    return loop.time() - t0

async def main():
    sched = Scheduler(resolve(cfg), log=log, writer=IpvsWriter(log, use_kernel=False))
    rs = sched.pool.virtual_servers[0].real_servers[0]
    cs = rs.checkers[0]
    await sched.start()
    out = {}
    out["first"] = await until(lambda: cs.has_run and rs.alive, 3)
    subprocess.run(["ip", "link", "set", "lo", "down"], check=True)
    out["down"] = await until(lambda: not rs.alive, 3)
    out["down_reason"] = cs.last_reason
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    out["up"] = await until(lambda: rs.alive, 3)
    await sched.stop()
    from kaconfd.check import probes
    out["kind"] = {1: "stream", 2: "dgram", 3: "raw"}.get(int(probes._icmp_kind.get(2, 0)))
    print(json.dumps(out))

asyncio.run(asyncio.wait_for(main(), 30))
"""


@pytest.mark.netns
@pytest.mark.parametrize("mode", ["raw", "dgram"])
def test_ping_check_down_and_recovery_in_a_namespace(tmp_path: Path, mode: str) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs root, unshare and ip to make a network namespace")
    notes = tmp_path / "notify.log"
    proc = subprocess.run(["unshare", "--net", sys.executable, "-c", _NETNS_SCRIPT, mode,
                           str(notes)], capture_output=True, text=True, timeout=60)
    if proc.returncode and "unshare failed" in proc.stderr:
        pytest.skip(f"cannot create a network namespace: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["kind"] == mode
    bound = 0.2 + 0.5 + SLACK
    assert out["first"] is not None, out
    assert out["down"] is not None and out["down"] <= bound, out
    assert out["up"] is not None and out["up"] <= bound, out
    assert notes.read_text().split() == ["down", "up"]

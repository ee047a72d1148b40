"""The checker-kind registry (kaconf.checkers): discovery, declarations, and import hygiene."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kaconf
from kaconf.checkers import registry
from kaconf.checkers.base import CheckerKind
from kaconf.model.objects import Checker

KEEPALIVED_KINDS = {"TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "SMTP_CHECK", "DNS_CHECK",
                    "UDP_CHECK", "PING_CHECK", "FILE_CHECK", "BFD_CHECK"}


def test_every_keepalived_kind_is_registered() -> None:
    kinds = registry.all_kinds()
    assert {k.keyword for k in kinds} == KEEPALIVED_KINDS
    assert [k.keyword for k in kinds] == sorted(k.keyword for k in kinds)
    for k in kinds:
        assert issubclass(k.model, Checker)
        assert registry.CHECKER_CLASSES[k.keyword] is k.model
        assert registry.get(k.keyword) is k
        # a kind either runs or says why it cannot
        assert (k.probe is None) == (k.unsupported is not None)
    assert registry.get("NO_SUCH_CHECK") is None
    assert registry.CHECKER_CLASSES.get("NO_SUCH_CHECK", Checker) is Checker


def test_keepalived_defaults_are_declared_by_the_kinds() -> None:
    def kind(keyword: str) -> CheckerKind:
        k = registry.get(keyword)
        assert k is not None
        return k

    assert kind("MISC_CHECK").default_retry == 0
    assert kind("DNS_CHECK").default_retry == 3
    assert kind("DNS_CHECK").default_delay_before_retry is None  # its delay_loop
    assert kind("HTTP_GET").default_delay_before_retry == 3.0
    assert kind("SSL_GET").default_delay_before_retry == 3.0 and kind("SSL_GET").tls
    assert kind("TCP_CHECK").default_retry == 1
    assert not kind("FILE_CHECK").scheduled and kind("FILE_CHECK").weight == "offset"
    assert kind("MISC_CHECK").weight == "dynamic" and not kind("MISC_CHECK").connection


def test_the_model_builder_uses_the_kinds_classes() -> None:
    loaded = kaconf.load_full("t.conf", data=textwrap.dedent("""
        virtual_server 192.0.2.1 80 {
          real_server 192.0.2.10 80 {
            HTTP_GET {
              url { path / }
            }
            DNS_CHECK {
              type A
            }
          }
        }
    """).encode())
    checkers = loaded.config.virtual_servers[0].real_server[0].checkers
    assert [type(c) for c in checkers] == [registry.CHECKER_CLASSES["HTTP_GET"],
                                           registry.CHECKER_CLASSES["DNS_CHECK"]]
    assert checkers[1].type == "A"


def test_old_import_locations_still_work() -> None:
    from kaconf.model.objects import CHECKER_CLASSES, HttpGet, TcpCheck  # type: ignore[attr-defined]

    assert TcpCheck is registry.CHECKER_CLASSES["TCP_CHECK"]
    assert HttpGet is registry.CHECKER_CLASSES["HTTP_GET"]
    assert CHECKER_CLASSES is registry.CHECKER_CLASSES


def _package(tmp_path: Path, name: str, modules: dict[str, str]) -> str:
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for mod, text in modules.items():
        (pkg / f"{mod}.py").write_text(textwrap.dedent(text))
    return name


_KIND = """
    from kaconf.checkers.base import CheckerKind
    from kaconf.model.objects import Checker

    class Thing(Checker):
        pass

    KIND = CheckerKind({keyword!r}, Thing, lambda ck, ctx: [], lambda ck, gs: [],
                       unsupported="test")
"""


def test_discovery_finds_a_new_module_and_rejects_broken_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    good = _package(tmp_path, "kinds_ok", {"thing_check": _KIND.format(keyword="THING_CHECK"),
                                           "_helper": "X = 1\n"})
    assert [k.keyword for k in registry.discover(good)] == ["THING_CHECK"]
    missing = _package(tmp_path, "kinds_missing", {"thing_check": "X = 1\n"})
    with pytest.raises(registry.CheckerRegistryError, match="no KIND"):
        registry.discover(missing)
    twice = _package(tmp_path, "kinds_twice", {"a": _KIND.format(keyword="THING_CHECK"),
                                               "b": _KIND.format(keyword="THING_CHECK")})
    with pytest.raises(registry.CheckerRegistryError, match="defined twice"):
        registry.discover(twice)


def _imported_after(code: str) -> list[str]:
    """The I/O modules loaded once ``code`` has run in a fresh interpreter."""
    probe = (code + "\nimport sys\n"
             "print(' '.join(m for m in ('asyncio', 'ssl', 'socket') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env=None)
    return out.stdout.split()


def test_lint_and_dump_never_import_asyncio_or_ssl(tmp_path: Path) -> None:
    conf = tmp_path / "k.conf"
    conf.write_text("virtual_server 192.0.2.1 443 {\n  real_server 192.0.2.10 443 {\n"
                    "    SSL_GET {\n      url {\n        path /\n      }\n    }\n"
                    "    TCP_CHECK {\n    }\n  }\n}\n")
    for cmd in ("lint", "dump"):
        loaded = _imported_after(
            "import contextlib, io\nfrom kaconf.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main([{cmd!r}, {str(conf)!r}])\n"
            "from kaconf.checkers import registry\nregistry.all_kinds()")
        assert "asyncio" not in loaded and "ssl" not in loaded, (cmd, loaded)


@pytest.mark.parametrize("keyword", sorted(KEEPALIVED_KINDS))
def test_every_kind_builds_and_dumps_an_empty_block(keyword: str) -> None:
    """A new kind gets this for free: its builder and dump printer run on a bare block."""
    from kaconfd.check.spec import resolve

    from kaconf.dump.text import dump_lines
    from kaconf.effective.host import Host

    loaded = kaconf.load_full("t.conf", data=textwrap.dedent(f"""
        virtual_server 192.0.2.1 80 {{
          protocol TCP
          real_server 192.0.2.10 80 {{
            {keyword} {{
            }}
          }}
        }}
    """).encode())
    res = resolve(loaded.config)
    specs = res.virtual_servers[0].real_servers[0].checkers
    assert all(s.kind == keyword for s in specs)
    assert specs or res.warnings  # a kind that cannot use a bare block says why
    lines = dump_lines(loaded.config, Host.static(hostname="vm", interfaces=[], scripts={}))
    method = [x for x in lines if x.startswith("   Keepalive method = ")]
    assert method in ([], [f"   Keepalive method = {keyword}"]) or \
        method[0].startswith(f"   Keepalive method = {keyword},")

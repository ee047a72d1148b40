"""keepalived's script user and permission rules, on a fake file table (no real files).

The rules replayed: a script must be executable by its uid:gid; a script that
runs with root's uid or gid must not be changeable by a non-root user (the file
and every directory on its path, sticky directories excepted); under
``enable_script_security`` an unsafe script is disabled, without it keepalived
only warns.
"""

from __future__ import annotations

import stat

from kaconf import resolve
from kaconf.effective.host import Host, Interface
from kaconf.effective.scriptsec import (
    SC_INHIBIT,
    SC_INSECURE,
    SC_NOTFOUND,
    FileStat,
    check_script,
    is_executable,
    path_prefixes,
    unsafe,
)
from kaconf.loader import load

D = stat.S_IFDIR
F = stat.S_IFREG
L = stat.S_IFLNK
USER = (990, 990)

BASE = {
    "/": FileStat(D | 0o755),
    "/usr": FileStat(D | 0o755),
    "/usr/bin": FileStat(D | 0o755),
    "/usr/bin/true": FileStat(F | 0o755),
    "/bin": FileStat(L | 0o777, link="usr/bin"),
    "/tmp": FileStat(D | stat.S_ISVTX | 0o777),
    "/tmp/s.sh": FileStat(F | 0o755),
    "/srv": FileStat(D | 0o755),
    "/srv/open": FileStat(D | 0o777),
    "/srv/open/s.sh": FileStat(F | 0o755),
    "/srv/user": FileStat(D | 0o755, uid=990, gid=990),
    "/srv/user/s.sh": FileStat(F | 0o755),
    "/srv/grp": FileStat(D | 0o775, gid=990),
    "/srv/grp/s.sh": FileStat(F | 0o755),
    "/srv/ok": FileStat(D | 0o755),
    "/srv/ok/s.sh": FileStat(F | 0o755),
    "/srv/ok/w.sh": FileStat(F | 0o757),
    "/srv/ok/owner.sh": FileStat(F | 0o700),
    "/srv/ok/link.sh": FileStat(L | 0o777, link="/srv/open/s.sh"),
    "/root": FileStat(D | 0o700),
    "/root/s.sh": FileStat(F | 0o755),
}


class Facts:
    """The fake file table as the checks see it (the same code a static Host uses)."""

    def __init__(self) -> None:
        self.host = Host.static(hostname="h", interfaces=[], stats=BASE)

    def lstat(self, path: str) -> FileStat | None:
        return self.host.lstat(path)

    def stat(self, path: str) -> FileStat | None:
        return self.host.stat(path)

    def realpath(self, path: str) -> str | None:
        return self.host.realpath(path)


def test_prefixes_in_keepalived_order() -> None:
    assert path_prefixes("/a/b/c") == ["/", "/a", "/a/b", "/a/b/c"]


def test_fake_host_follows_links() -> None:
    h = Facts()
    assert h.realpath("/bin/true") == "/usr/bin/true"
    assert h.stat("/bin/true") == BASE["/usr/bin/true"]
    assert h.lstat("/bin") == BASE["/bin"]
    assert h.realpath("/nope/x") is None


def test_unsafe_components() -> None:
    assert not unsafe(FileStat(D | 0o755))
    assert unsafe(FileStat(D | 0o755, uid=1))
    assert unsafe(FileStat(D | 0o777))
    assert not unsafe(FileStat(D | stat.S_ISVTX | 0o777))  # sticky /tmp is fine
    assert unsafe(FileStat(F | 0o775, gid=5))
    assert not unsafe(FileStat(F | 0o775))  # group root may write
    assert not unsafe(FileStat(L | 0o777))  # a root symlink's mode does not count


def test_executable_by_user() -> None:
    f = FileStat(F | 0o750, uid=0, gid=990)
    assert is_executable(f, 0, 0)
    assert is_executable(f, 990, 990)  # by group
    assert not is_executable(f, 991, 991)
    assert not is_executable(FileStat(F | 0o057, uid=990), 990, 990)  # owner bits only


def test_root_script_in_safe_dirs_runs() -> None:
    v = check_script("/usr/bin/true", 0, 0, True, Facts())
    assert v.runnable and not v.messages


def test_root_script_in_writable_dir_is_disabled_under_security() -> None:
    v = check_script("/srv/open/s.sh", 0, 0, True, Facts())
    assert not v.runnable and v.flags & SC_INHIBIT and v.flags & SC_INSECURE
    assert v.messages == ["Unsafe permissions found for script '/srv/open/s.sh' - disabling."]


def test_without_security_unsafe_script_only_warns() -> None:
    v = check_script("/srv/open/s.sh", 0, 0, False, Facts())
    assert v.runnable and v.flags & SC_INSECURE
    assert v.messages == ["Unsafe permissions found for script '/srv/open/s.sh'."]


def test_directory_owned_by_user_or_group_writable() -> None:
    for path in ("/srv/user/s.sh", "/srv/grp/s.sh", "/srv/ok/w.sh"):
        assert not check_script(path, 0, 0, True, Facts()).runnable, path
    assert check_script("/tmp/s.sh", 0, 0, True, Facts()).runnable


def test_unprivileged_user_needs_no_protection() -> None:
    # keepalived only protects scripts that run with root's uid or gid
    v = check_script("/srv/open/s.sh", *USER, True, Facts())
    assert v.runnable and not v.messages
    v = check_script("/srv/open/s.sh", 990, 0, True, Facts())
    assert not v.runnable  # gid 0 is protected too


def test_not_executable_for_user() -> None:
    v = check_script("/srv/ok/owner.sh", *USER, True, Facts())
    assert not v.runnable
    assert v.messages == ["WARNING - script '/srv/ok/owner.sh' is not executable for "
                          "uid:gid 990:990 - disabling."]


def test_user_must_reach_the_script() -> None:
    v = check_script("/root/s.sh", *USER, True, Facts())
    assert not v.runnable
    assert v.messages == ["Script /root/s.sh cannot be accessed - Permission denied"]
    assert check_script("/root/s.sh", 0, 0, True, Facts()).runnable


def test_symlink_checks_both_paths() -> None:
    v = check_script("/srv/ok/link.sh", 0, 0, True, Facts())
    assert not v.runnable
    assert v.messages == ["Unsafe permissions found for script '/srv/open/s.sh' - disabling."]


def test_missing_component() -> None:
    v = check_script("/srv/none/s.sh", 0, 0, True, Facts())
    assert v.flags & SC_NOTFOUND and not v.runnable


# -- through the resolver -----------------------------------------------------------

CONF = """global_defs {{
{globals}
}}
vrrp_script chk {{
    script "{track}"
}}
vrrp_instance VI_1 {{
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {{
        10.0.0.1
    }}
    track_script {{
        chk
    }}
    notify_master "{notify}"
}}
"""


def _effective(tmp_path, globals_: str, track: str, notify: str, users=None):  # type: ignore[no-untyped-def]
    path = tmp_path / "k.conf"
    path.write_text(CONF.format(globals=globals_, track=track, notify=notify))
    cfg = load(str(path))
    scripts = {p: p for p in BASE if BASE[p].mode & F == F or BASE[p].link}
    host = Host.static(hostname="h", interfaces=[Interface("eth0", "10.0.0.2")],
                       users=users, scripts=scripts, stats=BASE)
    return resolve(cfg, host)


def test_resolver_disables_unsafe_scripts_and_logs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    eff = _effective(tmp_path, "    enable_script_security\n    script_user root",
                     "/srv/open/s.sh", "/srv/user/s.sh")
    assert eff.vrrp is not None
    assert [s.name for s in eff.vrrp.scripts] == []
    assert "Master" not in eff.vrrp.instances[0].scripts
    report = eff.globals.script_report()
    assert "Disabling track script chk due to insecure" in report
    assert "Unsafe permissions found for script '/srv/user/s.sh' - disabling." in report
    assert not any(r.startswith("SECURITY VIOLATION") for r in report)


def test_resolver_runs_as_script_user(tmp_path) -> None:  # type: ignore[no-untyped-def]
    eff = _effective(tmp_path, "    enable_script_security\n    script_user ka",
                     "/srv/open/s.sh", "/usr/bin/true", users={"ka": USER})
    assert eff.vrrp is not None
    (es,) = eff.vrrp.scripts
    assert (es.spec.uid, es.spec.gid) == USER
    spec = eff.vrrp.instances[0].scripts["Master"]
    assert (spec.uid, spec.gid) == USER
    assert eff.globals.script_report() == []


def test_missing_default_user_and_violation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    eff = _effective(tmp_path, "", "/srv/open/s.sh", "/usr/bin/true")
    assert eff.vrrp is not None
    assert len(eff.vrrp.scripts) == 1  # unsafe but security is off: kept
    assert eff.globals.script_report() == [
        "Script user 'keepalived_script' does not exist",
        "Unsafe permissions found for script '/srv/open/s.sh'.",
        "SECURITY VIOLATION - scripts are being executed but script_security not "
        "enabled. There are insecure scripts."]


def test_security_without_default_user_drops_scripts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    eff = _effective(tmp_path, "    enable_script_security", "/usr/bin/true", "/usr/bin/true")
    assert eff.vrrp is not None
    assert eff.vrrp.scripts == [] or not eff.vrrp.scripts
    assert eff.globals.script_report()[:2] == [
        "Script user 'keepalived_script' does not exist",
        "Unable to set default user keepalived_script for script"]


def test_daemon_config_carries_the_ids(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kaconfd.vrrp.config import Command, vrrp_config

    eff = _effective(tmp_path, "    enable_script_security\n    script_user ka",
                     "/usr/bin/true", "/usr/bin/true", users={"ka": USER})
    vrrp = vrrp_config(eff)
    (sc,) = vrrp.scripts
    assert (sc.uid, sc.gid) == USER
    assert vrrp.instances[0].notify_master == Command(("/usr/bin/true",), *USER)
    assert vrrp.instances[0].notify_master.with_args("x").argv == ("/usr/bin/true", "x")


def test_run_as_sets_group_supplementary_groups_and_user() -> None:
    import os

    from kaconf.effective.scriptsec import run_as

    assert run_as(os.geteuid(), os.getegid()).get("user") is None
    kw = run_as(990, 991)
    assert (kw["user"], kw["group"]) == (990, 991)
    if os.geteuid() == 0:
        assert kw["extra_groups"] == [991]  # keepalived: setgroups(1, &gid)

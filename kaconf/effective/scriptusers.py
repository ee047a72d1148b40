"""Who runs each script and whether it may run: keepalived's script users and checks.

The resolver is the single place that decides this. :class:`ScriptPolicy` (a
base of :class:`~kaconf.effective.globals.GlobalState`) replays keepalived
2.2.7: the default script user (``script_user``, else ``keepalived_script``
when that user exists, else keepalived's own ids - or none at all under
``enable_script_security``), a script's own ``USER [GROUP]``, and the
start-up check of each script (:mod:`.scriptsec`). The log lines keepalived
writes while doing so are collected in :attr:`ScriptPolicy.script_log` so the
daemon can write them once at start.
"""

from __future__ import annotations

from kaconf.effective.host import Host
from kaconf.effective.scriptsec import (
    SC_EXECUTABLE,
    SC_INHIBIT,
    SC_ISSCRIPT,
    SC_NOTFOUND,
    SC_SYSTEM,
    Verdict,
    check_script,
    is_file_test,
    not_found,
    violation_line,
)
from kaconf.effective.values import ScriptSpec, script_words, setting, words
from kaconf.model.objects import GlobalDefs, Setting

#: keepalived's default script user.
DEFAULT_SCRIPT_USER = "keepalived_script"


class ScriptPolicy:
    """Script users, script checks and the lines keepalived logs about them."""

    host: Host
    defs: GlobalDefs

    def _init_scripts(self) -> None:
        """Read ``enable_script_security`` and ``script_user`` (call before any script)."""
        self.script_security = setting(self.defs, "enable_script_security") is not None
        self.script_log: list[str] = []
        """keepalived's log lines about script users and checks, in order."""
        self.script_flags = 0
        """keepalived's SC_* flags of every script checked so far (OR-ed)."""
        self._default_notes: list[str] = []
        self._default_used = False
        self.default_ids = self._default_script_user()

    def _default_script_user(self) -> tuple[int, int] | None:
        """keepalived's default script uid:gid, ``None`` when it cannot be set.

        With ``script_user`` that user (and group); otherwise the user
        ``keepalived_script`` if it exists, else keepalived's own ids - unless
        script security is on, in which case a missing ``keepalived_script``
        makes every script without an explicit user unusable.
        """
        s = setting(self.defs, "script_user")
        host = self.host
        if s is not None:
            w = words(s)
            if not w:
                return host.uid, host.gid
            ids = self._lookup(w[0], w[1] if len(w) > 1 else None)
            if ids is None:
                self.script_log.extend(self._default_notes)
                self._default_notes = []
            return ids
        ids = self._lookup(DEFAULT_SCRIPT_USER, None)
        if ids is not None:
            return ids
        if self.script_security:
            self._default_notes.append(
                f"Unable to set default user {DEFAULT_SCRIPT_USER} for script")
            return None
        return host.uid, host.gid

    def _lookup(self, user: str, group: str | None) -> tuple[int, int] | None:
        """``set_uid_gid``: the ids, noting keepalived's line when one is unknown."""
        if self.host.user_ids(user) is None:
            self._default_notes.append(f"Script user '{user}' does not exist")
            return None
        ids = self.host.user_ids(user, group)
        if ids is None:
            self._default_notes.append(f"Script group '{group}' does not exist")
        return ids

    def script(self, s: Setting | None, extra_user: bool = True) -> ScriptSpec | None:
        """A notify-style script keyword: command words, then optional user [group].

        ``None`` when keepalived would ignore the script (no words, unknown
        user, no default user).
        """
        if s is None:
            return None
        w = words(s)
        args = script_words(s)
        if not args:
            return None
        ids = self.run_ids(w[1:] if extra_user else [])
        if ids is None:
            return None
        return ScriptSpec(args, ids[0], ids[1])

    def run_ids(self, user: list[str]) -> tuple[int, int] | None:
        """The uid:gid a script runs as: ``USER [GROUP]`` when given, else the default."""
        if not user:
            if not self._default_used:
                # keepalived looks the default user up when a script first needs it
                self._default_used = True
                self.script_log.extend(self._default_notes)
            return self.default_ids
        ids = self.host.user_ids(user[0], user[1] if len(user) > 1 else None)
        if ids is None:
            who = user[0] if self.host.user_ids(user[0]) is None else None
            self.script_log.append(f"Script user '{who}' does not exist" if who else
                                   f"Script group '{user[1]}' does not exist")
        return ids

    def check(self, spec: ScriptSpec | None) -> tuple[ScriptSpec | None, Verdict]:
        """keepalived's ``check_script_secure``: the resolved command and the verdict.

        The command is ``None`` when keepalived would not run it (missing, not
        executable by its user, or unsafe under ``enable_script_security``).
        The verdict's lines are appended to :attr:`script_log`.
        """
        if spec is None or not spec.args:
            return None, Verdict()
        arg0 = spec.args[0]
        path = self.host.script_path(arg0)
        if path is None:
            v = not_found(arg0)
        elif is_file_test(path):
            v = Verdict(SC_SYSTEM)
        elif self.host.knows_files:
            v = check_script(path, spec.uid, spec.gid, self.script_security, self.host)
        else:
            v = Verdict(SC_ISSCRIPT | SC_EXECUTABLE)  # no facts, no failure
        self.script_flags |= v.flags
        self.script_log.extend(v.messages)
        if path is None or not v.runnable:
            return None, v
        return ScriptSpec([path, *spec.args[1:]], spec.uid, spec.gid), v

    def secure(self, spec: ScriptSpec | None) -> ScriptSpec | None:
        """keepalived's script check: the resolved command, or ``None`` if dropped."""
        return self.check(spec)[0]

    def secure_track(self, name: str, spec: ScriptSpec) -> ScriptSpec | None:
        """A ``vrrp_script``'s check, with keepalived's line when it is disabled."""
        resolved, v = self.check(spec)
        if v.flags & SC_INHIBIT:
            self.script_log.append(f"Disabling track script {name} due to insecure")
        elif v.flags & SC_NOTFOUND:
            self.script_log.append(f"Disabling track script {name} since not found/accessible")
        return resolved

    def script_report(self, what: str = "scripts") -> list[str]:
        """keepalived's start-up lines about scripts, each once, then the security warning.

        ``what`` names the scripts in the warning (``check scripts`` in the checker).
        """
        out = list(dict.fromkeys(self.script_log))
        line = violation_line(self.script_flags, self.script_security, what)
        if line is not None:
            out.append(line)
        return out

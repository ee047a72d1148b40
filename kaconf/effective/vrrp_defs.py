"""Stage 1 of the VRRP resolution: the definitions instances refer to.

vrrp_script, track_file, vrrp_track_process, static rules and track_group
blocks are read before any instance, as keepalived's parser has them by then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaconf.effective.globals import GlobalState
from kaconf.effective.host import Host
from kaconf.effective.iplines import RulePriorities
from kaconf.effective.values import (
    TIMER_HZ,
    ScriptSpec,
    first_word,
    read_decimal,
    read_uint,
    script_words,
    uint_setting,
    weight_setting,
    words,
)
from kaconf.effective.vrrp_types import (
    EffProcess,
    EffScript,
    EffSyncGroup,
    EffTrackFile,
)
from kaconf.model.objects import Config, VrrpScript

if TYPE_CHECKING:
    from kaconf.model.iprules import RuleInfo


class DefinitionStage:
    """Holds the resolution's shared state and reads the tracked-object definitions."""

    def __init__(self, cfg: Config, gs: GlobalState, host: Host) -> None:
        self.cfg = cfg
        self.gs = gs
        self.host = host
        self.rule_prios = RulePriorities()
        self.scripts: dict[str, EffScript] = {}
        self.track_files: dict[str, EffTrackFile] = {}
        self._group_by_member: dict[str, EffSyncGroup] = {}
        self.processes: dict[str, EffProcess] = {}
        #: VMAC interface names given or generated so far (keepalived checks both)
        self.vmac_taken: set[str] = set()

    def _scripts(self) -> None:
        for name, vs in self.cfg.vrrp_scripts.items():
            es = self._script(name, vs)
            if es is not None:
                self.scripts[name] = es

    def _script(self, name: str, vs: VrrpScript) -> EffScript | None:
        s = vs.settings.get("script")
        args = script_words(s) if s is not None else []
        if not args:
            return None  # "No script set for vrrp_script - removing"
        us = vs.settings.get("user")
        if us is not None:
            uw = words(us)
            ids = self.gs.run_ids(uw) if uw else None  # an empty user drops the script
        else:
            ids = self.gs.run_ids([])
        if ids is None:
            return None
        es = EffScript(name=name, spec=ScriptSpec(args, ids[0], ids[1]), span=vs.span)
        iv = uint_setting(vs, "interval", hi=0xFFFFFFFF // TIMER_HZ)
        if iv is not None:
            es.interval = max(iv, 1)
        to = uint_setting(vs, "timeout", hi=0xFFFFFFFF // TIMER_HZ)
        if to is not None:
            es.timeout = max(to, 1)
        wr = weight_setting(vs, 253)
        if wr is not None:
            if wr[0] is not None:
                es.weight = wr[0]
            es.reverse = wr[1]
        for kw in ("rise", "fall"):
            st = vs.settings.get(kw)
            if st is not None:
                w = words(st)
                v = read_uint(w[0], 1, 2**31 - 1) if w else None
                setattr(es, kw, 1 if v is None else v)
        if vs.settings.get("init_fail") is not None:
            es.init_state = "INIT/FAILED"
        return es

    def _track_files(self) -> None:
        for name, tf in self.cfg.track_files.items():
            path = tf.file
            if not path:
                continue
            ef = EffTrackFile(name=name, path=path)
            wr = weight_setting(tf, 254)
            if wr is not None:
                ef.weight = 1 if wr[0] is None else wr[0]
                ef.reverse = wr[1]
            ef.status = self.host.file_status(path)
            init = tf.settings.get("init_file")
            if init is not None:
                ef.init_value = tf.init_file or 0
                ef.init_overwrite = "overwrite" in init.args
            self.track_files[name] = ef

    def _processes(self) -> None:
        for name, tp in self.cfg.track_processes.items():
            st = tp.settings
            pw = words(st.get("process"))
            if not pw:
                continue  # "track process ... process name not specified"
            ep = EffProcess(name=name, path=pw[0], params=pw[1:])
            if ep.params:
                ep.param_match = "exact"
                ep.full_command = True
            pm = st.get("param_match")
            if pm is not None:
                w = words(pm)
                if not w:
                    ep.param_match, ep.full_command = "exact", True
                elif w[0] in ("initial", "partial"):
                    ep.param_match, ep.full_command = w[0], True
            wr = weight_setting(tp, 254)
            if wr is not None and wr[0] is not None:
                ep.weight, ep.reverse = wr[0], wr[1]
            qm = uint_setting(tp, "quorum_max", hi=65535)
            q = uint_setting(tp, "quorum", lo=1, hi=65535)
            if q is not None:
                ep.quorum = q
            if qm is not None and (not (qm or ep.quorum > 1) or qm >= ep.quorum):
                ep.quorum_max = qm
                if qm == 0:
                    ep.quorum = 0
            for kw, attrs in (("delay", ("terminate_delay", "fork_delay")),
                              ("terminate_delay", ("terminate_delay",)),
                              ("fork_delay", ("fork_delay",))):
                dv = read_decimal(first_word(words(st.get(kw))), 6, 1, 3600 * TIMER_HZ)
                if dv is not None:
                    for attr in attrs:
                        setattr(ep, attr, dv)
            if st.get("full_command") is not None:
                ep.full_command = True
            self.processes[name] = ep

    def _static_rules(self) -> list[RuleInfo]:
        out = []
        for x in self.cfg.static_rules:
            r = x.info
            if r is not None:
                out.append(self.rule_prios.numbered(r))
        return out

    def _track_groups(self) -> list[tuple[str, list[str]]]:
        """``track_group`` blocks: the instances that exist among their members."""
        out: list[tuple[str, list[str]]] = []
        if not any(gb.keyword == "track_group" for gb in self.cfg.other):
            return out
        names = {i.name for i in self.cfg.vrrp_instances}
        for gb in self.cfg.other:
            if gb.keyword == "track_group" and gb.name:
                members = [w for item in gb.items for w in item if w in names]
                if members:  # empty groups are removed
                    out.append((gb.name, members))
        return out

    # -- parse stage (vrrp_parser.c) --------------------------------------------------------

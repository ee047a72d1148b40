"""VRRP for kaconfd: codec (:mod:`.packet`), state machine (:mod:`.fsm`), I/O (:mod:`.io`).

:mod:`.packet` and :mod:`.fsm` are pure (no sockets, no clock, no asyncio) so that the
protocol can be tested byte by byte and event by event; :mod:`.io` and :mod:`.child`
execute what the state machine decides.
"""

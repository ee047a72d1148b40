"""SSL_GET: HTTP_GET (:mod:`.http_get`) over TLS.

The settings, dump lines and probe are HTTP_GET's (the builder and probe see the kind and
use TLS); what differs is the model class and that keepalived creates its SSL context when
any SSL_GET exists (the dump's ``SSL definitions`` section).
"""

from __future__ import annotations

from dataclasses import replace

from kaconf.checkers.kinds import http_get


class SslGet(http_get.HttpGet):
    """SSL_GET: HTTP_GET over TLS."""


KIND = replace(http_get.KIND, keyword="SSL_GET", model=SslGet, tls=True)

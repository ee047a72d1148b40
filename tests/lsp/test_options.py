"""The editor's initialization options win over the settings file, as the command line does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.support import SERVER, codes, diagnostics, open_doc
from tests.support.aio import wait_until

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = ("vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n    priority 300\n"
        "    track_src_ip\n    virtual_ipaddress {\n        10.0.0.1\n    }\n}\n")


@pytest_lsp.fixture(config=SERVER, scope="module")
async def configured(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("neovim"),
        initialization_options={"targetVersion": "1.2.2", "ignore": ["KA021"],
                                "braceStyle": "sideways"}))
    yield
    await lsp_client.shutdown_session()


async def test_options_override_the_settings_file(configured: LanguageClient,
                                                  tmp_path: Path) -> None:
    (tmp_path / ".kaconf.toml").write_text('target-version = "2.2.7"\n')
    got = await diagnostics(configured, open_doc(configured, tmp_path / "k.conf", TEXT))
    assert "KA261" in codes(got)  # track_src_ip: unknown to 1.2.2
    assert "KA021" not in codes(got)


async def test_a_bad_option_is_logged(configured: LanguageClient) -> None:
    await wait_until(lambda: any("braceStyle" in m.message for m in configured.log_messages),
                     10, "a log message about braceStyle")

"""Bounded asyncio waits for the tests that run checkers on the real clock.

Every wait has a deadline, so a checker that never notices a change fails the test with
what it was waiting for instead of hanging the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


async def wait_until(pred: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``pred`` until true; returns the time it took, fails after ``timeout``."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not pred():
        if loop.time() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout:.1f}s")
        await asyncio.sleep(0.01)
    return loop.time() - start


def run(coro: Awaitable[Any]) -> Any:
    """Run ``coro`` in a fresh event loop, cancelled after 60 s."""
    async def main() -> Any:
        return await asyncio.wait_for(coro, 60)

    return asyncio.run(main())

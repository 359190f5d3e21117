"""`NetThread`: the one thread of an app that runs asyncio (HTTP, WebSocket, zeroconf).

Qt never runs asyncio and the GUI thread never blocks (design §6): the GUI thread hands
coroutines over with `submit()` and hears back through Qt signals emitted on this thread.
Started and stopped explicitly: `start()`, `wait_ready()`, …, `stop()`. At `stop()` the tasks
still running are cancelled and allowed to finish their clean-up (closing sockets) before the
loop is closed and the thread ends.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class NetThread(threading.Thread):
    def __init__(self, name: str = "montour-net") -> None:
        # A daemon, so that an app that forgot stop() still exits; stop() is still the rule.
        super().__init__(name=name, daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._loop.is_closed():
            raise RuntimeError("the network thread is not running")
        return self._loop

    def run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        loop.call_soon(self._ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                tasks = asyncio.all_tasks(loop)
                for task in tasks:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    def wait_ready(self, timeout_s: float | None = None) -> None:
        """Block until the loop runs (at once in practice); raise if it did not in time."""
        if not self._ready.wait(timeout_s):
            raise RuntimeError("the network thread did not start")

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run `coro` on the loop; the future may be waited on from any thread (not the GUI's)."""
        try:
            return asyncio.run_coroutine_threadsafe(coro, self.loop)
        except RuntimeError:
            coro.close()  # never awaited: close it rather than leak a warning
            raise

    def call_soon(self, callback: Callable[..., object], *args: Any) -> None:
        self.loop.call_soon_threadsafe(callback, *args)

    def stop(self, timeout_s: float | None = None) -> None:
        """Cancel the tasks, let them clean up, close the loop and join the thread."""
        if self.is_alive():
            self._ready.wait(timeout_s)  # stopped right after start(): the loop must exist
        loop = self._loop
        if loop is not None and not loop.is_closed():
            # Closed meanwhile (RuntimeError): the thread is ending anyway.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(loop.stop)
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout_s)

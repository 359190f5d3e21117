"""A loopback TCP proxy that a test can cut and restore: the network failing between a client
and the hub, without touching either.

    with TcpProxy(hub.url) as proxy:     # proxy.url goes to the client instead of hub.url
        proxy.cut()                      # silence: bytes are swallowed, sockets stay open
        proxy.cut(drop=True)             # or every connection is closed and new ones refused
        proxy.restore()

`cut()` is the hard case (a pulled cable, a frozen switch): TCP says nothing and only an
application heartbeat notices. One thread runs a selector over every socket; `close()` ends it
and closes them all.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

BUFFER = 65536
SELECT_TIMEOUT_S = 0.05  # how soon the loop notices close(); not a wait for any result


class TcpProxy:
    def __init__(self, target_url: str) -> None:
        parts = urlsplit(target_url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        assert self.target[0] in ("127.0.0.1", "localhost"), "loopback only"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._listener, selectors.EVENT_READ, None)
        self._peers: dict[socket.socket, socket.socket] = {}
        self._lock = threading.Lock()
        self._silent = self._refuse = self._stop = False
        self.accepted = 0
        self._thread = threading.Thread(target=self._loop, name="tcp-proxy", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.close()

    def cut(self, drop: bool = False) -> None:
        with self._lock:
            self._silent = True
            self._refuse = drop
            if drop:
                for s in list(self._peers):
                    self._close(s)

    def restore(self) -> None:
        with self._lock:
            self._silent = self._refuse = False

    def close(self) -> None:
        self._stop = True
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            for s in list(self._peers):
                self._close(s)
        self._sel.close()
        self._listener.close()

    def _loop(self) -> None:
        while not self._stop:
            for key, _ in self._sel.select(SELECT_TIMEOUT_S):
                with self._lock:
                    if key.fileobj is self._listener:
                        self._accept()
                    elif key.fileobj in self._peers:
                        self._pump(key.fileobj)  # type: ignore[arg-type]

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        if self._refuse:
            client.close()
            return
        self.accepted += 1
        upstream = socket.create_connection(self.target)
        for s in (client, upstream):
            s.setblocking(False)
            self._sel.register(s, selectors.EVENT_READ, None)
        self._peers[client], self._peers[upstream] = upstream, client

    def _pump(self, src: socket.socket) -> None:
        try:
            data = src.recv(BUFFER)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(src)
            return
        if self._silent:
            return  # swallowed: the cable is "pulled" but neither side is told
        dst = self._peers[src]
        try:
            dst.setblocking(True)
            dst.sendall(data)
            dst.setblocking(False)
        except OSError:
            self._close(src)

    def _close(self, s: socket.socket) -> None:
        peer = self._peers.pop(s, None)
        for sock in (s, peer):
            if sock is None:
                continue
            self._peers.pop(sock, None)
            with contextlib.suppress(KeyError, ValueError):
                self._sel.unregister(sock)
            sock.close()

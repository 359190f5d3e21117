"""A headless Chromium driven through the Chrome DevTools Protocol, for page tests.

    with Chromium(width=390, height=844) as browser:
        browser.navigate("http://127.0.0.1:PORT/t/TOKEN")
        browser.wait_for("document.body.innerText.includes('Guichet')", timeout_s=10)
        browser.evaluate("document.title")
        browser.screenshot(Path("shot.png"))

Chromium (Debian's `chromium`) starts with `--remote-debugging-port=0`; the port it picked is in
the DevToolsActivePort file of its private profile directory. One WebSocket (the `websockets`
library's sync client) talks to the browser; one page target is attached with a flat session.
Waiting is event-driven: `wait_for` runs a promise in the page that a MutationObserver resolves
when the condition holds (or rejects at the deadline). The browser runs in its own process
group, which `close()` ends and waits for: no process is left behind, even on failure.
Every host name but 127.0.0.1 resolves to nothing, so the browser reaches only loopback.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from websockets.sync.client import ClientConnection, connect

START_TIMEOUT_S = 15.0
COMMAND_TIMEOUT_S = 30.0
EXIT_TIMEOUT_S = 10.0
PORT_FILE_POLL_S = 0.02

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--disable-breakpad", "--disable-domain-reliability",
    "--disable-client-side-phishing-detection", "--metrics-recording-only", "--mute-audio",
    "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
)  # fmt: skip


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _end_group(pgid: int) -> None:
    """Renderer and helper processes share the browser's group; none may outlive the test."""
    deadline = time.monotonic() + EXIT_TIMEOUT_S
    while alive := _living_members(pgid):
        if time.monotonic() > deadline:
            raise RuntimeError(f"chromium's processes {alive} did not exit")
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(PORT_FILE_POLL_S)  # they are dying; the kernel gives no event to wait on


def _living_members(pgid: int) -> list[int]:
    """Processes of group `pgid` that still run (zombies wait for init and hold nothing)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            found.append(int(stat.parent.name))
    return found


class CDPError(RuntimeError):
    """A DevTools command failed, or a page script threw."""


class Chromium:
    def __init__(self, width: int = 390, height: int = 844) -> None:
        self.width, self.height = width, height
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._proc: subprocess.Popen[bytes] | None = None
        self._ws: ClientConnection | None = None
        self._exit = contextlib.ExitStack()  # the WebSocket's context
        self._session = ""
        self._profile = Path(tempfile.mkdtemp(prefix="montour-chromium-"))

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        binary = chromium_path()
        if binary is None:
            raise FileNotFoundError("chromium is not installed (Debian package `chromium`)")
        log = (self._profile / "chromium.log").open("wb")
        try:
            self._proc = subprocess.Popen(
                [binary, *FLAGS, f"--user-data-dir={self._profile}",
                 f"--window-size={self.width},{self.height}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: close() ends all of it
            )  # fmt: skip
        finally:
            log.close()
        try:
            port, path = self._devtools_address()
            self._ws = self._exit.enter_context(
                connect(f"ws://127.0.0.1:{port}{path}", max_size=None, proxy=None, compression=None)
            )
            target = self.send("Target.createTarget", {"url": "about:blank"}, page=False)
            attached = self.send(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                page=False,
            )  # fmt: skip
            self._session = attached["sessionId"]
            for domain in ("Page", "Runtime"):
                self.send(f"{domain}.enable")
            self.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                 "mobile": True},
            )  # fmt: skip
        except BaseException:
            self.close()
            raise
        return self

    def _devtools_address(self) -> tuple[int, str]:
        """The port and browser path Chromium writes once it listens (line 1 and line 2)."""
        port_file = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RuntimeError(f"chromium exited ({self._proc.returncode}):\n{self.log()}")
            lines = port_file.read_text().split() if port_file.exists() else []
            if len(lines) >= 2:
                return int(lines[0]), lines[1]
            time.sleep(PORT_FILE_POLL_S)  # a file, not an event: polled, with a deadline
        raise RuntimeError(f"chromium did not listen within {START_TIMEOUT_S:g} s:\n{self.log()}")

    def log(self) -> str:
        path = self._profile / "chromium.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def close(self) -> None:
        """Ask the browser to quit, then end its process group; always safe to call."""
        proc, self._proc = self._proc, None
        if self._ws is not None:
            if proc is not None and proc.poll() is None:
                # It may close the socket before it answers: the wait below is what counts.
                with contextlib.suppress(Exception):
                    self.send("Browser.close", page=False, timeout_s=EXIT_TIMEOUT_S)
            self._exit.close()
            self._ws = None
        if proc is not None:
            try:
                proc.wait(EXIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            _end_group(proc.pid)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()

    # --- the protocol ---------------------------------------------------------------------------

    def send(
        self, method: str, params: dict[str, Any] | None = None, page: bool = True,
        timeout_s: float = COMMAND_TIMEOUT_S,
    ) -> dict[str, Any]:  # fmt: skip
        """Run one command (on the page's session unless `page=False`) and return its result;
        events that arrive meanwhile are kept in `events`."""
        if self._ws is None:
            raise RuntimeError("the browser is not running")
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self._session
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout_s
        while True:
            reply = self._receive(deadline, method)
            if reply.get("id") == ident:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.events.append(reply)

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        assert self._ws is not None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no answer to {waiting_for} in time")
        try:
            text = self._ws.recv(timeout=remaining)
        except TimeoutError:
            raise TimeoutError(f"no answer to {waiting_for} in time") from None
        reply: dict[str, Any] = json.loads(text)
        return reply

    def wait_event(self, method: str, timeout_s: float = COMMAND_TIMEOUT_S) -> dict[str, Any]:
        """The first event `method` not yet consumed (it may have come during a command)."""
        deadline = time.monotonic() + timeout_s
        while True:
            for index, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(index)
            reply = self._receive(deadline, method)
            if "method" in reply:
                self.events.append(reply)

    # --- what page tests use ------------------------------------------------------------------

    def navigate(self, url: str) -> None:
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CDPError(f"cannot load {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired")

    def on_new_document(self, source: str) -> None:
        """Run `source` in every page before its own scripts (to record what happens)."""
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})

    def evaluate(self, expression: str, timeout_s: float = COMMAND_TIMEOUT_S) -> Any:
        """The value of a script in the page (awaited when it is a promise)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout_s=timeout_s + 5,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise CDPError(f"the page script failed: {text}")
        return result["result"].get("value")

    def wait_for(self, condition: str, timeout_s: float = 10.0) -> None:
        """Until the JavaScript expression `condition` is true: checked at every DOM change."""
        script = f"""new Promise((resolve, reject) => {{
            const check = () => {{ try {{ return Boolean({condition}); }} catch (e) {{ return false; }} }};
            if (check()) {{ resolve(true); return; }}
            const observer = new MutationObserver(() => {{
                if (check()) {{ observer.disconnect(); clearTimeout(timer); resolve(true); }}
            }});
            observer.observe(document, {{subtree: true, childList: true, characterData: true,
                                         attributes: true}});
            const timer = setTimeout(() => {{
                observer.disconnect();
                reject(new Error("still false after {timeout_s} s: " + {json.dumps(condition)}));
            }}, {int(timeout_s * 1000)});
        }})"""
        self.evaluate(script, timeout_s=timeout_s)

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def exceptions(self) -> list[str]:
        """Uncaught exceptions the page's scripts threw so far."""
        self.evaluate("0")  # collects the events that arrived meanwhile
        found = []
        for event in self.events:
            if event["method"] == "Runtime.exceptionThrown":
                details = event["params"]["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details["text"])
        return found

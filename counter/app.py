"""`montour counter`: the composition root (Qt application, pairing, hub link, window)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SIZE = (420, 720)
ROLE = "counter"


def run(args: argparse.Namespace) -> int:
    if args.screenshot:
        return screenshot(Path(args.screenshot), args.state, args.lang)
    from PySide6.QtWidgets import QApplication

    creds = _credentials(args)
    if creds is None:
        print(
            "montour: this counter is not paired. On the hub machine run "
            "`montour hub pair --role counter`, then `montour counter --pair CODE`.",
            file=sys.stderr,
        )
        return 2
    app = QApplication.instance() or QApplication([])
    counter = Counter(args, creds)
    counter.window.resize(*SIZE)
    counter.window.show()
    counter.start()
    try:
        return int(app.exec())
    finally:
        counter.close()


def _credentials(args: argparse.Namespace, directory: Path | None = None) -> Any:
    from shared.client import credentials

    if args.token:
        return credentials.Credentials(ROLE, "", args.hub or "", args.token, args.name)
    if args.pair:
        from shared.client.api import ClientError
        from shared.client.pairing import pair_with_hub

        try:
            return asyncio.run(
                pair_with_hub(ROLE, args.pair, args.name, args.hub, args.discovery, directory)
            )
        except ClientError as exc:
            log.error("pairing with code failed: %s", exc.message)
            return None
    return credentials.load(ROLE, directory)


class Counter:
    """The counter's parts, wired: hub link (counter token), view model and window."""

    def __init__(self, args: argparse.Namespace, creds: Any) -> None:
        from counter.viewmodel import CounterViewModel
        from counter.window import CounterWindow
        from shared.client.link import ServerLink
        from shared.client.stream import discovered_hub, fixed_hub

        hub = args.hub
        locate = fixed_hub(hub) if hub else discovered_hub(creds.office or None, args.discovery)
        self.link = ServerLink(locate, creds.token)
        self.vm = CounterViewModel(self.link, args.lang)
        self.window = CounterWindow(self.vm, on_top=args.on_top)
        self._ready = False
        self.vm.changed.connect(self._log_ready)

    def _log_ready(self) -> None:
        """Says once when the hub's office is shown (the demo and its test wait for it)."""
        if not self._ready and self.vm.office is not None and self.vm.session.connected:
            self._ready = True
            log.info("counter ready: %s", self.vm.office.get("name", ""))

    def start(self) -> None:
        self.link.start()
        self.vm.start()

    def close(self) -> None:
        self.vm.stop()
        self.link.stop()


def screenshot(path: Path, name: str, lang: str = "fr") -> int:
    """Render one state of the sample counter to a PNG, offscreen, with no hub."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from counter import samples
    from counter.viewmodel import CounterViewModel
    from counter.window import CounterWindow

    app = QApplication.instance() or QApplication([])
    vm = CounterViewModel(None, lang, now=lambda: samples.NOW)
    window = CounterWindow(vm)
    window.resize(*SIZE)
    vm.office, vm.queue = samples.OFFICE, samples.QUEUE
    vm.session, vm.state = samples.session(name)
    vm.desk.callbacks = samples.CALLBACKS
    if name == "callbacks":
        vm.desk.taken = samples.TAKEN
        window.tabs.setCurrentWidget(window.callbacks)
    elif name == "contacts":
        from counter.desk import VisitorKey

        vm.desk.visitor, vm.desk.contacts = VisitorKey("file", "AB-123"), samples.CONTACTS
        vm.session = replace(vm.session, ticket=samples.session("serving")[0].ticket)
        vm.state = samples.session("serving")[1]
        window.contacts.key.setText("AB-123")
        window.contacts.consent.setChecked(True)
        window.tabs.setCurrentWidget(window.contacts)
    elif name == "signed-out":
        window.signin.agent.setText("")
    if name in ("called", "serving"):
        vm.message = ""
    window.show()
    vm.changed.emit()
    app.processEvents()
    if name == "contacts":  # the history and the form to record a contact, below the card
        window.scroll.ensureWidgetVisible(window.contacts.rule, 0, 8)
        app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path))
    window.close()
    print(f"counter {name}: {path}" if ok else f"montour: cannot write {path}")
    return 0 if ok else 2

"""`montour kiosk`: the composition root (Qt application, hub link, printer, speech, window)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any

import platformdirs

from kiosk.flow import Access

log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    started = _process_start()
    width, height = _size(args.size)
    access = Access(
        speech=args.accessible,
        reach=args.accessible or args.reach,
        large_text=args.accessible or args.large_text,
        high_contrast=args.high_contrast,
    )
    if args.screenshot:
        return screenshot(Path(args.screenshot), args.screen, args.lang or "fr", access,
                          (width, height))  # fmt: skip
    return _run_kiosk(args, access, (width, height), started)


def screenshot(path: Path, screen: str, lang: str, access: Access, size: tuple[int, int]) -> int:
    """Render one screen of the sample office to a PNG, offscreen, and exit."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kiosk import samples, shots
    from kiosk.viewmodel import KioskViewModel
    from kiosk.window import KioskWindow

    app = QApplication.instance() or QApplication([])
    window = KioskWindow()
    window.resize(*size)
    vm = KioskViewModel(None, None, _Mute(), shots.sample_state(screen, lang, access),
                        today=lambda _tz: samples.TODAY)  # fmt: skip
    vm.office, vm.queue = samples.OFFICE, samples.QUEUE
    vm.viewChanged.connect(window.render)
    window.show()
    vm._emit(speak=False)
    app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path))
    window.close()
    print(f"{screen}: {path}" if ok else f"montour: cannot write {path}")
    return 0 if ok else 2


class _Mute:
    def say(self, lang: str, texts: list[str]) -> None:
        pass

    def stop(self) -> None:
        pass


def _run_kiosk(
    args: argparse.Namespace, access: Access, size: tuple[int, int], started: float
) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    kiosk = Kiosk(args, access, started)
    kiosk.window.resize(*size)
    kiosk.window.show() if args.windowed else kiosk.window.showFullScreen()
    kiosk.start()
    try:
        return int(app.exec())
    finally:
        kiosk.close()


class Kiosk:
    """The kiosk's parts, wired: window, view model, printer, speaker, and the hub link once
    the kiosk is paired (at start, or later from the set-up screen)."""

    def __init__(
        self, args: argparse.Namespace, access: Access, started: float | None = None,
        creds_dir: Path | None = None,
    ) -> None:  # fmt: skip
        from kiosk import flow
        from kiosk.pairing import Pairer
        from kiosk.viewmodel import KioskViewModel
        from kiosk.window import KioskWindow
        from shared.client import credentials
        from shared.ui.speech import Speaker

        self.args, self.creds_dir = args, creds_dir
        self.stored = credentials.load("kiosk", creds_dir)
        creds = self.stored
        if args.token:
            creds = credentials.Credentials("kiosk", "", args.hub or "", args.token, args.name)
        elif args.pair:
            creds = _pair(args, creds_dir) or creds
        self.printer = _printer(args.printer)
        self.speaker = Speaker(engine=args.speech)
        self.pairer = Pairer(args.name, args.hub, args.discovery, creds_dir)
        state = flow.initial(args.lang or "fr", access=access, paired=creds is not None)
        self.vm = KioskViewModel(None, self.printer, self.speaker, state, prefer_lang=args.lang,
                                 pairer=self.pairer)  # fmt: skip
        self.window = KioskWindow()
        self.vm.viewChanged.connect(self.window.render)
        self.window.intent.connect(self.vm.press)
        self.window.focusMoved.connect(self.vm.focus_moved)
        self.vm.paired.connect(self._paired)
        self.vm.unpaired.connect(self._unpaired)
        if started is not None:
            self.vm.ready.connect(lambda: log.info(
                "kiosk ready with the office's services %.2f s after the process started",
                time.time() - started))  # fmt: skip
        self.links: list[Any] = []
        self._creds = creds
        for lang in state.languages:
            log.info("speech for %s: %s", lang, self.speaker.engine_for(lang))

    def start(self) -> None:
        if self.printer is not None:
            self.printer.start()
        if self._creds is None:
            log.warning("this kiosk is not paired: showing the set-up screen (on the hub "
                        "machine run `montour hub pair --role kiosk`)")  # fmt: skip
            self.vm._emit(speak=True)
        else:
            self._attach(self._creds)

    def _attach(self, creds: Any) -> None:
        from shared.client.link import ServerLink
        from shared.client.stream import discovered_hub, fixed_hub

        hub = self.args.hub
        locate = fixed_hub(hub) if hub else discovered_hub(creds.office or None,
                                                           self.args.discovery)  # fmt: skip
        link = ServerLink(locate, creds.token)
        self.links.append(link)
        link.start()
        self.vm.attach(link)

    def _paired(self, creds: Any) -> None:
        self.stored = creds
        self._attach(creds)

    def _unpaired(self, link: Any) -> None:
        from PySide6.QtCore import QTimer

        from shared.client import credentials

        if self.stored is not None and not self.args.token:
            credentials.forget("kiosk", self.creds_dir)  # useless now, and a restart must ask
            self.stored = None
        # Stopped after this slot returns: the link's own signal is being delivered.
        QTimer.singleShot(0, link.stop)

    def close(self) -> None:
        self.vm.stop()
        for link in self.links:
            link.stop()
        self.pairer.stop()
        if self.printer is not None:
            self.printer.stop()


def _printer(uri: str | None) -> Any:
    from kiosk.printing import PrintWorker

    if not uri:
        directory = Path(platformdirs.user_data_dir("montour")) / "tickets"
        directory.mkdir(parents=True, exist_ok=True)
        uri = f"preview:{directory}"
    return PrintWorker(uri)


def _pair(args: argparse.Namespace, creds_dir: Path | None) -> Any:
    """`--pair CODE`: pair before the window opens; a refused code leaves the set-up screen."""
    from shared.client.api import ClientError
    from shared.client.pairing import pair_with_hub

    try:
        new = asyncio.run(
            pair_with_hub("kiosk", args.pair, args.name, args.hub, args.discovery, creds_dir)
        )
    except ClientError as exc:
        log.error("pairing with code failed: %s", exc.message)
        return None
    log.info("paired with the hub at %s", new.hub_url)
    return new


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"montour: --size must look like 1080x1920, not {text!r}") from None
    return w, h


def _process_start() -> float:
    """When this process started (wall clock), so start-up time counts the imports too."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.time()

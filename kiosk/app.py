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
    vm = KioskViewModel(None, None, _Mute(), shots.sample_state(screen, lang, access))
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

    from kiosk.viewmodel import KioskViewModel
    from kiosk.window import KioskWindow
    from shared.client import credentials
    from shared.client.link import ServerLink
    from shared.client.stream import discovered_hub, fixed_hub
    from shared.ui.speech import Speaker

    creds = credentials.load("kiosk")
    if args.token:
        creds = credentials.Credentials("kiosk", "", args.hub or "", args.token, args.name)
    elif args.pair:
        creds = _pair(args, creds)
    if creds is None:
        print(
            "montour: this kiosk is not paired. On the hub machine run "
            "`montour hub pair --role kiosk`, then start the kiosk with --pair CODE."
        )
        return 2
    office = creds.office or None
    locate = fixed_hub(args.hub) if args.hub else discovered_hub(office, args.discovery)
    app = QApplication.instance() or QApplication([])
    link = ServerLink(locate, creds.token)
    printer = _printer(args.printer)
    speaker = Speaker(engine=args.speech)
    from kiosk import flow

    state = flow.initial(args.lang or "fr", access=access)
    vm = KioskViewModel(link, printer, speaker, state, prefer_lang=args.lang)
    window = KioskWindow()
    vm.viewChanged.connect(window.render)
    window.intent.connect(vm.press)
    window.focusMoved.connect(vm.focus_moved)
    vm.ready.connect(lambda: log.info("kiosk ready with the office's services %.2f s after the "
                                      "process started", time.time() - started))  # fmt: skip
    window.resize(*size)
    window.show() if args.windowed else window.showFullScreen()
    link.start()
    if printer is not None:
        printer.start()
    vm.start()
    try:
        return int(app.exec())
    finally:
        vm.stop()
        link.stop()
        if printer is not None:
            printer.stop()


def _printer(uri: str | None) -> Any:
    from kiosk.printing import PrintWorker

    if not uri:
        directory = Path(platformdirs.user_data_dir("montour")) / "tickets"
        directory.mkdir(parents=True, exist_ok=True)
        uri = f"preview:{directory}"
    return PrintWorker(uri)


def _pair(args: argparse.Namespace, creds: Any) -> Any:
    from shared.client import credentials
    from shared.client.api import HubClient
    from shared.discovery import find_hub

    async def pair() -> Any:
        url = args.hub or (await find_hub(None, args.discovery)).url
        async with HubClient(url) as hub:
            answer = await hub.pair(args.pair, args.name)
            office = (await hub.office())["id"]
        return credentials.Credentials("kiosk", office, url, answer["token"], args.name)

    new = asyncio.run(pair())
    credentials.save(new)
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

"""`montour display`: the composition root (Qt application, public hub link, announcer, window)."""

from __future__ import annotations

import argparse
import functools
import logging
import os
import time
from pathlib import Path
from typing import Any

from display.board import NO_FILTERS, Filters
from display.theme import Viewing

log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    started = _process_start()
    try:
        viewing = viewing_of(args)
    except ValueError as exc:
        raise SystemExit(f"montour: {exc}") from None
    filters = Filters.parse(args.services, args.counters)
    if args.screenshot:
        return screenshot(Path(args.screenshot), viewing, stale=args.stale,
                          high_contrast=args.high_contrast, recent=args.recent,
                          animate=not args.no_animation, filters=filters)  # fmt: skip
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    display = Display(args, viewing, filters, started)
    display.window.resize(viewing.width_px, viewing.height_px)
    display.window.show() if args.windowed else display.window.showFullScreen()
    display.start()
    try:
        return int(app.exec())
    finally:
        display.close()


def viewing_of(args: argparse.Namespace) -> Viewing:
    size = args.size or ("1080x1920" if args.portrait else "1920x1080")
    try:
        w, h = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must look like 1920x1080, not {size!r}") from None
    return Viewing(args.distance_m, args.screen_inches, w, h,
                   args.list_distance_m, args.info_distance_m)  # fmt: skip


def screenshot(
    path: Path, viewing: Viewing, *, stale: bool = False, high_contrast: bool = False,
    recent: int = 6, animate: bool = False, filters: Filters = NO_FILTERS,
    arabic_current: bool = False,
) -> int:  # fmt: skip
    """Render the board of the built-in sample office to a PNG, offscreen, and exit."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from display import samples
    from display.viewmodel import DisplayViewModel
    from display.window import DisplayWindow

    app = QApplication.instance() or QApplication([])
    window = DisplayWindow(viewing, animate=False, high_contrast=high_contrast, recent=recent)
    window.resize(viewing.width_px, viewing.height_px)
    vm = DisplayViewModel(None, None, filters, recent=recent, now=lambda tz: samples.NOW)
    vm.office, vm.queue = samples.OFFICE, samples.QUEUE
    vm.state, vm.seq = samples.state(arabic_current), 42
    vm.connected, vm.ever_connected = not stale, True
    vm.boardChanged.connect(window.show_board)
    window.show()
    vm.rebuild()
    app.processEvents()
    window.settle()
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path))
    window.close()
    print(f"display: {path}" if ok else f"montour: cannot write {path}")
    return 0 if ok else 2


class Display:
    """The display's parts, wired: window, view model, public hub link, speaker, announcer."""

    def __init__(
        self, args: argparse.Namespace, viewing: Viewing, filters: Filters,
        started: float | None = None,
    ) -> None:  # fmt: skip
        from display.viewmodel import DisplayViewModel
        from display.window import DisplayWindow
        from shared import const
        from shared.client.link import ServerLink
        from shared.client.stream import discovered_hub, fixed_hub

        self.speaker: Any = None
        self.announcer: Any = None
        if not args.no_sound:
            from display.announcer import Announcer
            from shared.ui.speech import Speaker

            self.speaker = Speaker(engine=args.speech, volume=args.volume)
            self.announcer = Announcer(self.speaker, volume=args.volume)
            log.info("speech: %s", self.speaker.engine_for("fr"))
        locate = fixed_hub(args.hub) if args.hub else discovered_hub(None, args.discovery)
        from display.board import forget

        self.link = ServerLink(
            locate, token=None, heartbeat_timeout_s=const.DISPLAY_HEARTBEAT_TIMEOUT_S,
            forget=functools.partial(forget, filters=filters, recent=args.recent),
        )  # fmt: skip
        self.vm = DisplayViewModel(self.link, self.announcer, filters, recent=args.recent)
        self.window = DisplayWindow(
            viewing, animate=not args.no_animation, high_contrast=args.high_contrast,
            recent=args.recent,
        )  # fmt: skip
        self.vm.boardChanged.connect(self.window.show_board)
        if started is not None:
            self.vm.ready.connect(
                lambda: log.info("display ready %.2f s after the process started",
                                 time.time() - started)
            )  # fmt: skip

    def start(self) -> None:
        self.link.start()
        self.vm.start()

    def close(self) -> None:
        self.vm.stop()
        if self.announcer is not None:
            self.announcer.stop()
        self.link.stop()


def _process_start() -> float:
    """When this process started (wall clock), so start-up time counts the imports too."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.time()

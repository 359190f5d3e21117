"""The hub's estimator: fitted parameters, and a Book recomputed after every event.

Theory of operation
-------------------
One thread of its own, never the writer's: a replay costs milliseconds (p99 ~15 ms with 60
waiting), which every request would otherwise wait for. The writer's commit listener hands it
the newest (state, seq) with `notify`; the thread wakes, takes only the NEWEST state (a burst
of commits costs one recomputation, not one each), computes a Book (shared/core/estimate.py)
steadied against the previous one, and publishes it: `book` is replaced (one reference, read by
any thread) and, when a range shown to visitors changed, `on_book(book)` tells the event loop,
which announces it to the clients.
With nothing happening it still recomputes every ESTIMATE_REFRESH_S, as remaining waits shrink
with time. It holds the GIL while it computes, so after each recomputation it rests long
enough to stay under ESTIMATE_CPU_SHARE of the time: in an office (an event every few seconds)
each event gets its own recomputation within milliseconds; in a burst of hundreds of requests
a second the estimates follow a little behind and the requests keep their speed.

Parameters are fitted from the office's own history on start-up and again at the first
recomputation of each new office day (the "nightly refit"): the events of the
ESTIMATE_HISTORY_DAYS days before today, read through a read-only connection of this thread.
With no history, `fit` falls back to the configured service times. `on_new_day` hooks run after
each refit (the learned quieter hours are refreshed there).

If a replay takes longer than ESTIMATE_SLOW_S, the next ones use the deterministic single pass
(the degraded mode); every ESTIMATE_RETRY_EVERY recomputations a full replay is tried again.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from shared import const
from shared.clock import Clock
from shared.config import OfficeConfig
from shared.core import estimate, waitparams
from shared.core.estimate import Book
from shared.core.model import OfficeState
from shared.core.numbering import office_day
from shared.hub import store

log = logging.getLogger(__name__)


def view_of(estimator: Estimator | None, state: OfficeState, config: OfficeConfig,
            now: datetime, seq: int) -> estimate.View:  # fmt: skip
    """What the routes read estimates through; a hub part run without an estimator (a test of
    the writer alone) gets the degraded mode with the configured times."""
    if estimator is not None:
        return estimator.view(state, seq)
    params = waitparams.Params.from_rules(config.rules)
    return estimate.View(
        estimate.EMPTY,
        lambda: estimate.compute(
            state, config.rules, params, now, tz=config.tz, deterministic=True
        ),
    )


def _yield_gil() -> None:
    """Between two continuations: let a request waiting for the GIL run (a 0 s sleep releases
    it), so a request waits for one continuation (~0.3 ms), not for a whole replay."""
    time.sleep(0)


def _shown(book: Book) -> tuple[object, object]:
    """What visitors see of a book: its rounded ranges (a change elsewhere is not news)."""
    return ({t: f.range() for t, f in book.tickets.items()},
            {k: f.range() for k, f in book.new.items()})  # fmt: skip


class Estimator:
    def __init__(
        self,
        config: OfficeConfig,
        db_path: Path,
        clock: Clock,
        on_book: Callable[[Book], None] = lambda book: None,
        *,
        seed: int | None = None,
    ) -> None:
        self.config, self.db_path, self.clock, self.on_book = config, db_path, clock, on_book
        self.params = waitparams.Params.from_rules(config.rules)
        self.fitted_for: date | None = None
        self.book: Book = estimate.EMPTY
        self.on_new_day: list[Callable[[date], None]] = []
        # Common random numbers: every recomputation draws from the same seed, so the same
        # state gives the same figures and a small change of state a small change of figures,
        # instead of the sampling noise of K continuations making shown ranges flicker.
        self._seed = seed if seed is not None else random.SystemRandom().getrandbits(32)
        self._latest: tuple[OfficeState, int] | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._published = threading.Condition()
        self._stop = False
        self._closing = threading.Event()
        self._degraded_runs = 0  # recomputations left in the degraded mode
        self._thread = threading.Thread(target=self._run, name="montour-estimates", daemon=True)

    def start(self, state: OfficeState, seq: int) -> None:
        """Fit and compute the first book now (the hub serves estimates from its first
        request), then recompute in the thread."""
        self._latest = (state, seq)
        self._step()
        self._thread.start()

    def notify(self, state: OfficeState, seq: int) -> None:
        """From the writer thread after each commit: recompute for this state soon."""
        with self._lock:
            self._latest = (state, seq)
        self._wake.set()

    def close(self) -> None:
        self._stop = True
        self._closing.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def wait_for(self, seq: int, at: datetime | None = None, timeout_s: float = 10.0) -> bool:
        """Block until a book computed for `seq` or later (and at `at` or later) is published
        (tests, tools)."""

        def done() -> bool:
            book = self.book
            return book.seq >= seq and (at is None or (book.at is not None and book.at >= at))

        with self._published:
            return self._published.wait_for(done, timeout_s)

    def fallback(self, state: OfficeState) -> Book:
        """The degraded mode for one state, when the book has no figures for it yet (a counter
        opened a moment ago): a deterministic single pass, well under a millisecond."""
        return estimate.compute(
            state, self.config.rules, self.params, self.clock.now(), tz=self.config.tz,
            deterministic=True,
        )  # fmt: skip

    def view(self, state: OfficeState, seq: int) -> estimate.View:
        """The published book, and the fallback for `state` at `seq` (computed once, if ever
        asked)."""
        cache: list[Book] = []

        def fallback() -> Book:
            if not cache:
                cache.append(self.fallback(state))
            return cache[0]

        book = self.book
        return estimate.View(book, fallback, current=book.seq >= seq)

    # --- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(const.ESTIMATE_REFRESH_S)
            self._wake.clear()
            if self._stop:
                return
            started = time.perf_counter()
            try:
                self._step()
            except Exception:
                log.exception("estimates: recomputation failed; the previous ones stay")
            # The replay is pure Python: while it runs it holds the GIL the writer and the
            # event loop need. Rest so that it never takes more than ESTIMATE_CPU_SHARE of the
            # time: in a burst of requests the estimates lag a little, the requests do not.
            took = time.perf_counter() - started
            self._closing.wait(took * (1.0 / const.ESTIMATE_CPU_SHARE - 1.0))

    def _step(self) -> None:
        with self._lock:
            latest = self._latest
        if latest is None:
            return
        state, seq = latest
        now = self.clock.now()
        today = office_day(now, self.config.tz)
        if self.fitted_for != today:
            self._refit(today)
        degraded = self._degraded_runs > 0
        started = time.perf_counter()
        book = estimate.compute(
            state, self.config.rules, self.params, now, rng=random.Random(self._seed),
            tz=self.config.tz, seq=seq, previous=self.book, deterministic=degraded,
            between=_yield_gil,
        )  # fmt: skip
        took = time.perf_counter() - started
        if degraded:
            self._degraded_runs -= 1
        elif took > const.ESTIMATE_SLOW_S:
            log.warning("estimates: a replay took %.0f ms; degraded mode for a while", took * 1e3)
            self._degraded_runs = const.ESTIMATE_RETRY_EVERY
        changed = _shown(book) != _shown(self.book)
        with self._published:
            self.book = book
            self._published.notify_all()
        if changed:
            self.on_book(book)

    def _refit(self, today: date) -> None:
        started = time.perf_counter()
        try:
            first = today - timedelta(days=const.ESTIMATE_HISTORY_DAYS)
            log_ = store.read_days(self.db_path, first, today)
            self.params = waitparams.fit(log_, self.config.rules, tz=self.config.tz)
        except (sqlite3.Error, ValueError):
            log.exception("estimates: fitting failed; the previous parameters stay")
        else:
            log.info(
                "estimates: fitted on %d events of the %d days before %s in %.0f ms",
                len(log_), const.ESTIMATE_HISTORY_DAYS, today,
                (time.perf_counter() - started) * 1e3,
            )  # fmt: skip
        self.fitted_for = today
        for hook in self.on_new_day:
            try:
                hook(today)
            except Exception:
                log.exception("estimates: a new-day hook failed")

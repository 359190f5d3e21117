"""The one writer: every change to the office's queue goes through here.

Theory of operation
-------------------
A dedicated thread owns the SQLite write connection. Requests hand it *jobs* (a function of a
`Tx`) through a queue and await a future. The thread takes every job waiting (up to
WRITE_BATCH_MAX), opens one `BEGIN IMMEDIATE` transaction, runs each job in its own savepoint,
and commits once: group commit. With `synchronous=FULL` the commit is the fsync, so a burst of
concurrent requests costs one fsync instead of one each, and nothing is acknowledged before
it is durable: futures are resolved only after COMMIT returned.

A job that raises (an illegal move, an unknown ticket) is rolled back to its savepoint and its
in-memory effects are dropped; the others in the batch go on. If the COMMIT itself fails (disk
full, I/O error), every job of the batch fails and the in-memory state stays as it was: the
state is an immutable value, so "as it was" is just the old reference.

After each commit, `on_commit(state, events)` is called from the writer thread (the app hands
it to the event loop for broadcasting) *before* the futures resolve, so a client that gets its
answer and then asks for a snapshot sees its own change.
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlite_utils

from shared import const
from shared.clock import Clock
from shared.config import OfficeConfig
from shared.core import lifecycle
from shared.core.errors import MontourError
from shared.core.events import Event
from shared.core.model import OfficeState
from shared.core.numbering import office_day
from shared.hub.store import Store

if TYPE_CHECKING:
    from shared.hub.estimates import Estimator

log = logging.getLogger(__name__)
T = TypeVar("T")


class StorageError(MontourError):
    http_status, code = 503, "storage_unavailable"


def _storage_error(cause: BaseException) -> StorageError:
    error = StorageError(
        "The hub could not save this change (storage problem); nothing was changed. "
        "Try again; if it persists, call the technician."
    )
    error.__cause__ = cause
    return error


class Tx:
    """What a job sees: the state as of the jobs before it, and a way to apply commands."""

    def __init__(self, hub: HubService, now: datetime) -> None:
        self.store = hub.store
        self.db: sqlite_utils.Database = hub.store.db
        self.config = hub.config
        self.now = now
        self.state = hub.state
        self.seq = hub.seq
        self.before = hub.seq  # the seq before the running job's events
        self.estimator = hub.estimator
        self.events: list[tuple[int, Event]] = []

    def apply(self, command: lifecycle.Command) -> list[tuple[int, Event]]:
        """Decide, store and fold; raises a MontourError and stores nothing if illegal."""
        new = lifecycle.decide(self.state, command, self.config.rules, self.now)
        out = []
        for event in new:
            self.seq += 1
            # Folded first so that a DayOpened is filed under the day it opens; a failure
            # below undoes both (the batch restores the job's state and seq).
            self.state = lifecycle.evolve(self.state, event)
            day = self.state.day.isoformat() if self.state.day else ""
            self.store.append(self.seq, day, event)
            out.append((self.seq, event))
        self.events.extend(out)
        return out

    def ensure_day(self) -> None:
        day = office_day(self.now, self.config.tz)
        if self.apply(lifecycle.OpenDay(day)):
            # Idempotency keys protect retries within a day; yesterday's are dead weight.
            self.store.forget_responses_before(day.isoformat())


@dataclass
class _Job:
    fn: Callable[[Tx], Any]
    future: concurrent.futures.Future[Any]


CommitListener = Callable[[OfficeState, list[tuple[int, Event]]], None]


class HubService:
    def __init__(self, config: OfficeConfig, db_path: Path, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.store = Store(db_path)
        self.seq = self.store.last_seq()
        self.state = lifecycle.fold(e for _, e in self.store.today_events())
        self.listeners: list[CommitListener] = []
        self.estimator: Estimator | None = None  # set by the app (shared/hub/estimates.py)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="montour-writer", daemon=True)
        self._thread.start()

    # --- submitting ---------------------------------------------------------------------

    def submit(self, fn: Callable[[Tx], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        if not self._thread.is_alive():
            future.set_exception(StorageError("The hub is shutting down; try again shortly."))
            return future
        self._jobs.put(_Job(fn, future))
        return future

    def run(self, fn: Callable[[Tx], T], timeout_s: float = 30.0) -> T:
        """Blocking form of submit, for scripts and tests (never on the event loop)."""
        return self.submit(fn).result(timeout_s)

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        self.store.close()

    # --- the writer thread --------------------------------------------------------------

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < const.WRITE_BATCH_MAX:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._jobs.put(None)  # stop after this batch
                    break
                batch.append(job)
            self._run_batch(batch)

    def _run_batch(self, batch: list[_Job]) -> None:
        tx = Tx(self, self.clock.now())
        outcomes: list[tuple[_Job, Any, BaseException | None]] = []
        conn = self.store.conn
        try:
            with self.store.transaction():
                tx.ensure_day()
                for job in batch:
                    state, seq, n = tx.state, tx.seq, len(tx.events)
                    tx.before = seq
                    conn.execute("SAVEPOINT job")
                    try:
                        result = job.fn(tx)
                    except Exception as exc:
                        conn.execute("ROLLBACK TO SAVEPOINT job")
                        conn.execute("RELEASE SAVEPOINT job")
                        tx.state, tx.seq = state, seq
                        del tx.events[n:]
                        if isinstance(exc, sqlite3.Error):
                            log.error("storage refused a write: %s", exc)
                            exc = _storage_error(exc)
                        elif not isinstance(exc, MontourError):
                            log.exception("job failed")
                        outcomes.append((job, None, exc))
                    else:
                        conn.execute("RELEASE SAVEPOINT job")
                        outcomes.append((job, result, None))
        except Exception as exc:
            log.exception("commit failed; %d request(s) refused", len(batch))
            error = _storage_error(exc)
            for job in batch:
                job.future.set_exception(error)
            return
        self.state, self.seq = tx.state, tx.seq
        if tx.events:
            for listener in self.listeners:
                try:
                    listener(tx.state, list(tx.events))
                except Exception:
                    log.exception("commit listener failed")
        for job, result, failure in outcomes:
            if failure is None:
                job.future.set_result(result)
            else:
                job.future.set_exception(failure)

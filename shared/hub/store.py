"""The hub's SQLite file, through sqlite-utils.

Theory of operation
-------------------
The event table is the truth: `events(seq INTEGER PRIMARY KEY, day, at, type, data)`, append
only, with a gap-free `seq` that the single writer assigns (last + 1) inside the transaction
that stores the event, so a rolled-back batch leaves no hole. Today's state is the fold of the
events since the last `DayOpened` (lifecycle.fold). The other tables (devices, pairing codes,
idempotency keys) are plain rows.

Durability: WAL with `synchronous=FULL`, so a COMMIT that returned is on disk and survives a
SIGKILL or a power cut. Every read-modify-write transaction starts with `BEGIN IMMEDIATE`: a
deferred one fails at once with "database is locked" when another connection (for instance
`montour hub token` run beside a live hub) committed in between.

The connection is opened in driver autocommit mode (`isolation_level=None`) and transactions
are explicit; sqlite-utils' `atomic()` nests savepoints inside them.

Migrations: `MIGRATIONS[i]` brings the schema from version i to i + 1; the version lives in
`PRAGMA user_version` and each step runs in its own transaction.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from shared.core import events as ev
from shared.core.events import Event

log = logging.getLogger(__name__)


def _v1(db: sqlite_utils.Database) -> None:
    db.table("events").create(
        {"seq": int, "day": str, "at": str, "type": str, "data": str}, pk="seq", strict=True
    )
    db.table("events").create_index(["day"])
    db.table("events").create_index(["type"])
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("idempotency").create(
        {"key": str, "day": str, "status": int, "response": str}, pk="key"
    )
    db.table("devices").create(
        {
            "id": str, "name": str, "role": str, "token_hash": str, "created_at": str,
            "last_seen": str, "revoked_at": str,
        },
        pk="id", not_null={"name", "role", "token_hash", "created_at"},
    )  # fmt: skip
    db.table("devices").create_index(["token_hash"], unique=True)
    db.table("pairing_codes").create(
        {"code_hash": str, "role": str, "name": str, "expires_at": str, "used_at": str},
        pk="code_hash",
    )


def _v2(db: sqlite_utils.Database) -> None:
    # The request an idempotency key was first used for: the same key on another request is
    # a client bug to refuse, not a reason to replay an unrelated answer.
    db.table("idempotency").add_column("fingerprint", str)


def _v3(db: sqlite_utils.Database) -> None:
    # Call-back requests left at the kiosk. The phone number is personal data (P4): kept out of
    # the event log, deleted by the retention job once `delete_after` has passed.
    db.table("callbacks").create(
        {
            "id": str, "service": str, "phone": str, "lang": str, "ticket": str,
            "created_at": str, "delete_after": str, "state": str, "device": str,
        },
        pk="id", not_null={"service", "phone", "lang", "created_at", "delete_after", "state"},
    )  # fmt: skip
    db.table("callbacks").create_index(["delete_after"])
    # The last state each kiosk reported for its printer: the health of every printer at a glance.
    for column in ("printer_state", "printer_detail", "printer_at"):
        db.table("devices").add_column(column, str)


def _v4(db: sqlite_utils.Database) -> None:
    # Agents take call-back requests (issue 5): who holds one, how often it was tried, and how
    # it ended. A request left unanswered goes back to the list, so `attempts` counts the calls.
    callbacks = db.table("callbacks")
    for column in ("taken_by", "taken_device", "taken_at", "outcome", "note", "done_at"):
        callbacks.add_column(column, str)
    callbacks.add_column("attempts", int, not_null_default=0)
    callbacks.create_index(["state", "created_at"])
    # The visitor's contact history (P4): `subject` is an HMAC of the identifier they gave,
    # never the identifier itself, so the file holds no file or phone number in clear.
    db.table("contacts").create(
        {
            "id": str, "subject": str, "at": str, "channel": str, "service": str,
            "outcome": str, "note": str, "agent": str, "device": str, "delete_after": str,
        },
        pk="id", not_null={"subject", "at", "channel", "service", "outcome", "agent",
                           "delete_after"},
    )  # fmt: skip
    db.table("contacts").create_index(["subject"])
    db.table("contacts").create_index(["delete_after"])
    # Every read of personal data: who (device, agent), what (kind), which (ref), when.
    db.table("access_log").create(
        {"id": int, "at": str, "device": str, "agent": str, "kind": str, "ref": str},
        pk="id", not_null={"at", "device", "agent", "kind", "ref"},
    )  # fmt: skip
    db.table("access_log").create_index(["at"])
    # The per-hub key of the subjects' HMAC, made once here (the first start of a v4 hub).
    # It lives with the data it protects: a restored backup still finds its visitors.
    db.table("secrets").create({"name": str, "value": bytes}, pk="name", not_null={"value"})
    db.table("secrets").insert({"name": "contacts_hmac", "value": secrets.token_bytes(32)})


def _v5(db: sqlite_utils.Database) -> None:
    # Appointments (issue 7): a booking by reference; nothing personal. `start`/`end` are UTC
    # ISO instants, `status` booked or cancelled, `channel` web or agent (and its device).
    db.table("appointments").create(
        {
            "ref": str, "service": str, "mode": str, "start": str, "end": str, "status": str,
            "channel": str, "device": str, "lang": str, "created_at": str, "updated_at": str,
        },
        pk="ref", not_null={"service", "mode", "start", "end", "status", "channel",
                            "created_at", "updated_at"},
    )  # fmt: skip
    db.table("appointments").create_index(["service", "status", "start"])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.db = sqlite_utils.Database(self.conn)
        self.migrate()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """`BEGIN IMMEDIATE … COMMIT`, rolled back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.conn.execute("COMMIT")
        except BaseException:
            # Also after a failed COMMIT: a connection left inside a transaction would refuse
            # every later write with "cannot start a transaction within a transaction".
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        while (version := self.schema_version()) < len(MIGRATIONS):
            with self.transaction() as db:
                MIGRATIONS[version](db)
                self.conn.execute(f"PRAGMA user_version={version + 1}")

    # --- meta --------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.table("meta").upsert({"key": key, "value": value}, pk="key")

    # --- events ------------------------------------------------------------------------

    def last_seq(self) -> int:
        row = self.conn.execute("SELECT max(seq) FROM events").fetchone()
        return int(row[0] or 0)

    def append(self, seq: int, day: str, event: Event) -> None:
        """Store one event at `seq` (the caller holds the transaction and assigns seq)."""
        data = ev.to_dict(event)
        self.conn.execute(
            "INSERT INTO events (seq, day, at, type, data) VALUES (?, ?, ?, ?, ?)",
            (seq, day, data["at"], data["type"], json.dumps(data, ensure_ascii=False)),
        )

    def today_events(self) -> list[tuple[int, Event]]:
        """The events since the last DayOpened, with their seq (the day's fold)."""
        row = self.conn.execute("SELECT max(seq) FROM events WHERE type = 'DayOpened'").fetchone()
        start = int(row[0] or 0)
        rows = self.conn.execute(
            "SELECT seq, data FROM events WHERE seq >= ? ORDER BY seq", (start,)
        )
        return [(int(seq), ev.from_dict(json.loads(data))) for seq, data in rows]

    def events_since(self, seq: int, limit: int = 10_000) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT seq, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
        )
        return [{"seq": int(s), **json.loads(d)} for s, d in rows]

    # --- idempotency --------------------------------------------------------------------

    def idempotent_response(self, key: str) -> tuple[int, str, str] | None:
        """(status, body, request fingerprint) first answered under `key`, if any."""
        row = self.conn.execute(
            "SELECT status, response, fingerprint FROM idempotency WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]), str(row[2] or ""))

    def remember_response(
        self, key: str, day: str, status: int, response: str, fingerprint: str
    ) -> None:
        self.conn.execute(
            "INSERT INTO idempotency (key, day, status, response, fingerprint) "
            "VALUES (?, ?, ?, ?, ?)",
            (key, day, status, response, fingerprint),
        )

    def forget_responses_before(self, day: str) -> None:
        self.conn.execute("DELETE FROM idempotency WHERE day < ?", (day,))


def read_days(
    db_path: Path, first: date, end: date, types: tuple[str, ...] = ()
) -> list[tuple[int, Event]]:
    """The events of the office days `first` ≤ day < `end` (of `types` only, if given), in seq
    order, through a read-only connection of the caller's own: for the estimator's fit, the
    learned hours and the report, which read the history beside a live hub and must never
    change its file. An event that no longer parses is left out, with a warning."""
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        only = f" AND type IN ({', '.join('?' * len(types))})" if types else ""
        rows = conn.execute(
            f"SELECT seq, data FROM events WHERE day >= ? AND day < ?{only} ORDER BY seq",
            (first.isoformat(), end.isoformat(), *types),
        ).fetchall()
    finally:
        conn.close()
    out = []
    for seq, data in rows:
        try:
            out.append((int(seq), ev.from_dict(json.loads(data))))
        except (KeyError, ValueError, TypeError):
            log.warning("event %s of %s is unreadable: left out", seq, db_path)
    return out

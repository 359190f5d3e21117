"""The store under the hub: durability settings, a gap-free log, rebuild on restart, and what a
storage failure does to a request (a clean 503, nothing changed, and the hub goes on).

Failures are made in the database itself, never by mocking the writer: a tiny
`max_page_count` (disk full), a trigger that aborts an INSERT, or a deferred foreign key that
fails the COMMIT.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future
from typing import Any

from shared import protocol
from shared.core import lifecycle
from shared.core.errors import MontourError
from shared.core.model import ServiceCode, TicketId
from shared.hub.service import Tx
from tests.hub.conftest import Office, StartHub, assert_error


def stored_seqs(office: Office) -> list[int]:
    return [e["seq"] for e in office.events()]


def sql(office: Office, script: str) -> None:
    """DDL from a connection of our own, as a technician's sqlite3 shell would run it."""
    conn = sqlite3.connect(office.db_path)
    try:
        conn.executescript(script)
    finally:
        conn.close()


def test_wal_and_synchronous_full_on_the_hubs_connection(office: Office) -> None:
    def pragmas(tx: Tx) -> tuple[str, int]:
        mode = tx.db.conn.execute("PRAGMA journal_mode").fetchone()[0]
        sync = tx.db.conn.execute("PRAGMA synchronous").fetchone()[0]
        return str(mode), int(sync)

    assert office.service.run(pragmas) == ("wal", 2)


def test_seq_is_gap_free_even_when_jobs_of_a_batch_fail(office: Office) -> None:
    """A burst straight into the writer: refused jobs roll back to their savepoint."""

    def issue(i: int) -> Any:
        return lambda tx: tx.apply(
            lifecycle.IssueTicket(TicketId(f"t{i:04d}"), f"tok{i}", ServiceCode("AB"[i % 2]),
                                  False, "fr")
        )  # fmt: skip

    def illegal(i: int) -> Any:
        return lambda tx: tx.apply(lifecycle.TicketCommand(lifecycle.Action.START, TicketId("x")))

    futures: list[Future[Any]] = [
        office.service.submit(illegal(i) if i % 3 == 0 else issue(i)) for i in range(300)
    ]
    refused = 0
    for i, future in enumerate(futures):
        if i % 3 == 0:
            assert isinstance(future.exception(10), MontourError)
            refused += 1
        else:
            future.result(10)
    seqs = stored_seqs(office)
    assert seqs == list(range(1, len(seqs) + 1))
    assert seqs[-1] == office.service.seq
    issued = [e for e in office.events() if e["type"] == "TicketIssued"]
    assert len(issued) == 300 - refused
    assert office.snapshot()["seq"] == office.service.seq


def unestimated(snapshot: dict[str, Any]) -> dict[str, Any]:
    services = {k: {**v, "wait": None} for k, v in snapshot["services"].items()}
    return {**snapshot, "services": services}


def test_restart_rebuilds_the_same_state(start_hub: StartHub) -> None:
    with start_hub() as first:
        first.open("G1", "A", "B")
        first.open("G3", "A", "C")
        first.open("G5", "B", "C")
        for service in "ABCABCAAB":
            first.issue(service, priority=service == "C")
            first.clock.advance(40)
        t1 = first.call_next("G1")["id"]
        first.ok(first.act(t1, "start"))
        first.ok(first.act(t1, "transfer", {"service": "C", "note": "CAF", "head": True}))
        t2 = first.call_next("G3")["id"]
        first.ok(first.act(t2, "start"))
        first.ok(first.act(t2, "park"))
        t3 = first.call_next("G5")["id"]
        first.ok(first.act(t3, "recall"))
        first.ok(first.act(t3, "no-show"))
        t4 = first.call_next("G1")["id"]
        first.ok(first.act(t4, "start"))
        first.ok(first.act(t4, "complete", {"outcome": "redirected"}))
        first.ok(first.post("/counters/G5/pause", "counter", {"reason": "phone"}))
        before = protocol.state_to_dict(first.service.state, public=False)
        snapshot, seq, hub_id = first.snapshot(), first.service.seq, first.hub.hub_id
    with start_hub() as second:
        assert protocol.state_to_dict(second.service.state, public=False) == before
        assert second.service.seq == seq
        # The same state and counts; the estimates are recomputed (not steadied by the
        # figures shown before the restart, so they may differ by the steadying).
        assert unestimated(second.snapshot()) == unestimated(snapshot)
        assert second.hub.hub_id == hub_id
        # The day goes on: the next numbers follow, the parked visitor can be called back.
        assert second.issue("A")["label"] == "A005"
        back = second.post("/counters/G3/call", "counter", {"ticket": t2})
        assert second.ok(back)["ticket"]["state"] == "called"
        assert stored_seqs(second) == list(range(1, second.service.seq + 1))


def test_restart_on_a_later_day_opens_a_new_day(start_hub: StartHub) -> None:
    with start_hub() as first:
        first.issue("A")
    first.clock.advance(24 * 3600)
    with start_hub() as second:
        assert second.snapshot()["state"]["day"] == "2026-12-01"
        assert second.snapshot()["state"]["tickets"] == []
        assert second.issue("A")["label"] == "A001"


def test_disk_full_gives_503_changes_nothing_and_the_hub_recovers(office: Office) -> None:
    office.open("G1", "A")
    pages = office.service.run(lambda tx: tx.db.conn.execute("PRAGMA page_count").fetchone()[0])
    office.service.run(lambda tx: tx.db.conn.execute(f"PRAGMA max_page_count={pages}").fetchone())
    for _ in range(1000):
        before = office.capture()
        r = office.post("/tickets", "kiosk", {"service": "A"})
        if r.status_code != 201:
            break
        last = r.json()["number"]
    assert_error(r, 503, "storage_unavailable")
    assert office.capture() == before
    # Reads still work while the disk is full.
    assert office.get("/queue").status_code == 200
    office.service.run(lambda tx: tx.db.conn.execute("PRAGMA max_page_count=1073741823").fetchone())
    assert office.issue("A")["number"] == last + 1
    assert office.call_next("G1")["label"] == "A001"
    assert stored_seqs(office) == list(range(1, office.service.seq + 1))


def test_storage_failure_while_writing_an_event_is_a_clean_503(office: Office) -> None:
    """An INSERT that the database refuses (as an I/O error would) must not become a 500."""
    office.issue("A")
    sql(office, """
        CREATE TRIGGER refuse_c BEFORE INSERT ON events
        WHEN NEW.type = 'TicketIssued' AND json_extract(NEW.data, '$.service') = 'C'
        BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END;
    """)  # fmt: skip
    with office.unchanged():
        r = office.post("/tickets", "kiosk", {"service": "C"})
        assert_error(r, 503, "storage_unavailable")
    assert office.issue("A")["label"] == "A002"
    sql(office, "DROP TRIGGER refuse_c;")
    assert office.issue("C")["label"] == "C001"


def test_failure_at_commit_gives_503_changes_nothing_and_the_hub_recovers(office: Office) -> None:
    """A deferred foreign key is checked at COMMIT: the whole batch must be refused cleanly."""
    office.issue("A")
    sql(office, """
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE guard (
            parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED
        );
        CREATE TRIGGER fail_commit_on_c AFTER INSERT ON events
        WHEN NEW.type = 'TicketIssued' AND json_extract(NEW.data, '$.service') = 'C'
        BEGIN INSERT INTO guard VALUES (42); END;
    """)  # fmt: skip
    # foreign_keys is per connection and ignored inside a transaction: set it on the hub's own
    # connection while its writer is idle (no request is running).
    office.service.store.conn.execute("PRAGMA foreign_keys=ON")
    with office.unchanged():
        r = office.post("/tickets", "kiosk", {"service": "C"})
        assert_error(r, 503, "storage_unavailable")
    # Other writes go on while the condition holds, and after it is removed.
    assert office.issue("A")["label"] == "A002"
    sql(office, "DROP TRIGGER fail_commit_on_c;")
    assert office.issue("C")["label"] == "C001"
    assert stored_seqs(office) == list(range(1, office.service.seq + 1))


def test_an_older_database_is_migrated_in_place(tmp_path) -> None:
    from shared.hub import store as store_mod

    path = tmp_path / "old.db"
    old = store_mod.Store.__new__(store_mod.Store)  # a hub of the first schema version
    old.conn = sqlite3.connect(str(path), isolation_level=None)
    import sqlite_utils

    old.db = sqlite_utils.Database(old.conn)
    with old.transaction() as db:
        store_mod.MIGRATIONS[0](db)
        old.conn.execute("PRAGMA user_version=1")
        old.conn.execute(
            "INSERT INTO idempotency (key, day, status, response) VALUES ('k', 'd', 201, '{}')"
        )
    old.conn.close()
    migrated = store_mod.Store(path)
    try:
        assert migrated.schema_version() == len(store_mod.MIGRATIONS) >= 2
        assert migrated.idempotent_response("k") == (201, "{}", "")
    finally:
        migrated.close()

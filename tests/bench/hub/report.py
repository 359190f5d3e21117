"""The benchmark's result as a table for people."""

from __future__ import annotations

import shlex
from typing import Any


def _cpu(c: dict[str, float]) -> str:
    return f"{c['hub']:.0f}/{c['bench']:.0f}/{c['other']:.0f}"


BUSY_OTHER_PERCENT = 25.0  # of one core, used by other processes during a timed phase


def _busy(phases: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """A warning when other processes took CPU during a timed phase: this machine is shared,
    and the figures of a phase that had to share it are not the hub's (nor the disk's)."""
    busy = [f"{name} {x['cpu_percent_of_one_core']['other']:.0f} %" for name, x in phases
            if x["cpu_percent_of_one_core"]["other"] > BUSY_OTHER_PERCENT]  # fmt: skip
    if not busy:
        return []
    return [f"  !! other processes were busy (% of one core): {', '.join(busy)}; "
            "these figures are not representative"]  # fmt: skip


def _errors(where: str, x: dict[str, Any]) -> list[str]:
    e = x["errors"]
    if not e["count"]:
        return []
    return [f"  !! {e['count']} failed request(s) in {where}; first: {e['first']}"]


def _header(r: dict[str, Any]) -> list[str]:
    m, code, c = r["machine"], r["code"], r["client"]
    fs = m["filesystem"]
    changed = ", ".join(code["changed_since"]) or "nothing"
    lines = [
        f"Montour hub benchmark ({r['mode']}, {r['elapsed_s']} s), hub: "
        f"{shlex.join(r['hub_command'])}",
        f"  code     commit {code['commit']}, uncommitted changes in shared/ or pyproject.toml: "
        f"{changed}",
        f"  machine  {m['cpu_model']}, {m['cores']} cores ({m['cores_usable']} usable), "
        f"Linux {m['kernel']}, {m['python']}, SQLite {m['sqlite']}",
        f"  db dir   {m['db_dir']} (temp dir under {m['db_dir_base']}) on {fs['device']} "
        f"{fs['fstype']} mounted at {fs['mount']} ({fs['options']})",
        f"  load     loadavg {m['loadavg_start']} at start, {m['loadavg_end']} at end; CPU "
        "columns: % of one core used by hub / this benchmark / everything else "
        f"({m['cores']} cores = {100 * m['cores']} %)",
        "  note     all clients run in this one Python process on the same cores as the hub: "
        "the figures include the client's CPU use",
        f"  client   HTTP load client: {' then '.join(c['http'])} (lean = raw asyncio streams, "
        f"requests pre-rendered; httpx {c['httpx']}); websockets {c['websockets']} for the "
        "displays",
    ]
    if "httpx" in c["http"]:
        lines.append("           httpcore's per-request `import sniffio` short-circuited "
                     f"(sniffio not installed): {c['sniffio_import_short_circuited']}")  # fmt: skip
    if code["changed_during_run"]:
        lines.append(f"  !! the hub code changed during the run: digest {code['digest']} at "
                     f"start, at each hub's start {code['digest_at_hub_starts']}")  # fmt: skip
    return lines


def _part_a(x: dict[str, Any]) -> list[str]:
    a, raw = x["hub"], x["raw"]
    seq, conc = a["sequential"], a["concurrent"]
    lines = [
        f"A. Durable ticket operations, client {x['client']} (issue + call next + start + "
        "complete = 4 writes a ticket,",
        "   each acknowledged after its COMMIT; WAL, synchronous=FULL)",
        f"  {'':38} {'ops/s':>8} {'tickets/s':>9} {'op p50':>8} {'op p99':>8} "
        f"{'ops':>6} {'ev/COMMIT':>9} {'CPU h/b/o':>11}",
    ]
    for label, run_ in (("raw sqlite3, 1 row a COMMIT, just before", raw["before"]),
                        ("raw sqlite3, 1 row a COMMIT, just after", raw["after"])):  # fmt: skip
        lines.append(f"  {label:38} {run_['ops_per_s']:>8.0f} {'':>9} {'':>8} {'':>8} "
                     f"{run_['ops']:>6}")  # fmt: skip
    for label, y in (("hub, 1 sequential client", seq),
                     (f"hub, {conc['workers']} concurrent clients", conc)):  # fmt: skip
        lines.append(
            f"  {label:38} {y['ops_per_s']:>8.0f} {y['tickets_per_s']:>9.1f} "
            f"{y['op_latency_ms']['p50']:>6.1f}ms {y['op_latency_ms']['p99']:>6.1f}ms "
            f"{y['ops']:>6} {y['events_per_commit']:>9.1f} {_cpu(y['cpu_percent_of_one_core']):>11}"
        )
    lines += [
        f"  raw limit (mean of before/after): {raw['ops_per_s']:.0f} ops/s, "
        f"row {raw['row_bytes']} bytes JSON; raw and hub DBs on the same filesystem: "
        f"{raw['same_filesystem_as_hub_db']}",
        f"  ratio hub/raw = {x['ratio_hub_to_raw']:.3f}   goal >= {x['ratio_goal']}   "
        f"{'MET' if x['ratio_met'] else 'NOT MET'}",
        f"  group commit: {conc['workers']} clients give x{x['batching_speedup']} the ops/s of "
        "one sequential client",
        f"  CPU per op (ms): hub {seq['cpu_ms_per_op']['hub']} sequential, "
        f"{conc['cpu_ms_per_op']['hub']} concurrent; this benchmark's clients "
        f"{seq['cpu_ms_per_op']['bench']} / {conc['cpu_ms_per_op']['bench']}",
        f"  hub alone on one core (1000 / hub CPU ms per op): at most "
        f"{x['hub_one_core_ops_per_s']:.0f} ops/s, ratio {x['hub_one_core_ratio']:.3f}",
        f"  sequential ops taking >= 35 ms: {seq['ops_35ms_or_more']} of {seq['ops']} "
        "(~40 ms each = Nagle + delayed-ACK stall on a keep-alive connection)",
        f"  concurrent tickets/s, first quarter {conc['tickets_per_s_first_quarter']} vs last "
        f"quarter {conc['tickets_per_s_last_quarter']}; {a['tickets_in_day']} tickets in the "
        "day at the end",
        f"  failed requests: sequential {seq['errors']['count']}, concurrent "
        f"{conc['errors']['count']}, warm-up {a['warmup_errors']['count']}",
    ]
    lines += _errors("the sequential phase", seq) + _errors("the concurrent phase", conc)
    lines += _busy([("raw before", raw["before"]), ("sequential", seq), ("concurrent", conc),
                    ("raw after", raw["after"])])  # fmt: skip
    if a["retries"]:
        lines.append(f"  writes sent twice (server closed an idle connection): {a['retries']}")
    if a["warmup_errors"]["count"]:
        lines.append(f"  !! warm-up failures, first: {a['warmup_errors']['first']}")
    return lines


def _part_b(r: dict[str, Any]) -> list[str]:
    b = r["fanout"]
    lines = [
        f"B. Event latency under fan-out, client {b['client']}: {b['counters']} counter clients "
        f"(own keep-alive connection each, GET /health every {b['keepalive_every_s']:.0f} s), "
        f"{b['subscribers']} display WebSockets,",
        f"   {b['calls']} timed calls, one every >= {b['interval_ms']:.0f} ms, rotating over "
        "the counters; each called ticket is then started and completed (untimed)",
        f"  {'':38} {'p50':>8} {'p99':>8} {'max':>8}",
    ]
    for label, d in (("call -> on ALL subscribers", b["all_subscribers_ms"]),
                     ("call -> on one subscriber", b["per_subscriber_ms"]),
                     ("call -> HTTP answer", b["call_http_answer_ms"])):  # fmt: skip
        lines.append(f"  {label:38} {d['p50']:>6.1f}ms {d['p99']:>6.1f}ms {d['max']:>6.1f}ms")
    lines += [
        f"  p99 (all subscribers) goal <= {r['p99_goal_ms']:.0f} ms   "
        f"{'MET' if r['p99_met'] else 'NOT MET'}",
        f"  missing deliveries {b['missing_deliveries']}, seq gaps {b['seq_gaps']}, sockets "
        f"closed {b['sockets_closed']}, failed requests {b['errors']['count']}; hub "
        f"connections {b['hub_connections_at_start']} at start, "
        f"{b['hub_connections_at_end']} at end; CPU h/b/o {_cpu(b['cpu_percent_of_one_core'])}",
    ]
    lines += _errors("part B", b) + _busy([("timed calls", b)])
    if b["retries"]:
        lines.append(f"  writes sent twice (server closed an idle connection): {b['retries']}")
    if b["keepalive_failures"]:
        lines.append(f"  !! keep-alive GET /health failures: {b['keepalive_failures']}")
    return lines


def table(r: dict[str, Any]) -> str:
    lines = _header(r)
    runs = r["throughput_by_client"]
    for x in runs.values():
        lines += ["", *_part_a(x)]
    if len(runs) > 1:
        lines += ["", "Clients compared (part A, CPU ms per op; b = this benchmark's process):"]
        for kind, x in runs.items():
            s, c = x["hub"]["sequential"], x["hub"]["concurrent"]
            lines.append(
                f"  {kind:6} sequential b {s['cpu_ms_per_op']['bench']:.3f} hub "
                f"{s['cpu_ms_per_op']['hub']:.3f}; concurrent b {c['cpu_ms_per_op']['bench']:.3f}"
                f" hub {c['cpu_ms_per_op']['hub']:.3f}; {c['ops_per_s']:.0f} ops/s, ratio "
                f"{x['ratio_hub_to_raw']:.3f}"
            )
    lines += ["", *_part_b(r)]
    logs = "; ".join(f"{name} {x['lines']} lines, {x['errors']} errors, exit {x['exit_code']}, "
                     f"database closed cleanly (no WAL left): {x['clean_close']}"
                     for name, x in r["hub_logs"].items())  # fmt: skip
    lines.append(f"  hub stderr: {logs}")
    lines += [f"  !! {name}: {line}" for name, x in r["hub_logs"].items()
              for line in x["first_errors"]]  # fmt: skip
    return "\n".join(lines)

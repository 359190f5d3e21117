"""The counter's benchmark: `python -m tests.bench.counter [--calls 300] [--others 50] [--json]`.

Keypress "call next" → ticket shown on the counter (issue 5). A real hub process on loopback
(`montour hub`, this package's office.toml: 60 counters, four services). The other counters
run in child processes (others.py, each a few dozen desks): every one has its own counter
token, an open counter, a live full-view EventStream (what a counter app folds) and a loop of
call next → start → complete through the API, one action every uniform(1, 2) s by default; the
first child is also a kiosk that keeps at least 8 tickets waiting in every service. The
measured counter is the real counter app in this process, offscreen (press.py): ServerLink,
CounterViewModel and CounterWindow, signed in at G1 (services A and B), counter open.

For each sample: wait until F1 is enabled (somebody waiting, nothing in flight), press F1 with
QTest.keyClick on the window, and time from just before the press to the end of the first
repaint of the window whose ticket card shows the called ticket's number (the window's
UpdateRequest: the backing store is painted when it returns). Then start and complete the
ticket, untimed, so that the counter is idle again, and press again at once (`--pause-s`: the
agent's pause between visitors; none by default, so the measured counter is itself busier than
any other). A press that the hub refuses (the others took the last waiting ticket first) is
counted, not timed, and pressed again. A few untimed presses warm up first.

Reported: p50, p95, p99 and max over `--calls` samples; the others' real rate of actions and
tickets over the timed part, and their errors; the CPU of the hub, of this process, of the
others and of the rest of the machine over the timed part (share of one core); the machine.
Also the day's tickets at the end: at this pace the office serves a busy day's ~600 tickets
in about a minute, and every client folds the whole day on each event, so a long run (many
--calls, or --pause-s) measures a day far larger than a real one. If the app gets stuck, the
error shows the last requests, answers and events it saw.

Goal (issue 5): p99 ≤ 100 ms. Reported, never enforced.
"""
